import { describe, expect, it } from 'vitest';
import type { Terminal } from '@xterm/xterm';
import { paceFloodRedraws } from '../../../../src/renderer/lib/xterm-frames';

/**
 * xterm's render debouncer as far as the pacing uses it, on a page whose animation frames and timers the test runs by
 * hand on its own clock.
 */
function rig() {
  const frames: (() => void)[] = [];
  const timers: { at: number; cb: () => void }[] = [];
  const asked = { frames: 0 };
  const rendered: [number, number][] = [];
  const clock = { t: 1000 };
  interface FakeDebouncer {
    _rowStart: number | undefined;
    _rowEnd: number | undefined;
    _rowCount: number | undefined;
    _animationFrame: number | undefined;
    _innerRefresh(this: FakeDebouncer): void;
  }
  const deb: FakeDebouncer = {
    _rowStart: undefined,
    _rowEnd: undefined,
    _rowCount: 40,
    _animationFrame: undefined,
    _innerRefresh() {
      this._animationFrame = undefined;
      if (this._rowStart === undefined || this._rowEnd === undefined) return;
      rendered.push([this._rowStart, this._rowEnd]);
      this._rowStart = undefined;
      this._rowEnd = undefined;
    },
  };
  const view = {
    requestAnimationFrame: (cb: () => void) => (asked.frames++, frames.push(cb)),
    setTimeout: (cb: () => void, ms: number) => timers.push({ at: clock.t + ms, cb }),
  };
  const term = { _core: { _renderService: { _renderDebouncer: deb } }, element: { ownerDocument: { defaultView: view } } } as unknown as Terminal;
  /** Marks rows dirty as xterm's refresh() does, asking for a frame if none is pending. */
  const dirty = (start: number, end: number) => {
    deb._rowStart = Math.min(deb._rowStart ?? start, start);
    deb._rowEnd = Math.max(deb._rowEnd ?? end, end);
    if (deb._animationFrame === undefined) deb._animationFrame = view.requestAnimationFrame(() => deb._innerRefresh());
  };
  /** Lets `ms` pass a millisecond at a time, firing timers as they fall due, then runs the pending animation frame. */
  const frame = (ms: number) => {
    for (let i = 0; i < ms; i++) {
      clock.t++;
      for (const due of timers.filter((x) => x.at <= clock.t)) {
        timers.splice(timers.indexOf(due), 1);
        due.cb();
      }
    }
    const cbs = frames.splice(0);
    for (const cb of cbs) cb();
  };
  return { term, deb, rendered, clock, dirty, frame, asked, timers };
}

describe('paceFloodRedraws', () => {
  it('while flooded, draws the whole viewport at most once per interval, counted from when the flood began', () => {
    const r = rig();
    let flooded = false;
    expect(paceFloodRedraws(r.term, { flooded: () => flooded, minIntervalMs: 33, now: () => r.clock.t })).toBe(true);
    r.dirty(0, 39);
    r.frame(17);
    expect(r.rendered).toEqual([[0, 39]]);
    // A flood begins: its first whole redraw waits too, so the parser can get ahead first.
    flooded = true;
    r.dirty(0, 39);
    r.frame(17);
    expect(r.rendered).toHaveLength(1);
    r.dirty(0, 39);
    r.frame(17);
    expect(r.rendered).toHaveLength(1);
    // 34 ms after the flood began: drawn, nothing lost (the rows stayed dirty).
    r.frame(17);
    expect(r.rendered).toEqual([
      [0, 39],
      [0, 39],
    ]);
    // Then once per interval.
    r.dirty(0, 39);
    r.frame(17);
    expect(r.rendered).toHaveLength(2);
    r.frame(17);
    expect(r.rendered).toHaveLength(3);
  });

  it('never holds back a redraw of some rows (typing, the cursor), even while flooded', () => {
    const r = rig();
    paceFloodRedraws(r.term, { flooded: () => true, minIntervalMs: 33, now: () => r.clock.t });
    r.dirty(12, 12);
    r.frame(16);
    r.dirty(12, 13);
    r.frame(16);
    r.dirty(0, 5);
    r.frame(16);
    expect(r.rendered).toEqual([
      [12, 12],
      [12, 13],
      [0, 5],
    ]);
  });

  it('never holds back whole-viewport redraws when no output is waiting (an editor scrolling as keys are pressed)', () => {
    const r = rig();
    let flooded = false;
    paceFloodRedraws(r.term, { flooded: () => flooded, minIntervalMs: 50, now: () => r.clock.t });
    for (let i = 0; i < 3; i++) {
      r.dirty(0, 39);
      r.frame(17);
    }
    expect(r.rendered).toHaveLength(3);
    // The same redraws while output waits: one in 50 ms, the first 50 ms after the flood began.
    flooded = true;
    for (let i = 0; i < 6; i++) {
      r.dirty(0, 39);
      r.frame(17);
    }
    expect(r.rendered).toHaveLength(4);
    // Caught up: drawn at once again.
    flooded = false;
    r.dirty(0, 39);
    r.frame(17);
    expect(r.rendered).toHaveLength(5);
  });

  it('asks for no frame while a redraw is held, only once its time has come, and stops waiting once disposed', () => {
    const r = rig();
    paceFloodRedraws(r.term, { flooded: () => true, minIntervalMs: 100, now: () => r.clock.t });
    r.dirty(0, 39);
    r.frame(17);
    expect(r.asked.frames).toBe(1);
    // Held: output keeps marking rows dirty, and no frame is asked for until 100 ms have passed.
    for (let i = 0; i < 5; i++) {
      r.dirty(0, 39);
      r.frame(17);
    }
    expect(r.rendered).toHaveLength(0);
    expect(r.asked.frames).toBe(1);
    r.frame(17);
    expect(r.rendered).toEqual([[0, 39]]);
    expect(r.asked.frames).toBe(2);
    // xterm's dispose() clears the pending frame: a held wait then asks for nothing more.
    r.dirty(0, 39);
    r.frame(17);
    r.deb._animationFrame = undefined;
    r.frame(200);
    expect(r.asked.frames).toBe(3);
    expect(r.timers).toHaveLength(0);
  });

  it('draws a held redraw soon after the flood ends instead of waiting out the interval', () => {
    const r = rig();
    let flooded = true;
    paceFloodRedraws(r.term, { flooded: () => flooded, minIntervalMs: 1000, recheckMs: 16, now: () => r.clock.t });
    r.dirty(0, 39);
    r.frame(17);
    expect(r.rendered).toHaveLength(0);
    flooded = false;
    r.frame(17);
    expect(r.rendered).toEqual([[0, 39]]);
  });

  it('changes nothing on a terminal without the internals it expects', () => {
    const o = { flooded: () => true };
    expect(paceFloodRedraws({} as Terminal, o)).toBe(false);
    expect(paceFloodRedraws({ _core: { _renderService: { _renderDebouncer: { _innerRefresh: () => undefined } } } } as unknown as Terminal, o)).toBe(false);
  });
});
