import { memo, useEffect, useRef } from 'react';
import { registerDrawer } from '../lib/spark-scheduler';
import { stats } from '../store/stats-store';
import type { SeriesWindow } from '../store/stats-ring';

/** One line of a sparkline: a metric column of the domain's ring, and its colour variable. */
export interface SparkLine {
  metric: number;
  color: string;
}

interface Props {
  /** Domain name (its ring in the stats store). */
  name: string;
  lines: readonly SparkLine[];
  /** Fixed top of the Y axis; omitted = the largest value in the window (at least `minMax`). */
  max?: number;
  minMax?: number;
  /** Seconds of history shown. */
  seconds?: number;
  width?: number;
  height?: number;
  label: string;
  testId?: string;
}

const scratch: SeriesWindow = { t: new Float64Array(900), v: new Float32Array(900), n: 0 };

/** SVG path data of one metric over the window; the area variant closes the shape down to the baseline. */
function pathOf(w: SeriesWindow, from: number, spanMs: number, top: number, width: number, height: number): { line: string; area: string } {
  let line = '';
  let area = '';
  let prevT = -Infinity;
  let runStart = 0;
  let x = 0;
  for (let k = 0; k < w.n; k++) {
    const t = w.t[k] ?? 0;
    x = Math.round(((t - from) / spanMs) * width * 10) / 10;
    const y = Math.round((height - 1.5 - (Math.min(w.v[k] ?? 0, top) / top) * (height - 3)) * 10) / 10;
    // A gap of more than a few ticks (stopped, app paused) breaks the line instead of drawing a false slope.
    if (t - prevT > 3500) {
      if (k > 0) area += `L${x},${height}L${runStart},${height}Z`;
      line += `M${x},${y}`;
      area += `M${x},${height}L${x},${y}`;
      runStart = x;
    } else {
      line += `L${x},${y}`;
      area += `L${x},${y}`;
    }
    prevT = t;
  }
  if (w.n > 0) area += `L${x},${height}L${runStart},${height}Z`;
  return { line, area };
}

/**
 * A tiny chart of the last minute of a domain's metrics. SVG, not canvas: a hundred canvases each become a composited
 * layer and layerising them cost 30-40 ms a frame with 500 domains; paths are plain paint. The paths are rewritten
 * outside React, once per stats tick, by the spark scheduler.
 */
export const Sparkline = memo(function Sparkline({ name, lines, max, minMax = 1, seconds = 60, width = 80, height = 22, label, testId }: Props) {
  const ref = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const svg = ref.current;
    if (!svg) return;
    const paths = Array.from(svg.querySelectorAll<SVGPathElement>('path[data-line]'));
    const area = svg.querySelector<SVGPathElement>('path[data-area]');
    const draw = () => {
      const ring = stats.domains.get(name);
      if (!ring || ring.fineSize === 0) return;
      const now = stats.lastT;
      const span = seconds * 1000;
      const from = now - span;
      let top = max ?? 0;
      if (max === undefined) {
        for (const l of lines) top = Math.max(top, ring.maxSince(l.metric, from));
        top = Math.max(top * 1.1, minMax);
      }
      if (top <= 0) top = 1;
      lines.forEach((l, i) => {
        const p = pathOf(ring.read(l.metric, from, scratch), from, span, top, width, height);
        paths[i]?.setAttribute('d', p.line);
        // The main (last) line gets a faint area under it: easier to read at 22 px than a bare line.
        if (i === lines.length - 1) area?.setAttribute('d', p.area);
      });
    };
    return registerDrawer(draw);
  }, [name, lines, max, minMax, seconds, width, height]);
  const main = lines[lines.length - 1];
  return (
    <svg ref={ref} className="spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} data-testid={testId}>
      <line x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} className="spark-base" />
      {main && <path data-area="" style={{ fill: `var(${main.color})` }} className="spark-area" />}
      {lines.map((l) => (
        <path key={l.metric} data-line="" style={{ stroke: `var(${l.color})` }} className="spark-line" />
      ))}
    </svg>
  );
});
