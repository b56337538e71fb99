/** What a flow-controlled writer needs: a terminal write with a "processed" callback, and a way to ack. */
export interface FlowTarget {
  write(data: string, processed: () => void): void;
  ack(count: number): void;
}

export interface FlowOptions {
  /** Output is handed to the terminal in pieces of at most this many characters, so it reports progress as it parses. */
  piece?: number;
  /** Once this much is processed and unacknowledged, the ack goes at once, even in the middle of the terminal's work. */
  ackStep?: number;
}

/**
 * Writes console output into the terminal and acknowledges it once the terminal has processed it (xterm's write
 * callback), so main pauses the pty while the terminal is behind.
 *
 * Acks must leave early: xterm parses for up to 12 ms before it yields, and an ack held until then keeps the pty paused
 * while the terminal still has work, so the next output arrives only after the terminal has gone idle. So output goes
 * to xterm in pieces, each piece's callback counts, and every `ackStep` characters an ack is sent from inside the
 * callback (a message to the transport, which sends it while the page goes on parsing). The rest is coalesced into one
 * ack per task. Each ack is a round trip through the transport and main, so the step is large (128 KiB, an eighth of
 * main's largest window): more acks measurably cost throughput.
 */
export class FlowWriter {
  private unsent = 0;
  private scheduled = false;
  private readonly piece: number;
  private readonly ackStep: number;
  /** Total characters written and processed (tests, the bench's hash check). */
  written = 0;
  processed = 0;

  constructor(
    private readonly t: FlowTarget,
    o: FlowOptions = {},
  ) {
    this.piece = o.piece ?? 32 * 1024;
    this.ackStep = o.ackStep ?? 128 * 1024;
  }

  /** Hands one chunk of output to the terminal. */
  push(data: string): void {
    this.written += data.length;
    let at = 0;
    while (data.length - at > this.piece) {
      let end = at + this.piece;
      // Never between the two halves of a surrogate pair.
      const c = data.charCodeAt(end - 1);
      if (c >= 0xd800 && c <= 0xdbff) end--;
      this.writePiece(data.slice(at, end));
      at = end;
    }
    this.writePiece(at === 0 ? data : data.slice(at));
  }

  private writePiece(piece: string): void {
    this.t.write(piece, () => {
      this.processed += piece.length;
      this.unsent += piece.length;
      if (this.unsent >= this.ackStep) {
        this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        // A microtask runs once xterm's current write slice is done (coalescing its callbacks) and, unlike a timer,
        // is neither clamped to 4 ms nor throttled in a background tab.
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.unsent === 0) return;
    const n = this.unsent;
    this.unsent = 0;
    this.t.ack(n);
  }
}
