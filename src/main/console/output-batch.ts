const encoder = new TextEncoder();

/**
 * Console output waiting to go to the client, already as the UTF-8 bytes it will travel as: each chunk from the pty is
 * encoded straight into one batch buffer (no joined string, no second copy), and a batch is handed on whole. Batches
 * always end on a character boundary (encodeInto never writes part of one), so the client can decode each alone.
 */
export class OutputBatch {
  private buf: Uint8Array | null = null;
  private used = 0;

  /** `capacity`: the largest batch, in bytes (at least 4, one character of UTF-8). */
  constructor(private readonly capacity: number) {
    if (!(capacity >= 4)) throw new Error('console output batch: capacity must be at least 4 bytes');
  }

  /** Bytes waiting. */
  get length(): number {
    return this.used;
  }

  /** Appends `data`; every batch that fills up on the way is passed to `full` at once, in order. */
  add(data: string, full: (bytes: Uint8Array) => void): void {
    let rest = data;
    for (;;) {
      this.buf ??= new Uint8Array(this.capacity);
      const { read, written } = encoder.encodeInto(rest, this.buf.subarray(this.used));
      this.used += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      full(this.take());
    }
  }

  /**
   * Takes what is waiting (empty when nothing is). A buffer at least three quarters full is handed over as it is and
   * the next batch gets a new one; a smaller batch (a keystroke's echo) is copied out, so its buffer is used again and
   * no transport carries (Electron's structured clone copies a view's whole buffer) more than a third extra.
   */
  take(): Uint8Array {
    const n = this.used;
    this.used = 0;
    if (this.buf === null || n === 0) return new Uint8Array(0);
    if (n * 4 < this.capacity * 3) return this.buf.slice(0, n);
    const out = this.buf.subarray(0, n);
    this.buf = null;
    return out;
  }
}
