import { useMemo, useRef, useState } from 'react';
import { ActionDialogs } from '../components/ActionDialogs';
import { DomainTable } from '../components/DomainTable';
import { DomainToolbar } from '../components/DomainToolbar';
import { ResultPanel } from '../components/ResultPanel';
import { filterRows, holdOrder, sortRows, type ListRow, type ShownOrder } from '../lib/domain-list';
import { useListUi } from '../lib/list-ui';
import { useRoute } from '../lib/route';
import { useDomainsStore } from '../store/domains-store';
import { useAddressFeed } from '../store/addresses-store';
import { stats, useStatsTick } from '../store/stats-store';
import { DomainDetailsView } from './DomainDetailsView';

/** Domains: the list, or one domain's details when the route names one. */
export function DomainsView() {
  const route = useRoute();
  return (
    <>
      {route.view === 'domain' ? <DomainDetailsView name={route.name} tab={route.tab} kind={route.kind ?? 'text'} /> : <DomainList />}
      <ActionDialogs />
    </>
  );
}

/** What an empty list says: why there is nothing, not "no match" when the host did not answer or has no domains. */
function emptyWords(error: string | null, count: number, query: string): string {
  if (error !== null && count === 0) return 'No domains to show: the host did not answer (see above). Xenith asks again when it does.';
  if (count === 0) return 'This host has no domains yet. New VM… makes one.';
  return query.trim() === '' ? 'No domains.' : `No domain matches “${query.trim()}”.`;
}

/** Every domain, running and stopped, with live sparklines; re-filtered on every tick, re-sorted calmly (holdOrder). */
function DomainList() {
  const domains = useDomainsStore((s) => s.domains);
  const error = useDomainsStore((s) => s.error);
  const loaded = useDomainsStore((s) => s.loaded);
  const selected = useDomainsStore((s) => s.selected);
  const sort = useListUi((s) => s.sort);
  const query = useListUi((s) => s.query);
  const tick = useStatsTick();
  // The addresses are asked for once the list has painted, so they never delay it.
  useAddressFeed(loaded);
  // Uptime in the summary is as of the fetch; later renders add the time since.
  const fetchedAt = useMemo(() => (domains ? Date.now() : 0), [domains]);
  const now = stats.lastT || Date.now();
  // Under the pointer, and for a few seconds after each re-sort, a sort by CPU or memory keeps its order.
  const [hover, setHover] = useState(false);
  const shown = useRef<ShownOrder | null>(null);
  const rows = useMemo(() => {
    void tick;
    const all: ListRow[] = domains.map((d) => ({ d, s: stats.latest.get(d.name) }));
    const held = holdOrder(sortRows(filterRows(all, query), sort, fetchedAt, now), sort, query, shown.current, { now: Date.now(), hold: hover });
    shown.current = held.shown;
    return held.rows;
  }, [domains, tick, query, sort, fetchedAt, now, hover]);
  const selection = useMemo(() => {
    const set = new Set(selected);
    return domains.filter((d) => set.has(d.name));
  }, [domains, selected]);
  return (
    <div className="page list-page" data-testid="domains-view">
      <div className="page-head">
        <h1>Domains</h1>
        <span className="muted" data-testid="domain-count">{`${rows.length} of ${domains.length} shown${selected.length ? ` · ${selected.length} selected` : ''}`}</span>
      </div>
      <DomainToolbar selection={selection} />
      {error && <p className="error-text" data-testid="domains-error">{error}</p>}
      <ResultPanel />
      {!loaded ? (
        <p className="muted">Loading domains…</p>
      ) : (
        <div className="grid-holder" onPointerEnter={() => setHover(true)} onPointerLeave={() => setHover(false)} data-testid="domain-grid-holder">
          <DomainTable rows={rows} fetchedAt={fetchedAt} now={now} empty={emptyWords(error, domains.length, query)} />
        </div>
      )}
    </div>
  );
}
