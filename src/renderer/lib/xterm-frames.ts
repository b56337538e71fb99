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
  /** While a redraw is held, how often to look whether the flood is over (then it is drawn at once). */
  recheckMs?: number;
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
 * which leave no output waiting. A held redraw waits on a timer, not by asking for frame after frame: every frame
 * asked for runs the browser's whole frame machinery on the thread the parser needs.
 *
 * Returns false (and changes nothing) if this xterm lacks the internals it expects, so an upgrade falls back to
 * xterm's own pacing, never to a broken screen.
 */
export function paceFloodRedraws(term: Terminal, o: PaceOptions): boolean {
  const minIntervalMs = o.minIntervalMs ?? 50;
  const recheckMs = o.recheckMs ?? 16;
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
  /** How long a whole redraw must still wait now (0: draw). */
  const holdFor = (): number => {
    const t = now();
    if (!o.flooded()) {
      floodSince = undefined;
      return 0;
    }
    floodSince ??= t;
    return Math.max(0, minIntervalMs - (t - Math.max(last, floodSince)));
  };
  // While held, _animationFrame is HELD (truthy, so xterm asks for no frame of its own; cancelAnimationFrame(-1) is a
  // no-op). xterm's dispose() clears it, which ends the wait.
  const HELD = -1;
  const wake = (): void => {
    if (d._animationFrame !== HELD) return;
    const wait = holdFor();
    if (wait > 0) win.setTimeout(wake, Math.min(wait, recheckMs));
    else d._animationFrame = win.requestAnimationFrame(() => d._innerRefresh());
  };
  d._innerRefresh = () => {
    const whole = d._rowStart === 0 && d._rowCount !== undefined && d._rowEnd !== undefined && d._rowEnd >= d._rowCount - 1;
    const wait = holdFor();
    if (whole && wait > 0) {
      d._animationFrame = HELD;
      win.setTimeout(wake, Math.min(wait, recheckMs));
      return;
    }
    if (whole) last = now();
    inner.call(d);
  };
  return true;
}
