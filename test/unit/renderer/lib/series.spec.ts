import { describe, expect, it } from 'vitest';
import { breakGaps, longRows, maxOf, ringRows } from '../../../../src/renderer/lib/series';
import { SeriesRing } from '../../../../src/renderer/store/stats-ring';

describe('ringRows', () => {
  it('keys each metric for recharts, with the time as t', () => {
    const r = new SeriesRing(2);
    r.push(1000, [1, 10]);
    r.push(2000, [2, 20]);
    expect(ringRows(r, 0, { a: 0, b: 1 })).toEqual([
      { t: 1000, a: 1, b: 10 },
      { t: 2000, a: 2, b: 20 },
    ]);
    expect(ringRows(undefined, 0, { a: 0 })).toEqual([]);
  });
  it('averages a long window down to at most maxPoints rows, stamped with each group’s last time', () => {
    const r = new SeriesRing(1);
    for (let i = 0; i < 600; i++) r.push(1000 * (i + 1), [i]);
    const rows = ringRows(r, 0, { v: 0 }, 100);
    expect(rows).toHaveLength(100);
    expect(rows[0]).toEqual({ t: 6000, v: 2.5 });
    expect(rows[99]?.t).toBe(600_000);
    expect(maxOf(rows, ['v'])).toBe(596.5);
  });
});

describe('breakGaps', () => {
  it('breaks the line where nothing arrived, and only there', () => {
    const rows = [0, 1000, 2000, 3000, 60_000, 61_000, 62_000].map((t) => ({ t, v: 1 }));
    const out = breakGaps(rows);
    expect(out.map((r) => r.t)).toEqual([0, 1000, 2000, 3000, 4000, 60_000, 61_000, 62_000]);
    expect(out[4]).toEqual({ t: 4000 });
    // Minute rows a minute apart are the usual step, not a gap.
    const minutes = [0, 60_000, 120_000, 180_000].map((t) => ({ t, v: 1 }));
    expect(breakGaps(minutes)).toEqual(minutes);
  });
});

describe('longRows', () => {
  it('draws stored hours, then the ring\'s own rows after the last hour', () => {
    const T = Date.UTC(2026, 0, 1);
    const ring = new SeriesRing(1);
    for (let s = 0; s < 120; s++) ring.push(T + 3 * 3600_000 + s * 1000, [7]);
    const hours = { t: [T + 1800_000, T + 5400_000, T + 9000_000], v: [1, 2, 3], width: 1 };
    const rows = longRows(hours, ring, T + 3600_000, { x: 0 });
    expect(rows.slice(0, 2)).toEqual([{ t: T + 5400_000, x: 2 }, { t: T + 9000_000, x: 3 }]);
    expect(rows.slice(2).every((r) => r['x'] === 7 && (r['t'] ?? 0) >= T + 3 * 3600_000)).toBe(true);
    expect(rows.length).toBeGreaterThan(2);
  });

  it('thins a year of hours to what a chart can draw', () => {
    const t = Array.from({ length: 8760 }, (_, i) => i * 3600_000);
    const rows = longRows({ t, v: t.map(() => 5), width: 1 }, undefined, 0, { x: 0 });
    expect(rows.length).toBeLessThanOrEqual(540);
    expect(rows.every((r) => r['x'] === 5)).toBe(true);
  });
});
