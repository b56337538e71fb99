/**
 * Per-series history in typed arrays, outside React state: a fine ring (one slot per tick, 10 minutes at 1 s) and a
 * coarse ring of averages (60 s buckets, 25 hours). Fixed size, so memory does not grow with uptime.
 */

/** Slots of the fine ring: 10 minutes at one sample per second. */
export const FINE_SLOTS = 600;
/** Width of one coarse bucket in ms. */
export const COARSE_STEP_MS = 60_000;
/** Slots of the coarse ring: 25 hours of one-minute buckets (more than the day the issue asks for). */
export const COARSE_SLOTS = 1500;

/** A window read from a ring: times (epoch ms) and values, oldest first; `n` entries are valid. */
export interface SeriesWindow {
  t: Float64Array;
  v: Float32Array;
  n: number;
}

/** One fixed-size ring of timestamped rows of `width` metrics. */
class Ring {
  readonly t: Float64Array;
  readonly v: Float32Array;
  head = 0;
  size = 0;
  constructor(
    readonly cap: number,
    readonly width: number,
  ) {
    this.t = new Float64Array(cap);
    this.v = new Float32Array(cap * width);
  }
  push(t: number, values: ArrayLike<number>): void {
    const i = this.head;
    this.t[i] = t;
    const base = i * this.width;
    for (let m = 0; m < this.width; m++) this.v[base + m] = values[m] ?? 0;
    this.head = (i + 1) % this.cap;
    if (this.size < this.cap) this.size++;
  }
  /** Every valid row, oldest first: times and one values array per row. */
  rows(): { t: number[]; v: Float32Array[] } {
    const t: number[] = [];
    const v: Float32Array[] = [];
    for (let k = 0; k < this.size; k++) {
      const s = this.slot(k);
      t.push(this.t[s] ?? 0);
      v.push(this.v.slice(s * this.width, (s + 1) * this.width));
    }
    return { t, v };
  }
  /** Index of the k-th oldest valid slot. */
  slot(k: number): number {
    return (this.head - this.size + k + this.cap) % this.cap;
  }
  /** Copies metric `m` of entries with t >= fromMs into `out` (oldest first). */
  read(m: number, fromMs: number, out: SeriesWindow): SeriesWindow {
    // Binary search for the first slot at or after fromMs: times in a ring are increasing from oldest to newest.
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.t[this.slot(mid)] ?? 0) < fromMs) lo = mid + 1;
      else hi = mid;
    }
    const n = this.size - lo;
    const dst = out.t.length >= n ? out : { t: new Float64Array(n), v: new Float32Array(n), n: 0 };
    for (let k = 0; k < n; k++) {
      const s = this.slot(lo + k);
      dst.t[k] = this.t[s] ?? 0;
      dst.v[k] = this.v[s * this.width + m] ?? 0;
    }
    dst.n = n;
    return dst;
  }
}

/** History of `width` metrics sampled together: push one row per tick, read any metric over a time window. */
export class SeriesRing {
  private fine: Ring;
  private coarse: Ring;
  private readonly sum: Float64Array;
  private bucket = -1;
  private count = 0;
  private readonly lastRow: Float32Array;
  private lastT = -Infinity;

  constructor(
    readonly width: number,
    readonly fineSlots = FINE_SLOTS,
    readonly coarseSlots = COARSE_SLOTS,
    readonly coarseStepMs = COARSE_STEP_MS,
  ) {
    this.fine = new Ring(fineSlots, width);
    this.coarse = new Ring(coarseSlots, width);
    this.sum = new Float64Array(width);
    this.lastRow = new Float32Array(width);
  }

  /** Adds one row at epoch ms `t`. Out-of-order or repeated times are ignored (a reconnect may replay a tick). */
  push(t: number, values: ArrayLike<number>): void {
    if (!(t > this.lastT)) return;
    this.lastT = t;
    this.fine.push(t, values);
    for (let m = 0; m < this.width; m++) this.lastRow[m] = values[m] ?? 0;
    const b = Math.floor(t / this.coarseStepMs);
    if (b !== this.bucket) {
      this.flushBucket();
      this.bucket = b;
    }
    for (let m = 0; m < this.width; m++) this.sum[m] = (this.sum[m] ?? 0) + (values[m] ?? 0);
    this.count++;
  }

  private flushBucket(): void {
    if (this.count === 0) return;
    const avg = new Float32Array(this.width);
    for (let m = 0; m < this.width; m++) avg[m] = (this.sum[m] ?? 0) / this.count;
    // A bucket is stamped with its middle so a coarse chart lines up with the fine one. A stored row of the same minute
    // (main wrote its part when it stopped) was seeded already: keep times increasing.
    const stamp = this.bucket * this.coarseStepMs + this.coarseStepMs / 2;
    const newest = this.coarse.size > 0 ? (this.coarse.t[this.coarse.slot(this.coarse.size - 1)] ?? 0) : -Infinity;
    if (stamp > newest) this.coarse.push(stamp, avg);
    this.sum.fill(0);
    this.count = 0;
  }

  /**
   * Puts stored history (main's on-disk tiers: `fine` one row a second, `coarse` one-minute averages stamped at their
   * middle) in front of what this ring already holds: only rows older than its own oldest row of that resolution are
   * taken, so a seed that arrives after live ticks never duplicates or reorders them.
   */
  seed(fine: StoredRows, coarse: StoredRows): void {
    const live = this.fine.rows();
    const liveCoarse = this.coarse.rows();
    const wasEmpty = live.t.length === 0;
    const fineBefore = live.t[0] ?? Infinity;
    // The bucket in progress is summed from live rows: a stored minute at or after its start would count twice. A
    // stored minute that had not ended by the store's last second (main wrote its part when it stopped) would hide
    // the seconds after it.
    const storedEnd = fine.t.length > 0 ? (fine.t[fine.t.length - 1] ?? 0) : Infinity;
    const coarseBefore = Math.min(
      liveCoarse.t[0] ?? Infinity,
      this.bucket >= 0 ? this.bucket * this.coarseStepMs : Infinity,
      storedEnd - this.coarseStepMs / 2,
    );
    this.fine = refill(this.fine, fine, fineBefore, live, this.width);
    this.coarse = refill(this.coarse, coarse, coarseBefore, liveCoarse, this.width);
    if (wasEmpty && this.fine.size > 0) {
      const rows = this.fine.rows();
      this.lastT = rows.t[rows.t.length - 1] ?? -Infinity;
      this.lastRow.set(rows.v[rows.v.length - 1] ?? []);
    }
  }

  /** Number of rows in the fine ring. */
  get fineSize(): number {
    return this.fine.size;
  }

  /** Number of finished buckets in the coarse ring. */
  get coarseSize(): number {
    return this.coarse.size;
  }

  /** Epoch ms of the newest row, or -Infinity when empty. */
  get lastTime(): number {
    return this.lastT;
  }

  /** The newest value of metric `m` (0 when empty). */
  last(m: number): number {
    return this.lastRow[m] ?? 0;
  }

  /**
   * Metric `m` from `fromMs` on. Uses the fine ring when it reaches back that far (within one bucket), else the coarse
   * buckets followed by the fine rows newer than the last bucket, so a long window still ends at the present second.
   */
  read(m: number, fromMs: number, out?: SeriesWindow): SeriesWindow {
    const dst = out ?? { t: new Float64Array(0), v: new Float32Array(0), n: 0 };
    const oldestFine = this.fine.size > 0 ? (this.fine.t[this.fine.slot(0)] ?? Infinity) : Infinity;
    // Fine rows when they cover the window but for less than one bucket (a window just older than the ring).
    if (fromMs >= oldestFine - this.coarseStepMs || this.coarse.size === 0) return this.fine.read(m, fromMs, dst);
    const c = this.coarse.read(m, fromMs, { t: new Float64Array(0), v: new Float32Array(0), n: 0 });
    // Fine rows continue where the newest bucket ends (buckets are stamped at their middle).
    const lastBucketEnd = Math.max(fromMs, (c.n > 0 ? (c.t[c.n - 1] ?? 0) : -Infinity) + this.coarseStepMs / 2);
    const f = this.fine.read(m, lastBucketEnd, { t: new Float64Array(0), v: new Float32Array(0), n: 0 });
    const n = c.n + f.n;
    const res = dst.t.length >= n ? dst : { t: new Float64Array(n), v: new Float32Array(n), n: 0 };
    res.t.set(c.t.subarray(0, c.n), 0);
    res.v.set(c.v.subarray(0, c.n), 0);
    res.t.set(f.t.subarray(0, f.n), c.n);
    res.v.set(f.v.subarray(0, f.n), c.n);
    res.n = n;
    return res;
  }

  /** Largest value of metric `m` since `fromMs` in the fine ring (0 when none): the auto-scale of a sparkline. */
  maxSince(m: number, fromMs: number): number {
    let max = 0;
    for (let k = this.fine.size - 1; k >= 0; k--) {
      const s = this.fine.slot(k);
      if ((this.fine.t[s] ?? 0) < fromMs) break;
      const v = this.fine.v[s * this.width + m] ?? 0;
      if (v > max) max = v;
    }
    return max;
  }
}

/** Stored rows as main sends them: times, and `width` values per row one after another. */
export interface StoredRows {
  t: readonly number[];
  v: readonly number[];
}

/** A new ring of the same size: stored rows older than `before` (the newest that fit), then the ring's own rows. */
function refill(ring: Ring, stored: StoredRows, before: number, own: { t: number[]; v: Float32Array[] }, width: number): Ring {
  const out = new Ring(ring.cap, width);
  let n = 0;
  while (n < stored.t.length && (stored.t[n] ?? Infinity) < before) n++;
  const room = Math.max(0, ring.cap - own.t.length);
  const row = new Float32Array(width);
  for (let i = Math.max(0, n - room); i < n; i++) {
    for (let m = 0; m < width; m++) row[m] = stored.v[i * width + m] ?? 0;
    out.push(stored.t[i] ?? 0, row);
  }
  own.t.forEach((t, i) => out.push(t, own.v[i] ?? row));
  return out;
}
