import { stats } from '../store/stats-store';

/**
 * Redraws every mounted sparkline once per stats tick, in one animation frame, without React: with 500 domains only
 * the visible rows have canvases, and none of them re-renders to draw.
 */

type Draw = () => void;
const drawers = new Set<Draw>();
let frame = 0;
let unsubscribe: (() => void) | null = null;

function drawAll(): void {
  frame = 0;
  for (const d of drawers) d();
}

function schedule(): void {
  if (frame === 0) frame = requestAnimationFrame(drawAll);
}

/** Registers a draw function, draws it soon, and redraws it on every tick until the returned cleanup runs. */
export function registerDrawer(draw: Draw): () => void {
  drawers.add(draw);
  unsubscribe ??= stats.subscribe(schedule);
  requestAnimationFrame(draw);
  return () => {
    drawers.delete(draw);
    if (drawers.size === 0 && unsubscribe) {
      unsubscribe();
      unsubscribe = null;
    }
  };
}

/** Redraws everything now (after a theme change). */
export function redrawAll(): void {
  schedule();
}

const colorCache = new Map<string, string>();
let cacheTheme = '';

/** A CSS variable's value, cached per theme so a draw pass does not restyle the document. */
export function cssVar(name: string): string {
  const theme = document.documentElement.dataset['theme'] ?? '';
  if (theme !== cacheTheme) {
    colorCache.clear();
    cacheTheme = theme;
  }
  let v = colorCache.get(name);
  if (v === undefined) {
    v = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
    colorCache.set(name, v);
  }
  return v;
}
