/** One finished bucket of a coarse tier: its time (the bucket's middle) and each series' average and sample count. */
export interface FinishedBucket {
  t: number;
  rows: Map<string, { avg: Float64Array; count: number }>;
}

/**
 * Running sums of every series over the current bucket of one coarse tier (a minute or an hour). `begin(t)` at each
 * tick hands back the previous bucket once time has moved past it; `add` sums one series' row into the current one.
 * A bucket is stamped with its middle, as the renderer's rings stamp theirs, so coarse and fine charts line up.
 */
export class Buckets {
  private bucket = -1;
  private sums = new Map<string, { avg: Float64Array; count: number }>();

  constructor(readonly stepMs: number) {}

  /** Starts the tick at epoch ms `t`; returns the bucket it closed, if any. */
  begin(t: number): FinishedBucket | null {
    const b = Math.floor(t / this.stepMs);
    if (b === this.bucket) return null;
    const done = this.take();
    this.bucket = b;
    return done;
  }

  /** Adds one row of series `name` to the current bucket. */
  add(name: string, row: ArrayLike<number>): void {
    let s = this.sums.get(name);
    if (!s) {
      s = { avg: new Float64Array(row.length), count: 0 };
      this.sums.set(name, s);
    }
    for (let m = 0; m < row.length; m++) s.avg[m] = (s.avg[m] ?? 0) + (row[m] ?? 0);
    s.count++;
  }

  /** The current bucket so far (on close, so a stop does not lose it), leaving it empty. */
  take(): FinishedBucket | null {
    if (this.bucket < 0 || this.sums.size === 0) return null;
    const rows = this.sums;
    for (const s of rows.values()) for (let m = 0; m < s.avg.length; m++) s.avg[m] = (s.avg[m] ?? 0) / s.count;
    this.sums = new Map();
    return { t: this.bucket * this.stepMs + this.stepMs / 2, rows };
  }
}

/** Averages of two partial rows of the same bucket, weighted by their sample counts (a bucket split by a restart). */
export function mergeRows(a: { avg: ArrayLike<number>; count: number }, b: { avg: ArrayLike<number>; count: number }): { avg: Float64Array; count: number } {
  const count = a.count + b.count;
  const avg = new Float64Array(Math.max(a.avg.length, b.avg.length));
  for (let m = 0; m < avg.length; m++) avg[m] = count > 0 ? ((a.avg[m] ?? 0) * a.count + (b.avg[m] ?? 0) * b.count) / count : 0;
  return { avg, count };
}
