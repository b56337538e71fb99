import { createLocalExecutor } from '../runner/local';
import { loadBrokerPolicy, loadPools, BROKER_POLICY_FILE } from './policy';
import { startBroker } from './server';

/**
 * Entry of the privileged broker (built as dist/main/broker.cjs; started through pkexec, sudo -n or directly).
 * It takes no arguments: what it may touch is root's policy (/etc/xenith/broker.conf), never the caller's choice.
 * It serves stdin/stdout until stdin closes or its parent changes.
 */
export async function brokerMain(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // pkexec passes on the caller's umask: under umask 0 every config and directory root made would be world-writable,
  // and a checked config could be rewritten before xl reads it. Root's files are root's.
  process.umask(0o022);
  if (argv.length > 0) {
    process.stderr.write(`xenith-broker: takes no arguments (its policy is ${BROKER_POLICY_FILE}); got ${JSON.stringify(argv)}\n`);
    process.exit(2);
  }
  // pkexec and sudo reset PATH; the toolstack lives in the sbin directories.
  const env = { ...process.env, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  let broker;
  try {
    broker = startBroker({
      input: process.stdin,
      output: process.stdout,
      executor: createLocalExecutor({ env }),
      policy: await loadBrokerPolicy(),
      pools: await loadPools(),
      parentPid: () => process.ppid,
      parentPollMs: 2000,
    });
  } catch (e) {
    process.stderr.write(`xenith-broker: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
  // A root process must not outlive the app: stdin closing or reparenting ends it.
  void broker.closed.then(() => setTimeout(() => process.exit(0), 200).unref());
}

void brokerMain();
