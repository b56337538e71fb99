import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { XenError } from '../errors';
import { createLocalFs } from './local-fs';
import { DEFAULT_KILL_GRACE_MS, runProcess } from './process';
import { assertCommand } from './programs';
import { spawnPty } from './pty-process';
import { commandRunner } from './command-runner';
import type { Executor, RunResult, Runner, StreamHandle, XenProgram } from './types';
import { commandFailure } from './xl-stderr';

/** How the local runner finds and starts programs. */
export interface LocalRunnerOptions {
  /** Directory holding the programs (e.g. /usr/sbin); default: looked up on PATH. */
  binDir?: string;
  /** Exact path per program; wins over binDir. Tests point 'xl' at a fake script this way. */
  programs?: Partial<Record<XenProgram, string>>;
  env?: NodeJS.ProcessEnv;
  /** Used when a call gives no timeout; 0 means none. */
  defaultTimeoutMs?: number;
  killGraceMs?: number;
  label?: string;
}

/** A command that gives no timeout of its own still may not hang the app forever. */
export const DEFAULT_RUN_TIMEOUT_MS = 30_000;

/** The Runner for this machine's own toolstack (needs root for xl): commands from the table, started locally. */
export function createLocalRunner(options: LocalRunnerOptions = {}): Runner {
  return commandRunner(createLocalExecutor(options));
}

/** Starts the toolstack programs on this machine; the broker holds one, as root, and builds every argv itself. */
export function createLocalExecutor(options: LocalRunnerOptions = {}): Executor {
  const env = options.env ?? process.env;
  const resolve = (program: XenProgram): string =>
    options.programs?.[program] ?? (options.binDir !== undefined ? path.join(options.binDir, program) : program);

  return {
    kind: 'local',
    label: options.label ?? 'local Xen',
    async run(program, args, opts = {}): Promise<RunResult> {
      assertCommand(program, args);
      const file = resolve(program);
      const res = await runProcess(file, args, {
        timeoutMs: opts.timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
        signal: opts.signal,
        env,
        killGraceMs: options.killGraceMs,
        displayArgv: [program, ...args],
      });
      const exitCode = res.exitCode ?? 128;
      if (exitCode !== 0 && opts.allowFailure !== true) throw commandFailure([program, ...args], res.exitCode, res.stderr);
      return { stdout: res.stdout, stderr: res.stderr, exitCode };
    },
    stream(program, args): StreamHandle {
      assertCommand(program, args);
      return spawnStream(resolve(program), args, env, options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
    },
    pty(program, args, size) {
      assertCommand(program, args);
      if (program !== 'xl') throw new XenError('INVALID_ARG', 'Only xl runs on a terminal', { field: 'program' });
      return spawnPty(resolve(program), args, size, env);
    },
    fs: createLocalFs(),
    async close() {
      // Nothing held open: every command is its own process.
    },
  };
}

/**
 * Starts a long-lived process (xentop -b) and hands over its stdout. A missing binary shows up as `exited`
 * rejecting with XL_NOT_FOUND rather than as an 'error' event nobody listens to.
 */
export function spawnStream(file: string, args: readonly string[], env: NodeJS.ProcessEnv, killGraceMs: number): StreamHandle {
  const child = spawn(file, [...args], { shell: false, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.resume(); // never let a chatty stderr fill its pipe and stall the child
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      child.stdout.destroy();
      if (e.code === 'ENOENT') reject(new XenError('XL_NOT_FOUND', `${file} not found`, { argv: [file, ...args] }));
      else if (e.code === 'EACCES') reject(new XenError('PERMISSION', `Not allowed to run ${file}`, { argv: [file, ...args] }));
      else reject(new XenError('XL_FAILED', `Could not start ${file}: ${e.message}`, { argv: [file, ...args] }));
    });
    child.on('exit', (code) => resolve(code));
  });
  exited.catch(() => undefined); // a caller that never awaits `exited` must not get an unhandled rejection
  let killed = false;
  return {
    stdout: child.stdout,
    exited,
    kill() {
      if (killed || child.exitCode !== null || child.signalCode !== null) return;
      killed = true;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), killGraceMs);
      t.unref();
      child.once('exit', () => clearTimeout(t));
    },
  };
}
