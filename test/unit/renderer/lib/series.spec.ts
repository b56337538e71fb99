import { describe, expect, it } from 'vitest';
import { maxOf, ringRows } from '../../../../src/renderer/lib/series';
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
