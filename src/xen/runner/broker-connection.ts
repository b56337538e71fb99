import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { XenError } from '../errors';
import { fromWireError, type BrokerId, type WireError } from '../broker/protocol';

/** Receives a session's events (data, error, exit) from the broker. */
export type EventSink = (event: string, data: unknown) => void;

interface Pending {
  resolve(v: unknown): void;
  reject(e: XenError): void;
}

/** pkexec's exit codes when the user dismissed the dialog or is not authorised. */
const AUTH_REFUSED = new Set([126, 127]);

/** One broker process and the requests in flight on it. */
export class BrokerConnection {
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
