import { memo, useEffect, useRef } from 'react';
import { cssVar, registerDrawer } from '../lib/spark-scheduler';
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

/** A tiny canvas chart of the last minute of a domain's metrics, drawn outside React on each stats tick. */
export const Sparkline = memo(function Sparkline({ name, lines, max, minMax = 1, seconds = 60, width = 96, height = 22, label, testId }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const draw = () => {
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, width, height);
      const ring = stats.domains.get(name);
      if (!ring || ring.fineSize === 0) return;
      const now = stats.lastT;
      const from = now - seconds * 1000;
      let top = max ?? 0;
      if (max === undefined) {
        for (const l of lines) top = Math.max(top, ring.maxSince(l.metric, from));
        top = Math.max(top * 1.1, minMax);
      }
      if (top <= 0) top = 1;
      ctx.lineWidth = 1.25;
      for (const l of lines) {
        const w = ring.read(l.metric, from, scratch);
        ctx.strokeStyle = cssVar(l.color);
        ctx.beginPath();
        let prevT = -Infinity;
        for (let k = 0; k < w.n; k++) {
          const t = w.t[k] ?? 0;
          const x = ((t - from) / (seconds * 1000)) * width;
          const y = height - 1 - (Math.min(w.v[k] ?? 0, top) / top) * (height - 2);
          // A gap of more than a few ticks (stopped, app paused) breaks the line instead of drawing a false slope.
          if (t - prevT > 3500) ctx.moveTo(x, y);
          else ctx.lineTo(x, y);
          prevT = t;
        }
        ctx.stroke();
      }
    };
    return registerDrawer(draw);
  }, [name, lines, max, minMax, seconds, width, height]);
  return <canvas ref={ref} className="spark" style={{ width, height }} role="img" aria-label={label} data-testid={testId} />;
});
