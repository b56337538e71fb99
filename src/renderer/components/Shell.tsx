import { useEffect, useState, type ReactNode } from 'react';
import type { HostInfo, ToolstackStatus } from '../../shared/dto';
import { useAppStore, useLink, type ThemeChoice } from '../store/app-store';
import { useDomainsStore } from '../store/domains-store';
import { navigate, useRoute, type Route } from '../lib/route';
import { xen } from '../api/client';
import { HM, startStatsFeed, stats, useStatsTick } from '../store/stats-store';
import { freeMemWords } from '../lib/format';
import { statusWords } from '../lib/status-words';
import { selectRunning, selectUnseenFailures, useTasksStore } from '../store/tasks-store';

const AREAS = ['[data-area="sidebar"]', '[data-area="main"]', '[data-area="status"]'];

const VIEW_KEYS: Record<string, Route> = { '1': { view: 'host' }, '2': { view: 'domains' }, '3': { view: 'tasks' }, '4': { view: 'networks' } };

/** F6 / Shift+F6 move focus between the sidebar, the main area and the status bar; Ctrl+1/2/3/4 open Host/Domains/Tasks/Networks. */
function useAreaKeys(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F6') {
        e.preventDefault();
        const current = AREAS.findIndex((sel) => document.querySelector(sel)?.contains(document.activeElement));
        const next = (current + (e.shiftKey ? AREAS.length - 1 : 1) + AREAS.length) % AREAS.length;
        const area = document.querySelector<HTMLElement>(AREAS[next] ?? '');
        const target = area?.querySelector<HTMLElement>('button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])') ?? area;
        target?.focus();
      } else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && VIEW_KEYS[e.key]) {
        e.preventDefault();
        navigate(VIEW_KEYS[e.key] as Route);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function NavItem({ route, current, label, extra, testId }: { route: Route; current: boolean; label: string; extra?: ReactNode; testId: string }) {
  return (
    <button className="nav-item" aria-current={current ? 'page' : undefined} data-testid={testId} onClick={() => navigate(route)}>
      <span>{label}</span>
      {extra}
    </button>
  );
}

/** The sidebar's count beside Tasks: how many run now, when any do. */
function TasksCount() {
  const running = useTasksStore(selectRunning);
  return running > 0 ? <span className="count" data-testid="nav-tasks-running">{`${running} running`}</span> : null;
}

/** Free memory as of the last stats tick (xentop's host line, every second), else as host facts said at load. */
function liveFreeMem(host: HostInfo): string {
  const total = stats.host.last(HM.memTotalMiB);
  if (stats.host.lastTime > 0 && total > 0) return freeMemWords(total - stats.host.last(HM.memUsedMiB), total);
  return freeMemWords(host.freeMemMiB, host.totalMemMiB);
}

/**
 * Browser mode's link to Xenith's server: while it is down, seconds until the next attempt (re-rendered each second)
 * and a title that says so; null while it is up.
 */
function useLinkDown(): number | null {
  const link = useLink();
  const [, setNow] = useState(0);
  useEffect(() => {
    document.title = link.up ? 'Xenith' : 'Connection lost — Xenith';
    if (link.up) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [link.up]);
  return link.up ? null : Math.max(0, Math.ceil(((link.retryAt ?? Date.now()) - Date.now()) / 1000));
}

/** The status bar's way into the task log: how many tasks run, and a badge for failures not yet seen. */
function TasksButton() {
  const running = useTasksStore(selectRunning);
  const failed = useTasksStore(selectUnseenFailures);
  const words = [running > 0 ? `${running} running` : null, failed > 0 ? `${failed} failed` : null].filter((w) => w !== null).join(', ');
  return (
    <button type="button" className="status-tasks" onClick={() => navigate({ view: 'tasks' })} data-testid="status-tasks" aria-label={`Tasks${words ? `: ${words}` : ''}`} title="The task log (Ctrl+3)">
      {running > 0 ? <span className="spinner" aria-hidden="true" /> : null}
      <span>Tasks</span>
      {running > 0 && <span className="status-count" data-testid="status-tasks-running">{`${running} running`}</span>}
      {failed > 0 && <span className="status-failed" data-testid="status-tasks-failed">{`${failed} failed`}</span>}
    </button>
  );
}

/** The toolstack connection, the host's CPUs and free memory (live), and how many domains run. */
function StatusBar({ status, host, running, count }: { status: ToolstackStatus | null; host: HostInfo | null; running: number; count: number }) {
  const lostFor = useLinkDown();
  const words = lostFor === null ? statusWords(status) : { text: `Lost the connection to Xenith — reconnecting${lostFor > 0 ? ` in ${lostFor} s` : '…'}`, dot: 'bad' };
  useStatsTick();
  return (
    <footer className="statusbar" data-area="status" data-testid="statusbar">
      <span data-testid="status-toolstack" data-connection={lostFor !== null ? 'lost' : (status?.connection ?? 'connecting')} tabIndex={0} title={status?.message ?? ''}>
        <span className={`dot ${words.dot}`} aria-hidden="true" />
        {words.text}
      </span>
      <span data-testid="status-host">{host ? `${host.nrCpus} CPUs · ${liveFreeMem(host)}` : ''}</span>
      <span>{`${running} running · ${count - running} stopped`}</span>
      <TasksButton />
    </footer>
  );
}

/** The main area; greyed, with a line saying why, while Xenith's server does not answer. */
function MainArea({ children }: { children: ReactNode }) {
  const linkUp = useLink((s) => s.up);
  return (
    <main className={`main${linkUp ? '' : ' stale'}`} data-area="main" tabIndex={-1}>
      {!linkUp && (
        <div className="stale-banner" role="status" data-testid="link-lost">
          Xenith&apos;s server does not answer: what you see may be out of date, and actions wait until it is back.
        </div>
      )}
      {children}
    </main>
  );
}

/** The frame around every view: title bar with the host's name, sidebar, main area and status bar. */
export function Shell({ children }: { children: ReactNode }) {
  useAreaKeys();
  // Stats flow into the rings for as long as the window is open, whichever view shows: history survives navigation.
  useEffect(() => startStatsFeed((cb) => xen.on('stats:sample', cb)), []);
  const route = useRoute();
  const status = useAppStore((s) => s.status);
  const host = useAppStore((s) => s.host);
  const hostError = useAppStore((s) => s.hostError);
  const theme = useAppStore((s) => s.theme);
  const setTheme = (t: ThemeChoice) => useAppStore.getState().setTheme(t);
  const count = useDomainsStore((s) => s.domains.length);
  const running = useDomainsStore((s) => s.domains.filter((d) => d.state !== 'stopped').length);

  const inDomains = route.view === 'domains' || route.view === 'domain';
  return (
    <div className="shell">
      <header className="titlebar" data-testid="titlebar">
        <span className="logo">Xenith</span>
        <span className="host" data-testid="title-host">
          {host ? `${host.hostname} — Xen ${host.xenVersion}` : hostError ? 'host unreachable' : 'connecting…'}
        </span>
        {status?.kind === 'demo' && (
          <span className="badge demo" data-testid="demo-badge" title="A simulated Xen host: nothing here touches a real hypervisor.">
            DEMO HOST
          </span>
        )}
        <span className="spacer" />
        <label className="muted" htmlFor="theme-select">
          Theme
        </label>
        <select id="theme-select" data-testid="theme-select" value={theme} onChange={(e) => setTheme(e.target.value as ThemeChoice)}>
          <option value="system">System</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </header>
      <nav className="sidebar" data-area="sidebar" aria-label="Sections">
        <div className="section">This host</div>
        <NavItem route={{ view: 'host' }} current={route.view === 'host'} label="Host" testId="nav-host" />
        <NavItem route={{ view: 'storage' }} current={route.view === 'storage'} label="Storage" testId="nav-storage" />
        <NavItem route={{ view: 'networks' }} current={route.view === 'networks'} label="Networks" testId="nav-networks" />
        <NavItem
          route={{ view: 'domains' }}
          current={inDomains}
          label="Domains"
          testId="nav-domains"
          extra={<span className="count" data-testid="nav-domains-count">{`${running}/${count}`}</span>}
        />
        <NavItem route={{ view: 'new' }} current={route.view === 'new'} label="New VM…" testId="nav-new" />
        <div className="section">Activity</div>
        <NavItem route={{ view: 'tasks' }} current={route.view === 'tasks'} label="Tasks" testId="nav-tasks" extra={<TasksCount />} />
      </nav>
      <MainArea>{children}</MainArea>
      <StatusBar status={status} host={host} running={running} count={count} />
    </div>
  );
}
