import * as pty from 'node-pty';
import { XenError } from '../errors';
import type { PtyHandle } from './types';

/** Terminal sizes outside this range are refused rather than passed to ioctl. */
const MAX_DIMENSION = 1000;

/** Checks a terminal size; throws INVALID_ARG for anything but small positive integers. */
export function assertPtySize(cols: unknown, rows: unknown): void {
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= MAX_DIMENSION;
  if (!ok(cols) || !ok(rows)) throw new XenError('INVALID_ARG', `Bad terminal size ${String(cols)}x${String(rows)}`, { field: 'size' });
}

/** Starts `file argv` on a new pseudo-terminal and wraps node-pty's object in Xenith's PtyHandle. */
export function spawnPty(
  file: string,
  argv: readonly string[],
  size: { cols: number; rows: number },
  env: NodeJS.ProcessEnv = process.env,
): PtyHandle {
  assertPtySize(size.cols, size.rows);
  let term: pty.IPty;
  try {
    term = pty.spawn(file, [...argv], { name: 'xterm-256color', cols: size.cols, rows: size.rows, env: stringEnv(env) });
  } catch (e) {
    // node-pty reports a missing binary by throwing from spawn (or by exit code 1 from the forked child).
    throw new XenError('XL_NOT_FOUND', `Could not start ${file}: ${e instanceof Error ? e.message : String(e)}`, { argv: [file, ...argv] });
  }
  let exited = false;
  term.onExit(() => {
    exited = true;
  });
  return {
    onData: (cb) => {
      const d = term.onData(cb);
      return () => d.dispose();
    },
    onExit: (cb) => {
      const d = term.onExit((e) => cb(e.exitCode));
      return () => d.dispose();
    },
    write: (data) => {
      if (!exited) term.write(data);
    },
    resize: (cols, rows) => {
      assertPtySize(cols, rows);
      if (!exited) term.resize(cols, rows);
    },
    pause: () => term.pause(),
    resume: () => term.resume(),
    kill: () => {
      if (!exited) term.kill();
    },
  };
}

/** node-pty wants string values only. */
function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
