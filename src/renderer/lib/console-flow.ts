/** What a flow-controlled writer needs: a terminal write with a "processed" callback, and a way to ack. */
export interface FlowTarget {
  write(data: Uint8Array, processed: () => void): void;
  ack(count: number): void;
}

export interface FlowOptions {
  /** Output is handed to the terminal in pieces of at most this many bytes, so it reports progress as it parses. */
  piece?: number;
  /** Once this much is processed and unacknowledged, the ack goes at once, even in the middle of the terminal's work. */
  ackStep?: number;
}

/**
 * Writes console output into the terminal and acknowledges it once the terminal has processed it (xterm's write
 * callback), so main pauses the pty while the terminal is behind.
 *
 * When acks go matters as much as what they say. Output goes to xterm in pieces and each piece's callback counts:
 * - the moment the terminal has processed everything written, the ack goes at once (main may be waiting for it);
 * - while a backlog remains, an ack goes every `ackStep` characters, from inside the callback, so main resumes the
 *   pty while the terminal is still busy (xterm parses for up to 12 ms before it yields);
 * - progress of an eighth of a step or more is acked when the current task ends (one message per parse slice).
 * Each ack is a round trip through the transport and main, so they are kept few: more of them measurably cost
 * throughput in the console bench.
 */
export class FlowWriter {
  private unsent = 0;
  private scheduled = false;
  private readonly piece: number;
  private readonly ackStep: number;
  /** Total bytes written and processed (tests, the bench's hash check). */
  written = 0;
  processed = 0;

  constructor(
    private readonly t: FlowTarget,
    o: FlowOptions = {},
  ) {
    this.piece = o.piece ?? 32 * 1024;
    this.ackStep = o.ackStep ?? 128 * 1024;
  }

  /**
   * Hands one chunk of output (UTF-8) to the terminal, in views of it, never copies. A piece may end inside a
   * character: xterm's UTF-8 decoder keeps the partial sequence for the next write.
   */
  push(data: Uint8Array): void {
    this.written += data.length;
    for (let at = 0; at < data.length; at += this.piece) {
      this.writePiece(data.length <= this.piece ? data : data.subarray(at, at + this.piece));
    }
  }

  private writePiece(piece: Uint8Array): void {
    this.t.write(piece, () => {
      this.processed += piece.length;
      this.unsent += piece.length;
      if (this.unsent >= this.ackStep || this.processed === this.written) {
        this.flush();
      } else if (this.unsent >= this.ackStep / 8 && !this.scheduled) {
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
