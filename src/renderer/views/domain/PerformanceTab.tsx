import { useMemo, useState } from 'react';
import { LiveChart, niceCeil, type ChartSeries } from '../../components/LiveChart';
import { formatMiB, formatPct, formatRate } from '../../lib/format';
import { longRows, maxOf, resolutionWords, ringRows, RING_SECONDS, WINDOWS } from '../../lib/series';
import { useHistorySeed, useHourRows } from '../../store/history-seed';
import { M, stats, useStatsTick } from '../../store/stats-store';
import type { TabProps } from './tab-props';

const CPU: ChartSeries[] = [
  { key: 'guest', label: 'of its vCPUs', color: '--chart-cpu' },
  { key: 'host', label: 'of the host', color: '--chart-cpu2' },
];
const MEM: ChartSeries[] = [{ key: 'mem', label: 'in use', color: '--chart-mem' }];
const DISK: ChartSeries[] = [
  { key: 'rd', label: 'read', color: '--chart-disk' },
  { key: 'wr', label: 'write', color: '--chart-disk2' },
];
const NET: ChartSeries[] = [
  { key: 'rx', label: 'received', color: '--chart-net' },
  { key: 'tx', label: 'sent', color: '--chart-net2' },
];
const pct = (v: number) => formatPct(v);

/** CPU, memory, disk and network graphs over a chosen window, from the rings (1 s for 10 min, then 1 min buckets). */
export function PerformanceTab({ name, summary }: TabProps) {
  const tick = useStatsTick();
  const [win, setWin] = useState('5m');
  const seconds = WINDOWS.find((w) => w.id === win)?.seconds ?? 300;
  useHistorySeed(name);
  const long = seconds > RING_SECONDS;
  const hours = useHourRows(name, seconds, long);
  const to = stats.lastT || Date.now();
  const from = to - seconds * 1000;
  // Long windows change little per second: recompute them every fifth tick.
  const beat = seconds > 600 ? Math.floor(tick / 5) : tick;
  const data = useMemo(() => {
    void beat;
    const ring = stats.domains.get(name);
    const rows = (cols: Record<string, number>) => (long ? longRows(hours, ring, from, cols) : ringRows(ring, from, cols));
    return {
      cpu: rows({ guest: M.cpuGuest, host: M.cpuHost }),
      mem: rows({ mem: M.memMiB }),
      disk: rows({ rd: M.blkRead, wr: M.blkWrite }),
      net: rows({ rx: M.netRx, tx: M.netTx }),
    };
  }, [beat, name, seconds, hours]); // `from` follows the beat
  const memTop = niceCeil(Math.max(summary?.maxMemMiB ?? 0, maxOf(data.mem, ['mem']), 1), true);
  const diskTop = niceCeil(Math.max(maxOf(data.disk, ['rd', 'wr']), 64 * 1024), true);
  const netTop = niceCeil(Math.max(maxOf(data.net, ['rx', 'tx']), 16 * 1024), true);
  return (
    <div className="tab-body">
      <div className="row-gap">
        <label className="field-label inline">
          Window
          <select className="input" value={win} onChange={(e) => setWin(e.target.value)} data-testid="perf-window">
            {WINDOWS.map((w) => (
              <option key={w.id} value={w.id}>
                {w.label}
              </option>
            ))}
          </select>
        </label>
        <span className="muted small">{resolutionWords(seconds)}</span>
        {summary?.state === 'stopped' && <span className="muted small">Not running: showing history from while it ran.</span>}
      </div>
      <div className="chart-grid">
        <LiveChart title="CPU" data={data.cpu} series={CPU} from={from} to={to} yMax={100} format={pct} testId="chart-cpu" />
        <LiveChart title="Memory" data={data.mem} series={MEM} from={from} to={to} yMax={memTop} format={formatMiB} testId="chart-mem" />
        <LiveChart title="Disk I/O" data={data.disk} series={DISK} from={from} to={to} yMax={diskTop} format={formatRate} testId="chart-disk" />
        <LiveChart title="Network I/O" data={data.net} series={NET} from={from} to={to} yMax={netTop} format={formatRate} testId="chart-net" />
      </div>
    </div>
  );
}
