import { describe, expect, it } from 'vitest';
import { COARSE_SLOTS, FINE_SLOTS, SeriesRing } from '../../../../src/renderer/store/stats-ring';

const T0 = 1_700_000_040_000; // a minute boundary

describe('SeriesRing', () => {
  it('keeps the last FINE_SLOTS rows at full resolution, oldest first', () => {
    const r = new SeriesRing(2);
    for (let i = 0; i < FINE_SLOTS + 50; i++) r.push(T0 + i * 1000, [i, i * 2]);
    expect(r.fineSize).toBe(FINE_SLOTS);
    const w = r.read(1, T0 + (FINE_SLOTS + 40) * 1000);
    expect(w.n).toBe(10);
    expect(Array.from(w.v.subarray(0, w.n))).toEqual(Array.from({ length: 10 }, (_, k) => (FINE_SLOTS + 40 + k) * 2));
    expect(w.t[0]).toBe(T0 + (FINE_SLOTS + 40) * 1000);
    expect(r.last(0)).toBe(FINE_SLOTS + 49);
  });

  it('reads only what is at or after the start of the window', () => {
    const r = new SeriesRing(1);
    for (let i = 0; i < 10; i++) r.push(T0 + i * 1000, [i]);
    const w = r.read(0, T0 + 7000);
    expect(Array.from(w.v.subarray(0, w.n))).toEqual([7, 8, 9]);
    expect(r.read(0, T0 + 60_000).n).toBe(0);
  });

  it('averages each minute into the coarse ring and serves long windows from it, ending at the present second', () => {
    const r = new SeriesRing(1, 120);
    // 5 minutes at 1 s: minute k has values all equal to k*10.
    for (let s = 0; s < 300; s++) r.push(T0 + s * 1000, [Math.floor(s / 60) * 10]);
    expect(r.coarseSize).toBe(4); // the fifth minute is still open
    const w = r.read(0, T0);
    const vals = Array.from(w.v.subarray(0, w.n));
    // Four buckets first (stamped at their middles), then the fine rows of the open minute.
    expect(vals.slice(0, 4)).toEqual([0, 10, 20, 30]);
    expect(w.t[0]).toBe(T0 + 30_000);
    expect(vals.slice(4)).toEqual(new Array(60).fill(40));
    expect(w.t[w.n - 1]).toBe(T0 + 299_000);
  });

  it('averages over the samples a bucket really had (gaps do not count as zeros)', () => {
    const r = new SeriesRing(1, 10);
    r.push(T0 + 1000, [10]);
    r.push(T0 + 2000, [30]);
    r.push(T0 + 61_000, [0]);
    // Two buckets before the oldest fine row: old enough that the coarse ring answers.
    const w = r.read(0, T0 - 120_000);
    expect(w.v[0]).toBe(20);
  });

  it('holds at least a day in fixed memory', () => {
    const r = new SeriesRing(1, 10);
    const day = 24 * 3600;
    for (let s = 0; s < day + 3600; s += 10) r.push(T0 + s * 1000, [1]);
    expect(COARSE_SLOTS * 60).toBeGreaterThanOrEqual(day);
    expect(r.coarseSize).toBe(Math.min(COARSE_SLOTS, (day + 3600) / 60 - 1));
    const w = r.read(0, T0 + 3600_000);
    expect(w.n).toBeGreaterThan(day / 60 - 2);
  });

  it('prefers fine rows when they cover the window but for less than one bucket', () => {
    const r = new SeriesRing(1, 120);
    for (let s = 0; s < 300; s++) r.push(T0 + s * 1000, [s]);
    // The fine ring holds 180..299 s; a window from 150 s is within one bucket of it.
    const w = r.read(0, T0 + 150_000);
    expect(w.n).toBe(120);
    expect(w.v[0]).toBe(180);
  });

  it('ignores repeated or older times (a replayed tick)', () => {
    const r = new SeriesRing(1);
    r.push(T0 + 1000, [1]);
    r.push(T0 + 1000, [2]);
    r.push(T0, [3]);
    expect(r.fineSize).toBe(1);
    expect(r.last(0)).toBe(1);
  });

  it('maxSince looks only at the window', () => {
    const r = new SeriesRing(1);
    r.push(T0, [100]);
    r.push(T0 + 1000, [5]);
    r.push(T0 + 2000, [7]);
    expect(r.maxSince(0, T0 + 1000)).toBe(7);
    expect(r.maxSince(0, T0)).toBe(100);
  });

  describe('seed (history stored by main)', () => {
    /** Stored rows of one metric at `times`, valued by `f`. */
    const stored = (times: number[], f: (t: number) => number) => ({ t: times, v: times.map(f) });

    it('gives a fresh ring its past at once: minutes, then seconds up to the present', () => {
      const r = new SeriesRing(1);
      const minutes = Array.from({ length: 120 }, (_, k) => T0 + k * 60_000 + 30_000);
      const end = T0 + 120 * 60_000;
      const seconds = Array.from({ length: 600 }, (_, k) => end + k * 1000);
      r.seed(stored(seconds, () => 5), stored(minutes, (t) => (t - T0) / 60_000));
      expect(r.fineSize).toBe(600);
      expect(r.coarseSize).toBe(120);
      expect(r.last(0)).toBe(5);
      const day = r.read(0, T0);
      expect(day.t[0]).toBe(T0 + 30_000);
      expect(day.n).toBe(720);
      expect(day.t[day.n - 1]).toBe(end + 599_000);
      // A replayed tick older than the seed is still refused; the next live one is taken.
      r.push(end + 599_000, [9]);
      r.push(end + 600_000, [7]);
      expect(r.last(0)).toBe(7);
    });

    it('never puts stored rows after or among the live ones that arrived first', () => {
      const r = new SeriesRing(1, 600, 1500);
      for (let s = 0; s < 90; s++) r.push(T0 + 3600_000 + s * 1000, [100]);
      // Main's store overlaps what the page saw live (it has the same seconds): only older rows are taken.
      const seconds = Array.from({ length: 600 }, (_, k) => T0 + 3600_000 - 300_000 + k * 1000);
      const minutes = Array.from({ length: 61 }, (_, k) => T0 + k * 60_000 + 30_000);
      r.seed(stored(seconds, () => 1), stored(minutes, () => 2));
      const fine = r.read(0, T0 + 3600_000 - 300_000);
      expect(fine.n).toBe(390);
      expect(Array.from(fine.v.subarray(0, 300)).every((v) => v === 1)).toBe(true);
      expect(Array.from(fine.v.subarray(300, 390)).every((v) => v === 100)).toBe(true);
      const t = Array.from(r.read(0, T0).t.subarray(0, r.read(0, T0).n));
      expect(t.every((x, i) => i === 0 || x > (t[i - 1] ?? 0))).toBe(true);
      // Minute 60 went by live: the ring's own average is kept, the stored one of that minute was not taken.
      expect(r.coarseSize).toBe(61);
      const day = r.read(0, T0);
      expect(day.v[59]).toBe(2);
      expect(day.t[60]).toBe(T0 + 3630_000);
      expect(day.v[60]).toBe(100);
      expect(r.last(0)).toBe(100);
    });

    it('leaves out a stored minute that had not ended when the store stopped, so its seconds show', () => {
      const r = new SeriesRing(1);
      // Main stopped 20 s into a minute and wrote that minute's part: its middle is before, its end after the stop.
      const stop = T0 + 80_000;
      const seconds = Array.from({ length: 81 }, (_, k) => T0 + k * 1000);
      r.seed(stored(seconds, () => 3), stored([T0 + 30_000, T0 + 90_000], () => 4));
      expect(r.coarseSize).toBe(1);
      const w = r.read(0, T0 - 3600_000);
      expect(w.t[w.n - 1]).toBe(stop);
      expect(w.n).toBe(1 + 21);
    });
  });
});
