// A broker entry for tests: bundled by the spec with esbuild and run as a real child process. Its runner points at
// fake programs, and `xl list crash-me` (domain.list {dom: 'crash-me'}) makes the process die, to test the client's restart.
import { DEFAULT_BROKER_POLICY } from '../../../../src/xen/broker/policy';
import { startBroker } from '../../../../src/xen/broker/server';
import { createLocalExecutor } from '../../../../src/xen/runner/local';
import type { Executor } from '../../../../src/xen/runner/types';

const cfg = JSON.parse(process.env['XENITH_FIXTURE'] ?? '{}') as { binDir: string; roots: string[]; imageDirs?: string[]; bootDirs?: string[] };
const [configDir = '/nonexistent'] = cfg.roots;
const local = createLocalExecutor({ binDir: cfg.binDir });
const executor: Executor = {
  ...local,
  run: (program, args, opts) => {
    if (args.includes('crash-me')) process.exit(3);
    return local.run(program, args, opts);
  },
};
const policy = { ...DEFAULT_BROKER_POLICY, configDir, autoDir: `${configDir}/auto`, saveDir: `${configDir}/save`, imageDirs: cfg.imageDirs ?? [], bootDirs: cfg.bootDirs ?? [] };
const broker = startBroker({ input: process.stdin, output: process.stdout, executor, policy });
void broker.closed.then(() => process.exit(0));
