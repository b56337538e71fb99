import type { Terminal } from '@xterm/xterm';

/** The parts of xterm's (6.x) render debouncer this uses. */
interface Debouncer {
  _rowStart: number | undefined;
  _rowEnd: number | undefined;
  _rowCount: number | undefined;
  _animationFrame: number | undefined;
  _innerRefresh: () => void;
}

export interface PaceOptions {
  /** True while output is waiting to be parsed: the terminal is flooded. Only then are redraws held back. */
  flooded: () => boolean;
  /** The least time between two redraws of the whole viewport while flooded. */
  minIntervalMs?: number;
  now?: () => number;
}

/**
 * Paces xterm's redraws while output floods. xterm redraws on every animation frame in which rows changed; while a
 * guest prints megabytes every row changes every frame, and with the DOM renderer each such frame costs several
 * milliseconds of style, layout, paint and raster that the parser, the pty and the guest could use. Text scrolling
 * that fast cannot be read, so while output is still waiting to be parsed, a redraw of the whole viewport that comes
 * sooner than `minIntervalMs` after the last one (or after the flood began) waits for a later frame. Nothing is held
 * back otherwise: not redraws
 * of some rows (typing, the cursor), and not full-screen programs redrawing as keys are pressed (an editor scrolling),
 * which leave no output waiting.
 *
 * Returns false (and changes nothing) if this xterm lacks the internals it expects, so an upgrade falls back to
 * xterm's own pacing, never to a broken screen.
 */
export function paceFloodRedraws(term: Terminal, o: PaceOptions): boolean {
  const minIntervalMs = o.minIntervalMs ?? 50;
  const now = o.now ?? (() => performance.now());
  const core = (term as unknown as { _core?: { _renderService?: { _renderDebouncer?: Partial<Debouncer> } } })._core;
  const deb = core?._renderService?._renderDebouncer;
  const inner = deb?._innerRefresh;
  if (!deb || typeof inner !== 'function' || !('_rowStart' in deb) || !('_animationFrame' in deb)) return false;
  const d = deb as Debouncer;
  const win = term.element?.ownerDocument.defaultView ?? window;
  let last = Number.NEGATIVE_INFINITY;
  // When the current flood began: its first whole redraw also waits the interval, so the parser gets through the
  // start of the flood (and any echo in it) before the first, costly redraw of a screen of new text.
  let floodSince: number | undefined;
  d._innerRefresh = () => {
    const t = now();
    const flooded = o.flooded();
    if (!flooded) floodSince = undefined;
    else floodSince ??= t;
    const whole = d._rowStart === 0 && d._rowCount !== undefined && d._rowEnd !== undefined && d._rowEnd >= d._rowCount - 1;
    if (whole && flooded && t - Math.max(last, floodSince ?? last) < minIntervalMs) {
      d._animationFrame = win.requestAnimationFrame(() => d._innerRefresh());
      return;
    }
    if (whole) last = t;
    inner.call(d);
  };
  return true;
}
