import * as Tabs from '@radix-ui/react-tabs';
import { Fragment, type ReactNode } from 'react';
import { ErrorNote } from '../components/ErrorNote';
import { SavedBadge } from '../components/SavedBadge';
import { stateLabel, stateWords } from '../lib/domain-list';
import { navigate } from '../lib/route';
import { useDomainData } from '../lib/use-domain';
import { selectDomain, useDomainsStore } from '../store/domains-store';
import { BootTab } from './domain/BootTab';
import { ConfigTab } from './domain/ConfigTab';
import { CpusTab } from './domain/CpusTab';
import { DisksTab } from './domain/DisksTab';
import { DisplayTab } from './domain/DisplayTab';
import { MemoryTab } from './domain/MemoryTab';
import { NetworkTab } from './domain/NetworkTab';
import { OverviewTab } from './domain/OverviewTab';
import { PerformanceTab } from './domain/PerformanceTab';
import { SnapshotsTab } from './domain/SnapshotsTab';
import { ConsolePanel } from './console/ConsolePanel';
import { detachConsole } from './console/detach';
import { DomainActionsBar } from './domain/DomainActionsBar';
import type { TabProps } from './domain/tab-props';

const TABS: { id: string; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'performance', label: 'Performance' },
  { id: 'cpus', label: 'CPUs' },
  { id: 'memory', label: 'Memory' },
  { id: 'boot', label: 'Boot' },
  { id: 'disks', label: 'Disks' },
  { id: 'network', label: 'Network' },
  { id: 'display', label: 'Display' },
  { id: 'snapshots', label: 'Snapshots' },
  { id: 'config', label: 'Config' },
  { id: 'console', label: 'Console' },
];

/**
 * The Console tab: the text or graphical console inside the app (the kind is in the route, so every "open console"
 * lands here with the way back beside it); a window of its own is an explicit choice.
 */
function ConsoleTab({ name, summary, kind }: TabProps & { kind: 'text' | 'vnc' }) {
  const running = summary !== undefined && summary.state !== 'stopped';
  const setKind = (k: 'text' | 'vnc'): void => navigate({ view: 'domain', name, tab: 'console', kind: k });
  const hasVnc = summary?.hasVnc === true;
  if (!running) return <div className="tab-body"><p className="muted" data-testid="console-tab-stopped">The domain is not running, so it has no console.</p></div>;
  return (
    <div className="tab-body console-tab">
      <div className="row-gap" role="group" aria-label="Console kind">
        <button type="button" className={`btn${kind === 'text' ? ' primary' : ''}`} aria-pressed={kind === 'text'} onClick={() => setKind('text')} data-testid="console-tab-text">
          Text console
        </button>
        <button
          type="button"
          className={`btn${kind === 'vnc' ? ' primary' : ''}`}
          aria-pressed={kind === 'vnc'}
          disabled={!hasVnc}
          title={hasVnc ? '' : 'This domain has no VNC display (vnc=1 or a vfb in its config).'}
          onClick={() => setKind('vnc')}
          data-testid="console-tab-vnc"
        >
          Graphical console
        </button>
        <button type="button" className="btn" onClick={() => detachConsole(name, kind)} data-testid="open-text-console">
          Open in a new window
        </button>
      </div>
      <div className="console-tab-body">
        <ConsolePanel key={`${name}-${kind}`} name={name} kind={kind} />
      </div>
    </div>
  );
}

/** One domain in tabs; the tab lives in the route (#/domains/NAME/TAB) so reload and back keep it. */
export function DomainDetailsView({ name, tab, kind = 'text' }: { name: string; tab: string; kind?: 'text' | 'vnc' }) {
  const summary = useDomainsStore(selectDomain(name));
  const loaded = useDomainsStore((s) => s.loaded);
  const summaryKey = summary ? `${summary.domid}:${summary.state}:${summary.vcpus}:${summary.maxVcpus}:${summary.memoryMiB}:${summary.maxMemMiB}:${summary.autostart}` : '';
  const data = useDomainData(name, summaryKey);
  const current = TABS.some((t) => t.id === tab) ? tab : 'overview';
  const props: TabProps = { name, summary, data };
  const content: Record<string, ReactNode> = {
    overview: <OverviewTab {...props} />,
    performance: <PerformanceTab {...props} />,
    cpus: <CpusTab {...props} />,
    memory: <MemoryTab {...props} />,
    boot: <BootTab {...props} />,
    disks: <DisksTab {...props} />,
    network: <NetworkTab {...props} />,
    display: <DisplayTab {...props} />,
    snapshots: <SnapshotsTab {...props} />,
    config: <ConfigTab {...props} />,
    console: <ConsoleTab {...props} kind={kind} />,
  };
  return (
    <div className="page details-page" data-testid="domain-details">
      <div className="page-head">
        <button type="button" className="btn" onClick={() => navigate({ view: 'domains' })} data-testid="back-to-list" aria-label="Back to the domain list">
          ← Domains
        </button>
        <h1 data-testid="details-name">{name}</h1>
        {summary && (
          <span className={`state-pill st-${stateLabel(summary)}`} data-testid="details-state" title={stateWords(summary)}>
            {stateLabel(summary)}
          </span>
        )}
        {summary?.savedFile && summary.state === 'stopped' && <SavedBadge file={summary.savedFile} testId="details-saved-badge" />}
      </div>
      {loaded && !summary && <p className="error-text" data-testid="details-missing">{`There is no domain called ${name} (it may have been renamed or deleted).`}</p>}
      {summary && <DomainActionsBar summary={summary} />}
      {data.error && <ErrorNote error={data.error} testId="details-error" />}
      <Tabs.Root value={current} onValueChange={(v) => navigate({ view: 'domain', name, tab: v })} className="tabs" activationMode="manual">
        <Tabs.List className="tab-list" aria-label={`${name} details`}>
          {TABS.map((t) => (
            <Tabs.Trigger key={t.id} value={t.id} className="tab" data-testid={`tab-${t.id}`}>
              {t.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        <Tabs.Content value={current} className="tab-panel" data-testid={`panel-${current}`}>
          {/* Keyed by the domain: a form's unsaved state (the raw editor's text) never carries to another domain. */}
          <Fragment key={name}>{content[current]}</Fragment>
        </Tabs.Content>
      </Tabs.Root>
    </div>
  );
}
