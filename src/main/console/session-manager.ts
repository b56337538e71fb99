import { randomBytes } from 'node:crypto';
import { XenError } from '../../xen/index';
import type { PtyHandle } from '../../xen/index';
import type { ConsoleOpenResult, ConsoleStatusEvent } from '../../shared/contract-types';
import { consoleCall, type ConsoleCall, type ConsoleTarget } from './console-args';
import { OutputBatch } from './output-batch';
import { FlowWindow, type FlowTuning } from './flow-window';

/** What the session manager needs from the rest of main; tests pass fakes. */
export interface ConsoleManagerDeps {
  /** Starts `xl ARGS` on a pty (Runner.pty). */
  spawn(call: ConsoleCall, size: { cols: number; rows: number }): PtyHandle;
  /** The domid of the named domain when it can have a console now (running, blocked or paused), else null. */
  findDomid(name: string): Promise<number | null>;
  /** Sends console output (UTF-8, whole characters) to the one client that opened the session. */
  emitData(clientId: string, payload: { id: string; data: Uint8Array }): void;
  emitStatus(clientId: string, event: ConsoleStatusEvent): void;
}

/** Tuning; the defaults suit xterm in a renderer. Counts are bytes of UTF-8 on both sides. */
export interface ConsoleManagerOptions {
  /** Unacknowledged output above which the pty is paused: the most the window grows to. */
  highWatermark?: number;
  /** The pty is resumed once acknowledgements bring the unacknowledged output down to this (scaled with the window). */
  lowWatermark?: number;
  /**
   * How long output may wait in the client before it is processed. The window (how much output may be unacknowledged)
   * adapts to keep the time from sending a batch to its acknowledgement near this, so a keystroke's echo never queues
   * behind more than this much of the terminal's work, whether the terminal is fast or slow. 0 keeps the window fixed
   * at the high watermark.
   */
  targetDelayMs?: number;
  /** The smallest the window shrinks to. */
  minWindow?: number;
  /** The window a new session starts with; it grows while acknowledgements come back quickly. */
  initialWindow?: number;
  /**
   * Output chunks arriving within this many ms go out as one event, while earlier output is still unacknowledged; the
   * first output after a quiet spell (the echo of a key) goes at once.
   */
  batchMs?: number;
  /** A batch this large is sent at once instead of waiting for the timer. */
  maxBatch?: number;
  /** After a keystroke, this much more output may go beyond the window (FlowWindow). */
  inputAllowance?: number;
  /** How often a disconnected session looks for its domain again. */
  reconnectPollMs?: number;
  /** A reconnected console must live this long before it counts (xl prints an error and exits at once while the domain is still being rebuilt). */
  confirmMs?: number;
  maxSessionsPerClient?: number;
  /** The clock delay samples are taken with (tests pass their own). */
  now?: () => number;
}

interface Session {
  id: string;
  clientId: string;
  target: ConsoleTarget;
  size: { cols: number; rows: number };
  pty: PtyHandle | null;
  offs: (() => void)[];
  /** Output waiting for the batch timer, already encoded. */
  pending: OutputBatch;
  flushTimer: ReturnType<typeof setTimeout> | null;
  flow: FlowWindow;
  closed: boolean;
  /** The user typed Ctrl-] (xl console's detach key): an exit then ends the session instead of reconnecting. */
  detachRequested: boolean;
  /** While a reconnected pty is on probation its output is held back. */
  probation: { timer: ReturnType<typeof setTimeout>; held: string[] } | null;
  pollTimer: ReturnType<typeof setTimeout> | null;
  /** Polls since the console was lost: the poll slows down while a domain stays off. */
  attempts: number;
}

const DETACH_KEY = '\x1d';

/**
 * Text console sessions: `xl console` on a pty per session, output streamed only to the client that opened it, in
 * batches, with byte-counting flow control (pause the pty above the high watermark, resume when the client's acks
 * bring it under the low one), and reconnection when the console process ends (guest reboot, domain restart).
 */
export class ConsoleSessionManager {
  private readonly sessions = new Map<string, Session>();
  /** Clients that left; an open that was still waiting for the domain list when its client left is undone. */
  private readonly gone = new Set<string>();
  private readonly tuning: FlowTuning;
  private readonly batchMs: number;
  private readonly maxBatch: number;
  private readonly pollMs: number;
  private readonly confirmMs: number;
  private readonly maxPerClient: number;

  constructor(
    private readonly deps: ConsoleManagerDeps,
    o: ConsoleManagerOptions = {},
  ) {
    const high = o.highWatermark ?? 1024 * 1024;
    // Resume while the terminal still has half a window queued, so it is not left idle during the ack round trip.
    const low = o.lowWatermark ?? Math.floor(high / 2);
    if (!(low >= 0 && low < high)) throw new Error('console flow control: low watermark must be below the high one');
    const minWindow = Math.min(o.minWindow ?? 8 * 1024, high);
    this.tuning = {
      high,
      lowRatio: low / high,
      targetMs: o.targetDelayMs ?? 30,
      minWindow,
      initialWindow: Math.max(minWindow, Math.min(o.initialWindow ?? 16 * 1024, high)),
      inputAllowance: o.inputAllowance ?? 64 * 1024,
      now: o.now ?? (() => performance.now()),
    };
    this.batchMs = o.batchMs ?? 5;
    this.maxBatch = o.maxBatch ?? 128 * 1024;
    this.pollMs = o.reconnectPollMs ?? 1000;
    this.confirmMs = o.confirmMs ?? 400;
    this.maxPerClient = o.maxSessionsPerClient ?? 32;
  }

  /** Opens a console for `clientId`; refuses a domain that is not running. */
  async open(clientId: string, target: ConsoleTarget, size: { cols: number; rows: number }): Promise<ConsoleOpenResult> {
    const call = consoleCall(target);
    const mine = [...this.sessions.values()].filter((s) => s.clientId === clientId).length;
    if (mine >= this.maxPerClient) throw new XenError('LIMIT', `This window already has ${mine} consoles open; close one first`, { field: 'name', limit: this.maxPerClient });
    const domid = await this.deps.findDomid(target.name);
    if (domid === null) throw new XenError('NOT_FOUND', `${target.name} is not running, so it has no console`, { field: 'name' });
    if (this.gone.has(clientId)) throw new XenError('ABORTED', 'The window that asked for this console has gone', { field: 'name' });
    const s: Session = {
      id: randomBytes(12).toString('base64url'),
      clientId,
      target: { ...target },
      size: { ...size },
      pty: null,
      offs: [],
      pending: new OutputBatch(this.maxBatch),
      flushTimer: null,
      flow: new FlowWindow(this.tuning),
      closed: false,
      detachRequested: false,
      probation: null,
      pollTimer: null,
      attempts: 0,
    };
    this.attach(s, this.deps.spawn(call, s.size));
    this.sessions.set(s.id, s);
    return { id: s.id, highWatermark: this.tuning.high };
  }

  /**
   * Types into a console. Writes while it is reconnecting are dropped (there is nobody to receive them). Input goes
   * ahead of the window: a paused pty resumes so the guest can read the key and answer (FlowWindow).
   */
  write(clientId: string, id: string, data: string): void {
    const s = this.owned(clientId, id);
    if (data.includes(DETACH_KEY)) s.detachRequested = true;
    s.pty?.write(data);
    if (s.flow.input()) s.pty?.resume();
  }

  resize(clientId: string, id: string, cols: number, rows: number): void {
    const s = this.owned(clientId, id);
    s.size = { cols, rows };
    s.pty?.resize(cols, rows);
  }

  /** The client's terminal has processed `count` more of the output; may resume the pty. */
  ack(clientId: string, id: string, count: number): void {
    const s = this.owned(clientId, id);
    if (s.flow.acked(count)) s.pty?.resume();
  }

  close(clientId: string, id: string): void {
    this.end(this.owned(clientId, id), null);
  }

  /** Closes every session of a client that went away (window closed, WebSocket dropped). */
  closeClient(clientId: string): void {
    // Client ids are never reused (a counter plus randomness, or a window id), so remembering them is safe.
    this.gone.add(clientId);
    for (const s of [...this.sessions.values()]) if (s.clientId === clientId) this.end(s, null);
  }

  closeAll(): void {
    for (const s of [...this.sessions.values()]) this.end(s, null);
  }

  /** Ids of the open sessions of one client (tests, diagnostics). */
  sessionsOf(clientId: string): string[] {
    return [...this.sessions.values()].filter((s) => s.clientId === clientId).map((s) => s.id);
  }

  /** Flow-control state of one session (tests, diagnostics). */
  flowState(id: string): { unacked: number; paused: boolean } | null {
    const s = this.sessions.get(id);
    return s ? { unacked: s.flow.unacked, paused: s.flow.paused } : null;
  }

  /** The current window of one session (tests, diagnostics). */
  windowOf(id: string): number | null {
    return this.sessions.get(id)?.flow.window ?? null;
  }

  private owned(clientId: string, id: string): Session {
    const s = this.sessions.get(id);
    // Another client's session answers exactly like a missing one, so ids cannot be probed.
    if (!s || s.clientId !== clientId) throw new XenError('NOT_FOUND', 'No such console session', { field: 'id' });
    return s;
  }

  private attach(s: Session, pty: PtyHandle): void {
    s.pty = pty;
    if (s.flow.paused) pty.pause();
    s.offs.push(
      pty.onData((d) => this.onData(s, pty, d)),
      pty.onExit((code) => this.onExit(s, pty, code)),
    );
  }

  private onData(s: Session, pty: PtyHandle, data: string): void {
    if (s.closed || s.pty !== pty || data.length === 0) return;
    if (s.probation) {
      s.probation.held.push(data);
      return;
    }
    this.queue(s, data);
  }

  private queue(s: Session, data: string): void {
    // Output after a quiet spell (nothing waiting, nothing unacknowledged: a key's echo) goes at once.
    const quiet = s.pending.length === 0 && s.flow.unacked === 0;
    // A batch that fills up goes at once; the rest waits for the timer (chunks arriving close together go as one).
    s.pending.add(data, (full) => this.send(s, full));
    // Count queued output too, so a fast producer is stopped before the batch timer fires.
    if (s.flow.shouldPause(s.pending.length)) s.pty?.pause();
    if (quiet) this.flush(s);
    else if (s.pending.length > 0) s.flushTimer ??= setTimeout(() => this.flush(s), this.batchMs);
  }

  private flush(s: Session): void {
    if (s.flushTimer) clearTimeout(s.flushTimer);
    s.flushTimer = null;
    if (s.pending.length > 0) this.send(s, s.pending.take());
  }

  private send(s: Session, data: Uint8Array): void {
    s.flow.sent(data.length);
    this.deps.emitData(s.clientId, { id: s.id, data });
  }

  private status(s: Session, state: ConsoleStatusEvent['state'], message: string): void {
    this.deps.emitStatus(s.clientId, { id: s.id, state, message });
  }

  private release(s: Session): void {
    for (const off of s.offs.splice(0)) off();
    if (s.probation) clearTimeout(s.probation.timer);
    s.probation = null;
    s.pty = null;
  }

  private onExit(s: Session, pty: PtyHandle, code: number): void {
    if (s.closed || s.pty !== pty) return;
    const onProbation = s.probation !== null;
    this.release(s);
    if (onProbation) {
      // xl could not attach yet (the domain is still being rebuilt): its error is not guest output; try again.
      this.schedulePoll(s);
      return;
    }
    this.flush(s);
    if (s.detachRequested) {
      this.end(s, 'Detached with Ctrl-]');
      return;
    }
    this.status(s, 'disconnected', `The console of ${s.target.name} ended (exit code ${code})`);
    this.status(s, 'reconnecting', `Waiting for ${s.target.name} to run again`);
    s.attempts = 0;
    this.schedulePoll(s);
  }

  private schedulePoll(s: Session): void {
    if (s.closed) return;
    // Every poll runs `xl list`: quick while a reboot is likely, then at most every five intervals for a domain
    // that stays shut down.
    const factor = Math.min(5, 1 + Math.floor(s.attempts / 10));
    s.attempts++;
    s.pollTimer = setTimeout(() => void this.poll(s), this.pollMs * factor);
  }

  private async poll(s: Session): Promise<void> {
    s.pollTimer = null;
    if (s.closed) return;
    const domid = await this.deps.findDomid(s.target.name).catch(() => null);
    if (s.closed) return;
    if (domid === null) {
      this.schedulePoll(s);
      return;
    }
    let pty: PtyHandle;
    try {
      pty = this.deps.spawn(consoleCall(s.target), s.size);
    } catch {
      this.schedulePoll(s);
      return;
    }
    s.probation = { held: [], timer: setTimeout(() => this.confirm(s, pty, domid), this.confirmMs) };
    this.attach(s, pty);
  }

  private confirm(s: Session, pty: PtyHandle, domid: number): void {
    if (s.closed || s.pty !== pty || !s.probation) return;
    const held = s.probation.held;
    s.probation = null;
    this.status(s, 'connected', `Reconnected to ${s.target.name} (domain ${domid})`);
    for (const d of held) this.queue(s, d);
  }

  private end(s: Session, why: string | null): void {
    if (s.closed) return;
    this.flush(s);
    s.closed = true;
    if (s.pollTimer) clearTimeout(s.pollTimer);
    const pty = s.pty;
    this.release(s);
    pty?.kill();
    this.sessions.delete(s.id);
    if (why !== null) this.status(s, 'closed', why);
  }
}
