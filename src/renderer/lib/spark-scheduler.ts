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
