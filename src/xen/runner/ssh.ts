import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { XenError } from '../errors';
import { DEFAULT_RUN_TIMEOUT_MS, spawnStream } from './local';
import { DEFAULT_KILL_GRACE_MS, runProcess, type ProcessResult } from './process';
import { assertCommand } from './programs';
import { spawnPty } from './pty-process';
import { quoteForRemoteShell } from './remote-quote';
import { createSshFs } from './ssh-fs';
import type { RemoteProcess } from './ssh-fs-stream';
import { createSshMaster, type SshMaster } from './ssh-master';
import { deferPty, deferStream } from './deferred';
import { commandRunner } from './command-runner';
import type { Executor, RunOptions, RunResult, Runner, StreamHandle, XenProgram } from './types';
import { commandFailure } from './xl-stderr';

export { quoteForRemoteShell } from './remote-quote';

/** Where and how to reach a dom0 over ssh. Authentication is by key or agent only (BatchMode: no prompts). */
export interface SshRunnerOptions {
  /** "user@host" or "host"; never starts with "-" (it would be read as an ssh option). */
  target: string;
  port?: number;
  identityFile?: string;
  /** Directory for the ControlMaster socket; default: a private temp directory removed by close(). */
  controlDir?: string;
  /** Extra `-o Key=Value` options, e.g. "StrictHostKeyChecking=accept-new". */
  extraOptions?: readonly string[];
  sshBinary?: string;
  /** Directory of the programs on the remote host (a non-root login may lack /usr/sbin on PATH). */
  remoteBinDir?: string;
  env?: NodeJS.ProcessEnv;
  defaultTimeoutMs?: number;
  killGraceMs?: number;
}

/** ssh's own exit status when it, not the remote command, failed (connection refused, auth failed ...). */
const SSH_FAILED = 255;

/** Throws INVALID_ARG for options that would change what ssh does beyond what the user configured. */
function assertSshOptions(o: SshRunnerOptions): void {
  const bad = (field: string, msg: string): never => {
    throw new XenError('INVALID_ARG', msg, { field });
  };
  if (typeof o.target !== 'string' || !/^[^\s\0-][^\s\0]*$/.test(o.target)) bad('target', `Bad ssh target ${JSON.stringify(o.target)}`);
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535)) bad('port', `Bad ssh port ${String(o.port)}`);
  for (const [field, v] of [['identityFile', o.identityFile], ['controlDir', o.controlDir], ['remoteBinDir', o.remoteBinDir]] as const) {
    if (v !== undefined && (v === '' || v.includes('\0'))) bad(field, `Bad ${field}`);
  }
  for (const opt of o.extraOptions ?? []) {
    if (!/^[A-Za-z]+[= ]\S/.test(opt) || opt.includes('\0') || opt.includes('\n')) bad('extraOptions', `Bad ssh option ${JSON.stringify(opt)}`);
  }
}

/** The ssh options in front of the target for a connection of its own (the VNC tunnels): one multiplexed login. */
export function sshBaseArgs(o: SshRunnerOptions, controlDir: string): string[] {
  return [
    '-o', 'BatchMode=yes',
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${controlDir}/%C`,
    '-o', 'ControlPersist=60',
    ...loginArgs(o),
  ];
}

/**
 * Keep-alive: a host that stops answering (frozen, cable pulled) ends the connection after ~3 unanswered probes 3 s
 * apart instead of never, so commands fail, xentop stops and the app can say so; ConnectTimeout bounds a reconnect.
 */
export const SSH_KEEPALIVE_ARGS: readonly string[] = ['-o', 'ServerAliveInterval=3', '-o', 'ServerAliveCountMax=3', '-o', 'ConnectTimeout=10'];

/** Port, key and the user's extra options. */
function loginArgs(o: SshRunnerOptions): string[] {
  const args: string[] = [];
  if (o.port !== undefined) args.push('-p', String(o.port));
  if (o.identityFile !== undefined) args.push('-i', o.identityFile);
  for (const opt of o.extraOptions ?? []) args.push('-o', opt);
  return args;
}

/** The runner's control socket: a fixed name, so its appearance tells that the master is up. */
export function sshControlSocket(o: SshRunnerOptions, controlDir: string): string {
  const id = createHash('sha256').update(`${o.target}\0${o.port ?? ''}`).digest('hex').slice(0, 16);
  return path.join(controlDir, `m-${id}`);
}

/** The runner's ssh options: the master's (ControlMaster=yes, runs -N) or a command's, through it (ControlMaster=no). */
export function sshRunnerArgs(o: SshRunnerOptions, socket: string, role: 'master' | 'client'): string[] {
  return [
    '-o', 'BatchMode=yes',
    '-o', `ControlMaster=${role === 'master' ? 'yes' : 'no'}`,
    '-o', `ControlPath=${socket}`,
    ...(role === 'master' ? ['-o', 'ControlPersist=no'] : []),
    ...SSH_KEEPALIVE_ARGS,
    ...loginArgs(o),
  ];
}

/** The Runner for a dom0 reached over SSH: commands from the table, run over one reused connection. */
export function createSshRunner(options: SshRunnerOptions): Runner {
  return commandRunner(createSshExecutor(options));
}

/** Starts programs on a dom0 over one ssh connection (a ControlMaster started first and restarted when it dies). */
export function createSshExecutor(options: SshRunnerOptions): Executor {
  assertSshOptions(options);
  const t = sshTransport(options);
  return {
    kind: 'ssh',
    label: `${options.target} over SSH`,
    run: (program, args, opts = {}) => sshRun(t, options.target, program, args, opts),
    stream(program, args): StreamHandle {
      assertCommand(program, args);
      // Killing the local ssh closes the channel; the remote xentop dies on its next write (SIGPIPE).
      return deferStream(t.master.ready(), () => {
        const h = spawnStream(t.ssh, t.argvFor([t.remote(program), ...args]), t.env, options.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
        // ssh's own 255: the connection, not xentop, ended; say so in ssh's words, as an unreachable host.
        const exited = h.exited.then((code) => (code === SSH_FAILED ? Promise.reject(t.lost([program, ...args])) : code));
        exited.catch(() => undefined);
        return { stdout: h.stdout, exited, kill: () => h.kill() };
      });
    },
    pty(program, args, size) {
      assertCommand(program, args);
      if (program !== 'xl') throw new XenError('INVALID_ARG', 'Only xl runs on a terminal', { field: 'program' });
      return deferPty(t.master.ready(), size, () => spawnPty(t.ssh, t.argvFor([t.remote(program), ...args], true), size, t.env));
    },
    fs: createSshFs(async (script, args, input) => {
      const display = ['sh', '-c', script, ...args];
      const res = await t.runRemote(['sh', '-c', script, 'sh', ...args], display, undefined, undefined, input);
      if (res.exitCode === SSH_FAILED) throw sshFailure(display, res);
      return { stdout: res.stdout, stderr: res.stderr, exitCode: res.exitCode ?? 128 };
    }, (script, args) => spawnRemoteScript(t, script, args)),
    close: () => t.close(),
  };
}

/** How the executor reaches the dom0: the ssh argv for a remote argv, runs through it, and the control directory. */
interface SshTransport {
  readonly ssh: string;
  readonly env: NodeJS.ProcessEnv;
  readonly master: SshMaster;
  /** The remote path of `program` (in remoteBinDir, when given). */
  remote(program: XenProgram): string;
  /** Full ssh argv for running remote argv `argv` through the master. */
  argvFor(argv: readonly string[], tty?: boolean): string[];
  /** Waits for the master, then runs remote argv `argv` through it. */
  runRemote(argv: readonly string[], display: readonly string[], timeoutMs?: number, signal?: AbortSignal, input?: string): Promise<ProcessResult>;
  /** The error for a command cut off because the connection ended. */
  lost(argv: readonly string[]): XenError;
  /** Ends the master connection and removes the control directory this transport made. */
  close(): Promise<void>;
}

/** How long a (re)connection may take before it counts as failed: ConnectTimeout plus the login. */
const MASTER_READY_TIMEOUT_MS = 20_000;

/** The ssh plumbing shared by the executor's methods; owns the private control directory when it made one. */
function sshTransport(options: SshRunnerOptions): SshTransport {
  const ssh = options.sshBinary ?? 'ssh';
  const env = options.env ?? process.env;
  // mkdtemp makes it 0700, so nobody else can talk through our master socket.
  let ownDir: string | null = options.controlDir === undefined ? mkdtempSync(path.join(tmpdir(), 'xenith-ssh-')) : null;
  const socket = sshControlSocket(options, options.controlDir ?? ownDir ?? '');
  const master = createSshMaster({
    ssh,
    env,
    socket,
    target: options.target,
    argv: [...sshRunnerArgs(options, socket, 'master'), '-N', options.target],
    readyTimeoutMs: MASTER_READY_TIMEOUT_MS,
  });
  const argvFor = (argv: readonly string[], tty = false): string[] => [
    ...sshRunnerArgs(options, socket, 'client'),
    ...(tty ? ['-tt'] : []),
    options.target,
    '--',
    quoteForRemoteShell(argv),
  ];
  return {
    ssh,
    env,
    master,
    remote: (program) => (options.remoteBinDir !== undefined ? `${options.remoteBinDir}/${program}` : program),
    argvFor,
    async runRemote(argv, display, timeoutMs, signal, input) {
      await master.ready();
      return runProcess(ssh, argvFor(argv), {
        timeoutMs: timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
        signal,
        env,
        input,
        killGraceMs: options.killGraceMs,
        displayArgv: display,
      });
    },
    lost: (argv) => {
      const why = master.lastError() || 'the connection ended';
      return new XenError('XL_FAILED', `Lost the connection to ${options.target}: ${why}`, { argv, via: 'ssh', unreachable: true });
    },
    async close() {
      if (master.up()) {
        // Ends the shared master connection now; failure means none was open.
        await runProcess(ssh, [...sshRunnerArgs(options, socket, 'client'), '-O', 'exit', options.target], { env, timeoutMs: 10_000 }).catch(() => undefined);
      }
      master.stop();
      if (ownDir !== null) rmSync(ownDir, { recursive: true, force: true });
      ownDir = null;
    },
  };
}

/** One ssh process for one transfer, through the master: its pipes, and its end (ssh's own failure rejected). */
async function spawnRemoteScript(t: SshTransport, script: string, args: readonly string[]): Promise<RemoteProcess> {
  await t.master.ready();
  const display = ['sh', '-c', script, ...args];
  const child = spawn(t.ssh, t.argvFor(['sh', '-c', script, 'sh', ...args]), { env: t.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += d.toString('utf8');
  });
  const exited = new Promise<{ exitCode: number; stderr: string }>((resolve, reject) => {
    child.on('error', (e) => reject(new XenError('XL_FAILED', `Could not start ssh: ${e.message}`, { argv: display })));
    child.on('close', (code, signal) => {
      if (code === SSH_FAILED) reject(sshFailure(display, { stdout: '', stderr, exitCode: code, exitSignal: signal }));
      else resolve({ exitCode: code ?? 128, stderr });
    });
  });
  exited.catch(() => undefined);
  return { stdin: child.stdin, stdout: child.stdout, exited, kill: () => void child.kill('SIGTERM') };
}

/** Executor.run over ssh: ssh's own failures, a missing program and a failed command each get their own error. */
async function sshRun(t: SshTransport, target: string, program: XenProgram, args: readonly string[], opts: RunOptions & { allowFailure?: boolean }): Promise<RunResult> {
  assertCommand(program, args);
  const display = [program, ...args];
  const res = await t.runRemote([t.remote(program), ...args], display, opts.timeoutMs, opts.signal);
  const exitCode = res.exitCode ?? 128;
  if (exitCode === 0 || opts.allowFailure === true) {
    if (exitCode === SSH_FAILED) throw sshFailure(display, res);
    return { stdout: res.stdout, stderr: res.stderr, exitCode };
  }
  if (exitCode === SSH_FAILED) throw sshFailure(display, res);
  if (exitCode === 127 && /not found/i.test(res.stderr)) {
    throw new XenError('XL_NOT_FOUND', `${program} not found on ${target}`, { argv: display, exitCode, stderr: res.stderr });
  }
  throw commandFailure(display, res.exitCode, res.stderr);
}

/** An error from ssh itself: refused keys become PERMISSION, everything else XL_FAILED with ssh's words. */
function sshFailure(argv: readonly string[], res: ProcessResult): XenError {
  const said = res.stderr.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? 'ssh failed';
  const detail = { argv, exitCode: res.exitCode, stderr: res.stderr, via: 'ssh' };
  if (/permission denied|host key verification failed/i.test(res.stderr)) return new XenError('PERMISSION', said, detail);
  // Anything else ssh itself failed at (timeout, refused, reset, master gone) means the host could not be reached.
  return new XenError('XL_FAILED', said, { ...detail, unreachable: true });
}
