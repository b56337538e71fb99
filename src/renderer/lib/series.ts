import type { SeriesRing } from '../store/stats-ring';

/** Rows of several metrics of one ring over a window, keyed for recharts: [{t, a, b}, ...]. */
export function ringRows(ring: SeriesRing | undefined, from: number, cols: Record<string, number>, scale: Record<string, number> = {}): Record<string, number>[] {
  if (!ring) return [];
  const keys = Object.keys(cols);
  const reads = keys.map((k) => ring.read(cols[k] ?? 0, from));
  const first = reads[0];
  if (!first) return [];
  const rows: Record<string, number>[] = new Array<Record<string, number>>(first.n);
  for (let i = 0; i < first.n; i++) {
    const row: Record<string, number> = { t: first.t[i] ?? 0 };
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] ?? '';
      row[key] = (reads[k]?.v[i] ?? 0) * (scale[key] ?? 1);
    }
    rows[i] = row;
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
