import { useAppStore } from '../store/app-store';

/** The host at a glance: Xen version, CPUs, memory, scheduler and the guest types it can run. */
export function HostView() {
  const host = useAppStore((s) => s.host);
  const error = useAppStore((s) => s.hostError);
  if (error) return <div className="page error-text" data-testid="host-error">{error}</div>;
  if (!host) return <div className="page muted">Loading host…</div>;
  return (
    <div className="page" data-testid="host-view">
      <h1>{host.hostname}</h1>
      <div className="card">
        <dl className="grid-facts">
          <dt>Xen</dt>
          <dd data-testid="host-xen-version">{host.xenVersion}</dd>
          <dt>dom0 kernel</dt>
          <dd>{host.release}</dd>
          <dt>CPUs</dt>
          <dd>{`${host.nrCpus} (${host.nrNodes} node${host.nrNodes === 1 ? '' : 's'}, ${host.coresPerSocket} cores per socket, ${host.threadsPerCore} threads per core) at ${host.cpuMhz} MHz`}</dd>
          <dt>Memory</dt>
          <dd>{`${host.freeMemMiB} MiB free of ${host.totalMemMiB} MiB; dom0 holds ${host.dom0MemMiB} MiB`}</dd>
          <dt>Scheduler</dt>
          <dd>{host.scheduler}</dd>
          <dt>Guest types</dt>
          <dd>{host.guestTypes.map((t) => t.toUpperCase()).join(', ')}</dd>
          <dt>Bridges</dt>
          <dd>{host.bridges.length ? host.bridges.join(', ') : 'none found'}</dd>
        </dl>
      </div>
    </div>
  );
}
