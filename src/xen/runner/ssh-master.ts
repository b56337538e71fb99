import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { XenError } from '../errors';

/**
 * The one ssh connection every command of an ssh runner goes through. Started once, before any command (two commands
 * started together with ControlMaster=auto would both become masters: a known ssh race), awaited by each command, and
 * started again when it died (the host went away and keep-alive gave up on it).
 */
export interface SshMaster {
  /** Resolves once a master listens on the control socket, starting one if none runs; rejects with ssh's failure. */
  ready(): Promise<void>;
  /** True while our master runs and its socket exists. */
  up(): boolean;
  /** ssh's last words about why the connection ended or could not be made ('' when none). */
  lastError(): string;
  /** Stops the master (the caller has asked it to exit through the socket first). */
  stop(): void;
}

/** How to start the master: the ssh binary, its full argv (ending in -N target), and the socket it will listen on. */
export interface SshMasterOptions {
  ssh: string;
  argv: readonly string[];
  socket: string;
  env: NodeJS.ProcessEnv;
  target: string;
  /** Longest wait for the socket before the attempt counts as failed (ConnectTimeout covers the TCP part). */
  readyTimeoutMs: number;
}

const POLL_MS = 25;
const STDERR_KEPT = 4096;
const STDERR_GRACE_MS = 250;

/** The last non-empty line ssh wrote, or a plain fallback. */
function lastLine(stderr: string, fallback: string): string {
  return stderr.trim().split('\n').filter((l) => l.trim() !== '').pop()?.trim() ?? fallback;
}

/** One start of the master: the child, and a promise that settles when it listens (or fails to). */
interface Launch {
  child: ChildProcess;
  listening: Promise<void>;
}

/** Spawns the master and watches for its socket; `ended` hears why the child ended (ssh's last line). */
function launch(o: SshMasterOptions, ended: (c: ChildProcess, said: string) => void): Launch {
  const c = spawn(o.ssh, [...o.argv], { shell: false, env: o.env, stdio: ['ignore', 'ignore', 'pipe'] });
  const listening = new Promise<void>((resolve, reject) => {
    let stderr = '';
    let settled = false;
    const finish = (err: XenError | null): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(limit);
      if (err === null) resolve();
      else reject(err);
    };
    const detail = (exitCode: number | null) => ({ argv: ['ssh', '-N', o.target], exitCode, stderr, via: 'ssh', unreachable: true });
    c.stderr?.setEncoding('utf8');
    c.stderr?.on('data', (d: string) => void (stderr = (stderr + d).slice(-STDERR_KEPT)));
    const poll = setInterval(() => existsSync(o.socket) && finish(null), POLL_MS);
    const limit = setTimeout(() => {
      c.kill('SIGTERM');
      finish(new XenError('TIMEOUT', `No answer from ${o.target} within ${Math.round(o.readyTimeoutMs / 1000)} s`, detail(null)));
    }, o.readyTimeoutMs);
    c.on('error', (e: NodeJS.ErrnoException) => {
      ended(c, e.message);
      finish(new XenError(e.code === 'ENOENT' ? 'XL_NOT_FOUND' : 'XL_FAILED', `Could not start ${o.ssh}: ${e.message}`, { argv: [o.ssh], via: 'ssh' }));
    });
    c.on('exit', (code) => {
      let reported = false;
      const report = (): void => {
        if (reported) return;
        reported = true;
        const said = lastLine(stderr, `ssh to ${o.target} ended (code ${code ?? 'signal'})`);
        ended(c, said);
        const permission = /permission denied|host key verification failed/i.test(stderr);
        finish(new XenError(permission ? 'PERMISSION' : 'XL_FAILED', said, { ...detail(code), unreachable: !permission }));
      };
      // 'exit' can come before the last of stderr was read: ssh's words are what the user is told.
      if (c.stderr === null || c.stderr.readableEnded) report();
      else {
        c.stderr.once('end', report);
        setTimeout(report, STDERR_GRACE_MS).unref();
      }
    });
  });
  return { child: c, listening };
}

/** An ssh master as a child process of ours: we see it die, and nothing lingers after the app (ControlPersist=no). */
export function createSshMaster(o: SshMasterOptions): SshMaster {
  let child: ChildProcess | null = null;
  let starting: Promise<void> | null = null;
  let said = '';
  let killOnExit: (() => void) | null = null;
  const forget = (c: ChildProcess): void => {
    if (child !== c) return;
    child = null;
    if (killOnExit !== null) process.removeListener('exit', killOnExit);
    killOnExit = null;
  };
  const start = (): Promise<void> => {
    // One master at a time: one that lost its socket is no use. A socket left by a master that was killed outright
    // would make the new one refuse to listen.
    if (child !== null) {
      child.kill('SIGTERM');
      forget(child);
    }
    rmSync(o.socket, { force: true });
    const l = launch(o, (c, why) => {
      said = why;
      forget(c);
    });
    child = l.child;
    // ControlPersist=no and our own child: if the app ends without close(), the connection ends with it.
    killOnExit = () => void l.child.kill('SIGTERM');
    process.once('exit', killOnExit);
    return l.listening;
  };
  const up = (): boolean => child !== null && child.exitCode === null && existsSync(o.socket);

  return {
    ready() {
      if (up()) return Promise.resolve();
      starting ??= start().finally(() => {
        starting = null;
      });
      return starting;
    },
    up,
    lastError: () => said,
    stop() {
      if (child === null) return;
      child.kill('SIGTERM');
      forget(child);
    },
  };
}
