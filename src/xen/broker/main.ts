import { createLocalRunner } from '../runner/local';
import { startBroker } from './server';

/**
 * Entry of the privileged broker (built as dist/main/broker.cjs; started through pkexec, sudo -n or directly).
 * Arguments: `--image-dir=/path` (repeatable). It serves stdin/stdout until stdin closes or its parent changes.
 */
export function brokerMain(argv: readonly string[] = process.argv.slice(2)): void {
  const imageDirs = argv.filter((a) => a.startsWith('--image-dir=')).map((a) => a.slice('--image-dir='.length));
  const unknown = argv.filter((a) => !a.startsWith('--image-dir='));
  if (unknown.length > 0) {
    process.stderr.write(`xenith-broker: unknown arguments ${JSON.stringify(unknown)}\n`);
    process.exit(2);
  }
  // pkexec and sudo reset PATH; the toolstack lives in the sbin directories.
  const env = { ...process.env, PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  let broker;
  try {
    broker = startBroker({
      input: process.stdin,
      output: process.stdout,
      runner: createLocalRunner({ env }),
      imageDirs,
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

brokerMain();
