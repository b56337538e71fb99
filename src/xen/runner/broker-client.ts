import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { XenError } from '../errors';
import { fromWireError, type BrokerId, type WireError } from '../broker/protocol';
import { buildCommand } from '../commands/build';
import { parseXlConfig } from '../config/xl-config';
import { assertPtySize } from './pty-process';
import type { HostFileStat, HostFs, PtyHandle, RunResult, Runner, StreamHandle } from './types';

export { brokerLaunchCommand, type BrokerLaunchFacts } from './broker-launch';

/** How to start the broker. */
export interface BrokerRunnerOptions {
  /** argv, e.g. ['pkexec', '/usr/lib/xenith/xenith-broker'] from brokerLaunchCommand. */
  command: readonly string[];
  env?: NodeJS.ProcessEnv;
  label?: string;
  /** How many times a broker that died is started again (default 1); a second death is final. */
  maxRestarts?: number;
}

type EventSink = (event: string, data: unknown) => void;

interface Pending {
  resolve(v: unknown): void;
  reject(e: XenError): void;
}

/** pkexec's exit codes when the user dismissed the dialog or is not authorised. */
const AUTH_REFUSED = new Set([126, 127]);
const WRITE_CHUNK = 32 * 1024;

/** The values xl acts on in `text` (last assignment wins); the broker renders and checks the file from them. */
function configValues(text: string): Record<string, unknown> {
  try {
    return parseXlConfig(text).toObject();
  } catch (e) {
    throw new XenError('INVALID_ARG', `config: ${e instanceof Error ? e.message : String(e)}`, { field: 'config', rule: 'syntax' });
  }
}

/** One broker process and the requests in flight on it. */
class BrokerConnection {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<BrokerId, Pending>();
  private readonly sinks = new Map<BrokerId, EventSink>();
  private ready = false;
  private stderrTail = '';
  dead: XenError | null = null;
  readonly exited: Promise<void>;

  constructor(command: readonly string[], env: NodeJS.ProcessEnv | undefined) {
    const [file, ...args] = command;
    if (file === undefined) throw new XenError('INVALID_ARG', 'Empty broker command', { field: 'command' });
    this.child = spawn(file, args, { stdio: 'pipe', env: env ?? process.env });
    this.child.stdin.on('error', () => undefined); // writes after death are reported through `dead`
    let buf = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (s: string) => {
      buf += s;
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        this.onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (s: string) => (this.stderrTail = (this.stderrTail + s).slice(-4096)));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e: NodeJS.ErrnoException) => {
        this.fail(
          e.code === 'ENOENT'
            ? new XenError('XL_NOT_FOUND', `Cannot start the privileged helper: ${file} not found`, { argv: [...command] })
            : new XenError('XL_FAILED', `Cannot start the privileged helper: ${e.message}`, { argv: [...command] }),
        );
        resolve();
      });
      this.child.on('close', (code) => {
        const said = this.stderrTail.trim().split('\n').pop() ?? '';
        const detail = { argv: [...command], exitCode: code, stderr: this.stderrTail };
        this.fail(
          !this.ready && code !== null && AUTH_REFUSED.has(code)
            ? new XenError('PERMISSION', said || 'Authorisation for the Xenith helper was refused', detail)
            : new XenError('XL_FAILED', `The privileged helper stopped${said ? `: ${said}` : ''}`, detail),
        );
        resolve();
      });
    });
  }

  private onLine(line: string): void {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // not ours (e.g. a launcher printing to stdout)
    }
    const id = m['id'] as BrokerId;
    if (typeof m['event'] === 'string') {
      if (m['event'] === 'ready') this.ready = true;
      else this.sinks.get(id)?.(m['event'], m['data']);
      if (m['event'] === 'exit') this.sinks.delete(id); // nothing follows an exit
      return;
    }
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    if (m['ok'] === true) p.resolve(m['value']);
    else p.reject(fromWireError((m['error'] ?? { code: 'XL_FAILED', message: 'Malformed broker answer', detail: {} }) as WireError));
  }

  private fail(err: XenError): void {
    if (this.dead !== null) return;
    this.dead = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const sink of this.sinks.values()) {
      sink('error', { code: err.code, message: err.message, detail: err.detail });
      sink('exit', null);
    }
    this.sinks.clear();
  }

  request(id: BrokerId, op: string, args: Record<string, unknown>, opts: Record<string, unknown>, sink?: EventSink): Promise<unknown> {
    if (this.dead !== null) return Promise.reject(this.dead);
    if (sink !== undefined) this.sinks.set(id, sink);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ id, op, args, opts })}\n`);
    });
  }

  /** Closing stdin is the only way to stop a broker that runs as root (this process may not signal it). */
  async close(): Promise<void> {
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill('SIGTERM'), 3000);
    await this.exited;
    clearTimeout(t);
  }
}

/** Runner that sends every call to the privileged broker process over its stdio (JSON lines). */
export function createBrokerRunner(options: BrokerRunnerOptions): Runner {
  let conn: BrokerConnection | null = null;
  let restarts = 0;
  let closed = false;
  let nextId = 1;
  const maxRestarts = options.maxRestarts ?? 1;

  const connection = (): BrokerConnection => {
    if (closed) throw new XenError('ABORTED', 'The toolstack connection was closed', {});
    if (conn?.dead != null) {
      if (restarts >= maxRestarts) throw conn.dead;
      restarts++;
      conn = null;
    }
    conn ??= new BrokerConnection(options.command, options.env);
    return conn;
  };
  const call = async (op: string, args: Record<string, unknown>, o: { opts?: Record<string, unknown>; sink?: EventSink; id?: number } = {}): Promise<unknown> =>
    connection().request(o.id ?? nextId++, op, args, o.opts ?? {}, o.sink);

  const fs: HostFs = {
    readFile: async (path) => (await call('fs.readFile', { path })) as string,
    // Configs cross as the values xl acts on, never as text: root renders and checks the file it writes.
    writeFileExclusive: async (path, text) => void (await call('config.create', { path, values: configValues(text) })),
    replaceFile: async (path, text) => void (await call('config.replace', { path, values: configValues(text) })),
    createEmpty: async (path) => void (await call('image.claim', { path })),
    list: async (path) => (await call('fs.list', { path })) as string[],
    stat: async (path) => (await call('fs.stat', { path })) as HostFileStat | null,
    remove: async (path) => void (await call('fs.remove', { path })),
    symlink: async (target, path) => void (await call('autostart.link', { target, path })),
    readlink: async (path) => (await call('fs.readlink', { path })) as string | null,
    createSparse: async (path, bytes) => void (await call('image.createSparse', { path, bytes })),
    freeBytes: async (path) => (await call('fs.freeBytes', { path })) as number,
    mkdirp: async (path) => void (await call('fs.mkdirp', { path })),
  };

  return {
    kind: 'broker',
    label: options.label ?? 'local Xen (via helper)',
    async run(op, args, opts = {}): Promise<RunResult> {
      // Checked here too, so a bad call fails fast with the same words; the broker checks again and builds the argv.
      buildCommand(op, args);
      if (opts.signal?.aborted) throw new XenError('ABORTED', `${op} was cancelled`, { op });
      const id = nextId++;
      const onAbort = (): void => void call('cancel', { target: id }).catch(() => undefined);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const o: Record<string, unknown> = { allowFailure: opts.allowFailure === true };
        if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) o['timeoutMs'] = opts.timeoutMs;
        return (await call(op, args, { opts: o, id })) as RunResult;
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
      }
    },
    stream(op, args): StreamHandle {
      buildCommand(op, args);
      const stdout = new PassThrough();
      const id = nextId++;
      let killed = false;
      let settle!: (code: number | null) => void;
      let fail!: (e: XenError) => void;
      const exited = new Promise<number | null>((resolve, reject) => ((settle = resolve), (fail = reject)));
      exited.catch(() => undefined);
      const sink: EventSink = (event, data) => {
        if (event === 'data' && typeof data === 'string') stdout.write(data);
        else if (event === 'error') fail(fromWireError(data as WireError));
        else if (event === 'exit') {
          stdout.end();
          settle(typeof data === 'number' ? data : null);
        }
      };
      call(op, args, { sink, id }).then(
        () => killed && void call('stream.stop', { target: id }).catch(() => undefined),
        (e: XenError) => {
          stdout.end();
          fail(e);
        },
      );
      return {
        stdout,
        exited,
        kill() {
          if (killed) return;
          killed = true;
          void call('stream.stop', { target: id }).catch(() => undefined);
        },
      };
    },
    pty(op, args, size): PtyHandle {
      buildCommand(op, args);
      assertPtySize(size.cols, size.rows);
      const id = nextId++;
      const dataCbs = new Set<(d: string) => void>();
      const exitCbs = new Set<(c: number) => void>();
      let exitCode: number | null = null;
      const sink: EventSink = (event, data) => {
        if (event === 'data' && typeof data === 'string') for (const cb of dataCbs) cb(data);
        else if (event === 'exit' && exitCode === null) {
          exitCode = typeof data === 'number' ? data : 1;
          for (const cb of exitCbs) cb(exitCode);
        }
      };
      // Later requests wait for the open to be answered: the broker handles requests concurrently.
      const opened = call(op, args, { opts: { cols: size.cols, rows: size.rows }, sink, id }).then(
        () => true,
        () => (sink('exit', 1), false),
      );
      const send = (control: string, extra: Record<string, unknown> = {}): void => {
        void opened.then((ok) => (ok && exitCode === null ? call(control, { target: id, ...extra }) : null)).catch(() => undefined);
      };
      return {
        onData: (cb) => (dataCbs.add(cb), () => void dataCbs.delete(cb)),
        onExit: (cb) => (exitCbs.add(cb), () => void exitCbs.delete(cb)),
        write: (data) => {
          for (let i = 0; i < data.length; i += WRITE_CHUNK) send('pty.write', { data: data.slice(i, i + WRITE_CHUNK) });
        },
        resize: (cols, rows) => {
          assertPtySize(cols, rows);
          send('pty.resize', { cols, rows });
        },
        pause: () => send('pty.pause'),
        resume: () => send('pty.resume'),
        kill: () => send('pty.close'),
      };
    },
    fs,
    async close() {
      closed = true;
      if (conn !== null && conn.dead === null) await conn.close();
      conn = null;
    },
  };
}
