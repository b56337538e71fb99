/** What a flow-controlled writer needs: a terminal write with a "processed" callback, and a way to ack. */
export interface FlowTarget {
  write(data: string, processed: () => void): void;
  ack(count: number): void;
}

/**
 * Writes console output into the terminal and acknowledges it once the terminal has processed it (xterm's write
 * callback), so main pauses the pty while the terminal is behind. Acks are coalesced: one per task of the page.
 */
export class FlowWriter {
  private unsent = 0;
  private scheduled = false;
  /** Total characters written and processed (tests, the bench's hash check). */
  written = 0;
  processed = 0;

  constructor(private readonly t: FlowTarget) {}

  /** Hands one chunk to the terminal. */
  push(data: string): void {
    this.written += data.length;
    this.t.write(data, () => {
      this.processed += data.length;
      this.unsent += data.length;
      if (!this.scheduled) {
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
