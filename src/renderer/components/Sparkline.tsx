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
export const Sparkline = memo(function Sparkline({ name, lines, max, minMax = 1, seconds = 60, width = 80, height = 22, label, testId }: Props) {
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
      // Baseline, so an idle domain still shows where its graph is.
      ctx.fillStyle = cssVar('--border');
      ctx.fillRect(0, height - 1, width, 1);
      lines.forEach((l, li) => {
        const w = ring.read(l.metric, from, scratch);
        const color = cssVar(l.color);
        const last = lines.length - 1;
        ctx.beginPath();
        let prevT = -Infinity;
        let startX = 0;
        let x = 0;
        for (let k = 0; k < w.n; k++) {
          const t = w.t[k] ?? 0;
          x = ((t - from) / (seconds * 1000)) * width;
          const y = height - 1.5 - (Math.min(w.v[k] ?? 0, top) / top) * (height - 3);
          // A gap of more than a few ticks (stopped, app paused) breaks the line instead of drawing a false slope.
          if (t - prevT > 3500) {
            ctx.moveTo(x, y);
            if (k === 0) startX = x;
          } else ctx.lineTo(x, y);
          prevT = t;
        }
        ctx.strokeStyle = color;
        ctx.stroke();
        // The main (last) line gets a faint area under it: easier to read at 22 px than a bare line.
        if (li === last && w.n > 1) {
          ctx.lineTo(x, height);
          ctx.lineTo(startX, height);
          ctx.closePath();
          ctx.globalAlpha = 0.18;
          ctx.fillStyle = color;
          ctx.fill();
          ctx.globalAlpha = 1;
        }
      });
    };
    return registerDrawer(draw);
  }, [name, lines, max, minMax, seconds, width, height]);
  return <canvas ref={ref} className="spark" style={{ width, height }} role="img" aria-label={label} data-testid={testId} />;
});
