import type { SeriesRing } from '../store/stats-ring';

/**
 * Rows of several metrics of one ring over a window, keyed for recharts: [{t, a, b}, ...]. More than `maxPoints` rows
 * are averaged down to that many, so a day-long window costs a chart no more than ten minutes do.
 */
export function ringRows(ring: SeriesRing | undefined, from: number, cols: Record<string, number>, maxPoints = 600): Record<string, number>[] {
  if (!ring) return [];
  const keys = Object.keys(cols);
  const reads = keys.map((k) => ring.read(cols[k] ?? 0, from));
  const first = reads[0];
  if (!first) return [];
  const n = first.n;
  const per = Math.max(1, Math.ceil(n / Math.max(1, maxPoints)));
  const rows: Record<string, number>[] = [];
  for (let i = 0; i < n; i += per) {
    const end = Math.min(n, i + per);
    const row: Record<string, number> = { t: first.t[end - 1] ?? 0 };
    for (let k = 0; k < keys.length; k++) {
      let sum = 0;
      for (let j = i; j < end; j++) sum += reads[k]?.v[j] ?? 0;
      row[keys[k] ?? ''] = sum / (end - i);
    }
    rows.push(row);
  }
  return rows;
}

/** The largest value of `keys` across rows. */
export function maxOf(rows: readonly Record<string, number>[], keys: readonly string[]): number {
  let m = 0;
  for (const r of rows) for (const k of keys) m = Math.max(m, r[k] ?? 0);
  return m;
}

/** Time windows the Performance tab offers, in seconds. */
export const WINDOWS: readonly { id: string; label: string; seconds: number }[] = [
  { id: '1m', label: '1 minute', seconds: 60 },
  { id: '5m', label: '5 minutes', seconds: 300 },
  { id: '10m', label: '10 minutes', seconds: 600 },
  { id: '1h', label: '1 hour', seconds: 3600 },
  { id: '6h', label: '6 hours', seconds: 6 * 3600 },
  { id: '24h', label: '24 hours', seconds: 24 * 3600 },
];
