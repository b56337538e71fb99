import { spawn, type ChildProcess } from 'node:child_process';
import { XenError } from '../errors';

/** How to run one child process to completion. */
export interface ProcessOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Text written to the child's stdin, which is then closed. */
  input?: string;
  /** Milliseconds between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** The argv reported in errors, e.g. ['xl', 'list'] rather than a resolved path or an ssh wrapper. */
  displayArgv?: readonly string[];
}

/** What a child left behind; a non-zero exit is not an error at this level. */
export interface ProcessResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
}

/** Default grace between SIGTERM and SIGKILL. */
export const DEFAULT_KILL_GRACE_MS = 2000;

/**
 * Runs `file` with `argv` (no shell) and collects its output. Throws XenError TIMEOUT, ABORTED, XL_NOT_FOUND (ENOENT)
 * or PERMISSION (EACCES); every other outcome, including a non-zero exit, resolves.
 */
export function runProcess(file: string, argv: readonly string[], opts: ProcessOptions = {}): Promise<ProcessResult> {
  const fullArgv = opts.displayArgv ?? [file, ...argv];
  const name = fullArgv.slice(0, 2).join(' ');
  if (opts.signal?.aborted) return Promise.reject(new XenError('ABORTED', 'Cancelled before it started', { argv: fullArgv }));
  return new Promise((resolve, reject) => {
    // detached: its own process group, so a timeout also kills whatever a wrapper script started.
    const child = spawn(file, [...argv], { shell: false, detached: true, env: opts.env ?? process.env, stdio: 'pipe' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    let stopping: 'TIMEOUT' | 'ABORTED' | null = null;
    let timer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const stop = (why: 'TIMEOUT' | 'ABORTED'): void => {
      if (stopping !== null || settled) return;
      stopping = why;
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    };
    const onAbort = (): void => stop('ABORTED');

    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => undefined); // the child may exit without reading its input (EPIPE)
    child.stdin.end(opts.input ?? '');

    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(() => reject(startError(e, file, fullArgv)));
    });
    const settle = (code: number | null, sig: NodeJS.Signals | null): void => {
      finish(() => {
        const stderr = Buffer.concat(err).toString('utf8');
        if (stopping === 'TIMEOUT') {
          reject(new XenError('TIMEOUT', `${name} did not finish within ${String(opts.timeoutMs)} ms`, { argv: fullArgv, stderr }));
        } else if (stopping === 'ABORTED') {
          reject(new XenError('ABORTED', `${name} was cancelled`, { argv: fullArgv, stderr }));
        } else {
          resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr, exitCode: code, exitSignal: sig });
        }
      });
    };
    // 'close' waits for the pipes; after a kill, a grandchild may still hold them, so 'exit' is enough then.
    child.on('close', settle);
    child.on('exit', (code, sig) => {
      if (stopping !== null) settle(code, sig);
    });

    if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) timer = setTimeout(() => stop('TIMEOUT'), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Signals the child's whole process group (it was started detached), or the child alone if that fails. */
function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    child.kill(sig);
  }
}

/** Why a child could not be started: missing (XL_NOT_FOUND), not permitted (PERMISSION), or anything else. */
function startError(e: NodeJS.ErrnoException, file: string, fullArgv: readonly string[]): XenError {
  if (e.code === 'ENOENT') return new XenError('XL_NOT_FOUND', `${file} not found`, { argv: fullArgv });
  if (e.code === 'EACCES' || e.code === 'EPERM') return new XenError('PERMISSION', `Not allowed to run ${file}`, { argv: fullArgv });
  return new XenError('XL_FAILED', `Could not start ${file}: ${e.message}`, { argv: fullArgv, errno: e.code });
}
