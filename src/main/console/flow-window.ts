/** The flow-control tuning of a session, resolved (ConsoleManagerOptions gives the defaults). */
export interface FlowTuning {
  /** The most the window grows to. */
  high: number;
  /** The pty resumes once unacknowledged output is down to this share of the window. */
  lowRatio: number;
  /** How long output may wait in the client before it is processed; 0 keeps the window at `high`. */
  targetMs: number;
  minWindow: number;
  initialWindow: number;
  /** How much more output may go beyond the window after a keystroke, so the guest can read it and answer. */
  inputAllowance: number;
  now: () => number;
}

/**
 * One session's byte-counting flow control: how much output is out unacknowledged, whether the pty is paused, and the
 * window that bounds it. The caller pauses and resumes the pty when told to.
 *
 * The window is delay-based, as TCP Vegas or LEDBAT do for a network: each acknowledgement that completes a batch
 * gives the time that batch took from main to processed in the terminal. Longer than the target means output is
 * queueing in the client: shrink the window (at most once per target delay). Well under it while the window was what
 * held the pty back: grow it, doubling from a small start up to 16 times it (a flood reaches a deep window within a
 * few round trips: most floods last a second or two), then by a quarter.
 *
 * A keystroke goes ahead of the window: a guest held back by a paused pty is blocked writing and cannot read the key,
 * so input resumes the pty at once and lets `inputAllowance` more bytes through before the window closes again. The
 * guest's answer then follows the output already on its way instead of waiting for the client to drain half a window
 * and for a round trip.
 */
export class FlowWindow {
  /** Output sent to the client and not yet acknowledged. */
  unacked = 0;
  paused = false;
  /** The pty pauses when this much output is unacknowledged. */
  window: number;
  /** The window held the pty back since the last delay sample (only then may it grow). */
  private limited = false;
  /** Output sent and acknowledged since the session began, and when each batch went out (for delay samples). */
  private sentTotal = 0;
  private ackedTotal = 0;
  private marks: { end: number; at: number }[] = [];
  /** When the window last shrank (it shrinks at most once per target delay). */
  private lastCut = Number.NEGATIVE_INFINITY;
  /** Room beyond the window left from the last keystroke. */
  private allowance = 0;

  constructor(private readonly t: FlowTuning) {
    this.window = t.targetMs > 0 ? t.initialWindow : t.high;
  }

  /** With `pending` bytes queued but not yet sent: true when the pty should pause now (it is then counted paused). */
  shouldPause(pending: number): boolean {
    if (this.paused || this.unacked + pending < this.window + this.allowance) return false;
    this.paused = true;
    this.limited = true;
    return true;
  }

  /** `n` bytes went to the client. */
  sent(n: number): void {
    this.unacked += n;
    this.sentTotal += n;
    this.allowance = Math.max(0, this.allowance - n);
    if (this.t.targetMs > 0) {
      this.marks.push({ end: this.sentTotal, at: this.t.now() });
      // A client that never acks must not grow this without bound; the oldest marks only cost delay samples.
      if (this.marks.length > 512) this.marks.splice(0, this.marks.length - 512);
    }
  }

  /** The client processed `n` more bytes: true when the pty should resume now. */
  acked(n: number): boolean {
    this.unacked = Math.max(0, this.unacked - n);
    this.ackedTotal = Math.min(this.sentTotal, this.ackedTotal + n);
    this.sampleDelay();
    return this.paused && this.unacked <= Math.floor(this.window * this.t.lowRatio) && this.resume();
  }

  /** The user typed: true when the pty should resume now, so the guest can read the key and answer. */
  input(): boolean {
    this.allowance = this.t.inputAllowance;
    return this.paused && this.resume();
  }

  private resume(): true {
    this.paused = false;
    return true;
  }

  private sampleDelay(): void {
    if (this.t.targetMs <= 0) return;
    let sentAt: number | undefined;
    while (this.marks.length > 0 && this.marks[0]!.end <= this.ackedTotal) sentAt = this.marks.shift()!.at;
    if (sentAt === undefined) return;
    const now = this.t.now();
    const delay = now - sentAt;
    if (delay > this.t.targetMs) {
      if (now - this.lastCut >= this.t.targetMs) {
        this.window = Math.max(this.t.minWindow, Math.floor(this.window * 0.7));
        this.lastCut = now;
      }
    } else if (delay < this.t.targetMs * 0.6 && this.limited) {
      const step = this.window < this.t.initialWindow * 16 ? this.window : Math.floor(this.window / 4);
      this.window = Math.min(this.t.high, this.window + step);
      this.limited = false;
    }
  }
}
