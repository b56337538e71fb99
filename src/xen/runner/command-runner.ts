import { buildCommand, type BuiltCommand } from '../commands/build';
import { DEFAULT_TIMEOUTS } from '../command';
import { XenError } from '../errors';
import type { Executor, Runner } from './types';

function expectMode(c: BuiltCommand, mode: BuiltCommand['mode']): BuiltCommand {
  if (c.mode !== mode) throw new XenError('INVALID_ARG', `${c.op} is not a ${mode} command`, { field: 'op' });
  return c;
}

/**
 * The Runner over an executor: every command is looked up in the command table, its arguments checked by the table's
 * schema and turned into an argv there, then started by the executor (local, SSH, demo host).
 */
export function commandRunner(x: Executor): Runner {
  return {
    kind: x.kind,
    label: x.label,
    fs: x.fs,
    run(op, args, opts = {}) {
      const c = expectMode(buildCommand(op, args), 'run');
      return x.run(c.program, c.argv, { ...opts, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUTS[c.cls] });
    },
    stream(op, args) {
      const c = expectMode(buildCommand(op, args), 'stream');
      return x.stream(c.program, c.argv);
    },
    pty(op, args, size) {
      const c = expectMode(buildCommand(op, args), 'pty');
      return x.pty('xl', c.argv, size);
    },
    close: () => x.close(),
  };
}
