import { useMemo, useState } from 'react';
import type { HostInfo } from '../../shared/dto';
import { LiveChart, type ChartSeries } from '../components/LiveChart';
import { DmesgPanel } from '../components/DmesgPanel';
import { formatMiB, formatPct } from '../lib/format';
import { ringRows } from '../lib/series';
import { useAppStore } from '../store/app-store';
import { useDomainsStore } from '../store/domains-store';
import { HM, stats, useStatsTick } from '../store/stats-store';
import { useHistorySeed } from '../store/history-seed';

const CPU: ChartSeries[] = [{ key: 'cpu', label: 'all CPUs', color: '--chart-cpu' }];
const MEM: ChartSeries[] = [{ key: 'used', label: 'used by domains', color: '--chart-mem' }];
const HOST_WINDOW_S = 300;

function HostCharts({ totalMiB }: { totalMiB: number }) {
  const tick = useStatsTick();
  useHistorySeed(null);
  const to = stats.lastT || Date.now();
  const from = to - HOST_WINDOW_S * 1000;
  const data = useMemo(() => {
    void tick;
    return { cpu: ringRows(stats.host, from, { cpu: HM.cpuPct }), mem: ringRows(stats.host, from, { used: HM.memUsedMiB }) };
  }, [tick, from]);
  const memTop = Math.max(totalMiB, stats.host.last(HM.memTotalMiB), 1);
  return (
    <div className="chart-grid">
      <LiveChart title="Host CPU (last 5 minutes)" data={data.cpu} series={CPU} from={from} to={to} yMax={100} format={formatPct} testId="host-chart-cpu" />
      <LiveChart title="Host memory" data={data.mem} series={MEM} from={from} to={to} yMax={memTop} format={formatMiB} testId="host-chart-mem" />
    </div>
  );
}

const ALL_TYPES = ['pv', 'pvh', 'hvm'] as const;

/** The page shown when host:info failed, with a retry. */
function HostError({ error }: { error: string }) {
  return (
    <div className="page" data-testid="host-error">
      <h1>Host</h1>
      <p className="error-text">{error}</p>
      <button type="button" className="btn" onClick={() => void useAppStore.getState().loadHost()}>
        Try again
      </button>
    </div>
  );
}

/** Which guest types the host can run, and its raw virt_caps on demand. */
function GuestTypes({ host, showCaps, setShowCaps }: { host: HostInfo; showCaps: boolean; setShowCaps: (v: boolean) => void }) {
  return (
    <dd data-testid="host-guest-types">
      {ALL_TYPES.map((t) => (
        <span key={t} className={`tag ${host.guestTypes.includes(t) ? 'yes' : 'no'}`} title={host.guestTypes.includes(t) ? 'This host can run it' : 'Not available on this host'}>
          {`${t.toUpperCase()} ${host.guestTypes.includes(t) ? '✓' : '✗'}`}
        </span>
      ))}
      <button type="button" className="link-btn" aria-expanded={showCaps} onClick={() => setShowCaps(!showCaps)}>
        {showCaps ? 'hide virt_caps' : 'virt_caps'}
      </button>
      {showCaps && <span className="mono small">{` ${host.virtCaps.join(' ')}`}</span>}
    </dd>
  );
}

interface HypervisorCardProps {
  host: HostInfo;
  running: string | undefined;
  total: string | undefined;
  showCaps: boolean;
  setShowCaps: (v: boolean) => void;
}

/** Xen version, scheduler, dom0 kernel, guest types, Xen's command line and the domain count. */
function HypervisorCard({ host, running, total, showCaps, setShowCaps }: HypervisorCardProps) {
  return (
    <section className="card">
      <h2>Hypervisor</h2>
      <dl className="grid-facts">
        <dt>Xen</dt>
        <dd data-testid="host-xen-version">{host.xenVersion}</dd>
        <dt>Scheduler</dt>
        <dd data-testid="host-scheduler">{host.scheduler}</dd>
        <dt>dom0 kernel</dt>
        <dd>{`${host.release} (${host.machine})`}</dd>
        <dt>Guest types</dt>
        <GuestTypes host={host} showCaps={showCaps} setShowCaps={setShowCaps} />
        <dt>Command line</dt>
        <dd className="mono small wrap">{host.xenCommandline || '—'}</dd>
        <dt>Domains</dt>
        <dd>{`${running ?? 0} running of ${total ?? 0}`}</dd>
      </dl>
    </section>
  );
}

/** CPUs, topology, memory, bridges, and a meter of memory held by dom0, other domains and free. */
function CpuMemoryCard({ host }: { host: HostInfo }) {
  return (
    <section className="card">
      <h2>CPUs and memory</h2>
      <dl className="grid-facts">
        <dt>CPUs</dt>
        <dd data-testid="host-cpus">{`${host.nrCpus} at ${Math.round(host.cpuMhz)} MHz`}</dd>
        <dt>Topology</dt>
        <dd data-testid="host-topology">{`${host.nrNodes} NUMA node${host.nrNodes === 1 ? '' : 's'}, ${host.coresPerSocket} cores per socket, ${host.threadsPerCore} thread${host.threadsPerCore === 1 ? '' : 's'} per core`}</dd>
        <dt>Total memory</dt>
        <dd data-testid="host-mem-total">{formatMiB(host.totalMemMiB)}</dd>
        <dt>Free memory</dt>
        <dd data-testid="host-mem-free">{formatMiB(host.freeMemMiB)}</dd>
        <dt>dom0 holds</dt>
        <dd data-testid="host-dom0-mem">{formatMiB(host.dom0MemMiB)}</dd>
        <dt>Bridges</dt>
        <dd data-testid="host-bridges">{host.bridges.length ? host.bridges.map((b) => <span key={b} className="tag mono">{b}</span>) : 'none found'}</dd>
      </dl>
      <div className="meter" role="meter" aria-valuemin={0} aria-valuemax={host.totalMemMiB} aria-valuenow={host.totalMemMiB - host.freeMemMiB} aria-label="Memory in use">
        <span className="meter-dom0" style={{ width: `${(100 * host.dom0MemMiB) / Math.max(host.totalMemMiB, 1)}%` }} />
        <span className="meter-used" style={{ width: `${(100 * Math.max(0, host.totalMemMiB - host.freeMemMiB - host.dom0MemMiB)) / Math.max(host.totalMemMiB, 1)}%` }} />
      </div>
      <p className="muted small">dom0 · other domains · free</p>
    </section>
  );
}

/** The host: Xen version, CPUs and topology, memory, dom0, scheduler, guest types, live graphs, bridges and the hypervisor log. */
export function HostView() {
  const host = useAppStore((s) => s.host);
  const error = useAppStore((s) => s.hostError);
  const [showCaps, setShowCaps] = useState(false);
  const counts = useDomainsStore((s) => {
    let running = 0;
    for (const d of s.domains) if (d.state !== 'stopped') running++;
    return `${running}/${s.domains.length}`;
  });
  if (error) return <HostError error={error} />;
  if (!host) return <div className="page muted">Loading host…</div>;
  const [running, total] = counts.split('/');
  return (
    <div className="page" data-testid="host-view">
      <div className="page-head">
        <h1>{host.hostname}</h1>
        <button type="button" className="btn" onClick={() => void useAppStore.getState().loadHost()} data-testid="host-refresh">
          Refresh
        </button>
      </div>
      <div className="host-grid">
        <HypervisorCard host={host} running={running} total={total} showCaps={showCaps} setShowCaps={setShowCaps} />
        <CpuMemoryCard host={host} />
      </div>
      <HostCharts totalMiB={host.totalMemMiB} />
      <DmesgPanel />
    </div>
  );
}
