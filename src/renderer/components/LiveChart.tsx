import { memo, useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { axisTime, breakGaps } from '../lib/series';

/** One line of a chart: a string dataKey (STYLE.md: string keys, no accessor functions). */
export interface ChartSeries {
  key: string;
  label: string;
  color: string;
}

/** Rows for recharts: `t` is epoch ms, the other keys are the series. */
export type ChartRow = Record<string, number>;

interface Props {
  title: string;
  data: ChartRow[];
  series: readonly ChartSeries[];
  /** Fixed time window [from, to] in epoch ms. */
  from: number;
  to: number;
  /** Fixed Y domain top. */
  yMax: number;
  format: (v: number) => string;
  height?: number;
  testId?: string;
}


/** A live line chart: no animation, no dots, fixed window and Y domain (recharts performance guide). */
export const LiveChart = memo(function LiveChart({ title, data, series, from, to, yMax, format, height = 160, testId }: Props) {
  // Where nothing arrived (Xenith or the host was down) the lines break instead of drawing a slope across the gap.
  const drawn = useMemo(() => breakGaps(data), [data]);
  const span = to - from;
  const clock = (t: number): string => axisTime(t, span);
  return (
    <figure className="chart card" data-testid={testId} data-points={data.length} data-first={data[0]?.t}>
      <figcaption>
        <span className="chart-title">{title}</span>
        {series.map((s) => (
          <span key={s.key} className="legend">
            <span className="legend-swatch" style={{ background: `var(${s.color})` }} />
            {s.label}
            <span className="legend-val">{data.length ? format(data[data.length - 1]?.[s.key] ?? 0) : '—'}</span>
          </span>
        ))}
      </figcaption>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={drawn} margin={{ top: 6, right: 12, bottom: 0, left: 0 }}>
          <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="t" type="number" domain={[from, to]} allowDataOverflow tickFormatter={clock} stroke="var(--fg-faint)" fontSize={11} minTickGap={40} />
          <YAxis domain={[0, yMax]} ticks={[0, yMax / 4, yMax / 2, (3 * yMax) / 4, yMax]} allowDataOverflow tickFormatter={format} stroke="var(--fg-faint)" fontSize={11} width={64} />
          <Tooltip
            isAnimationActive={false}
            labelFormatter={(t) => clock(Number(t))}
            formatter={(v) => format(Number(v))}
            contentStyle={{ background: 'var(--bg-elev)', border: '1px solid var(--border)', fontSize: 12 }}
          />
          {series.map((s) => (
            <Line key={s.key} dataKey={s.key} name={s.label} stroke={`var(${s.color})`} strokeWidth={1.5} dot={false} isAnimationActive={false} connectNulls={false} type="linear" />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});

/** A round axis top at or above `v`: 1, 2 or 5 times a power of ten (of 1024 for bytes), so the axis does not jitter. */
export function niceCeil(v: number, binary = false): number {
  if (!(v > 0)) return 1;
  const base = binary ? 1024 : 10;
  let p = 1;
  while (p * base <= v) p *= base;
  for (const m of binary ? [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] : [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return base * p;
}
