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
  { id: '7d', label: '7 days', seconds: 7 * 86400 },
  { id: '30d', label: '30 days', seconds: 30 * 86400 },
  { id: '1y', label: '1 year', seconds: 365 * 86400 },
];

/** Longest window the renderer's own rings cover (their 25 hours of minutes); longer ones read main's hour rows. */
export const RING_SECONDS = 25 * 3600;

/** What a window of `seconds` is drawn from, in words under the chart. */
export function resolutionWords(seconds: number): string {
  if (seconds > RING_SECONDS) return 'One point per hour (hour averages kept for a year), then the last hour in minutes.';
  if (seconds > 600) return 'Older than 10 minutes: one-minute averages.';
  return 'One point per second.';
}

/**
 * Rows for a window longer than the ring: main's stored hour averages (`hours`, width-strided values), then the ring's
 * own rows newer than the last hour, so the chart still ends at the present.
 */
export function longRows(
  hours: { t: readonly number[]; v: readonly number[]; width: number } | null,
  ring: SeriesRing | undefined,
  from: number,
  cols: Record<string, number>,
): Record<string, number>[] {
  const rows: Record<string, number>[] = [];
  let end = from;
  if (hours) {
    for (let i = 0; i < hours.t.length; i++) {
      const t = hours.t[i] ?? 0;
      if (t < from) continue;
      const row: Record<string, number> = { t };
      for (const [k, m] of Object.entries(cols)) row[k] = hours.v[i * hours.width + m] ?? 0;
      rows.push(row);
      end = t + 1800_000;
    }
  }
  return thin(rows, 540).concat(ringRows(ring, end, cols, 60));
}

/** At most `maxPoints` rows: runs of neighbours averaged into one, stamped with the last one's time. */
function thin(rows: Record<string, number>[], maxPoints: number): Record<string, number>[] {
  const per = Math.ceil(rows.length / maxPoints);
  if (per <= 1) return rows;
  const out: Record<string, number>[] = [];
  for (let i = 0; i < rows.length; i += per) {
    const run = rows.slice(i, i + per);
    const row: Record<string, number> = { t: run[run.length - 1]?.t ?? 0 };
    for (const k of Object.keys(run[0] ?? {})) if (k !== 't') row[k] = run.reduce((a, r) => a + (r[k] ?? 0), 0) / run.length;
    out.push(row);
  }
  return out;
}

/**
 * The rows with a break where the host sent nothing (Xenith or the host was down): a row holding only a time, which
 * the chart's lines do not cross. A break is a step more than three times the usual one.
 */
export function breakGaps(rows: readonly Record<string, number>[]): Record<string, number>[] {
  if (rows.length < 3) return [...rows];
  const steps: number[] = [];
  for (let i = 1; i < rows.length; i++) steps.push((rows[i]?.t ?? 0) - (rows[i - 1]?.t ?? 0));
  const usual = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)] ?? 0;
  const out: Record<string, number>[] = [];
  rows.forEach((r, i) => {
    const step = steps[i - 1] ?? 0;
    if (i > 0 && usual > 0 && step > 3 * usual && step > 2500) out.push({ t: (rows[i - 1]?.t ?? 0) + usual });
    out.push(r);
  });
  return out;
}

/** An axis label for time `t` in a window `spanMs` long: the time of day, or the day and hour past a day and a half. */
export function axisTime(t: number, spanMs: number): string {
  const d = new Date(t);
  const two = (n: number) => String(n).padStart(2, '0');
  if (spanMs > 36 * 3600_000) return `${d.toLocaleString(undefined, { month: 'short' })} ${d.getDate()} ${two(d.getHours())}:00`;
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
