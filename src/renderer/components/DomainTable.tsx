import * as CM from '@radix-ui/react-context-menu';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, type KeyboardEvent, type MouseEvent, type RefObject } from 'react';
import type { DomainSample, DomainSummary } from '../../shared/dto';
import { addressSummary, addressWords, type GuestIp } from '../../shared/network';
import { useActions } from '../lib/actions';
import { SavedBadge } from './SavedBadge';
import { clickSelect, domidShown, nextSort, stateLabel, stateWords, uptimeNow, type ListRow, type SortKey, type SortSpec } from '../lib/domain-list';
import { formatMiB, formatPct, formatUptime } from '../lib/format';
import { useListUi } from '../lib/list-ui';
import { navigate } from '../lib/route';
import { useDomainsStore } from '../store/domains-store';
import { useAddressesStore } from '../store/addresses-store';
import { M } from '../store/stats-store';
import { DomainMenuContent } from './DomainMenu';
import { onGridKey, rowId, select } from './domain-table-keys';
import { Sparkline, type SparkLine } from './Sparkline';

export { rowId };

const ROW_H = 34;

// Stable line lists so memoised sparklines do not redraw on every render.
const CPU_LINES: SparkLine[] = [
  { metric: M.cpuHost, color: '--chart-cpu2' },
  { metric: M.cpuGuest, color: '--chart-cpu' },
];
const MEM_LINES: SparkLine[] = [{ metric: M.memMiB, color: '--chart-mem' }];
const DISK_LINES: SparkLine[] = [
  { metric: M.blkWrite, color: '--chart-disk2' },
  { metric: M.blkRead, color: '--chart-disk' },
];
const NET_LINES: SparkLine[] = [
  { metric: M.netTx, color: '--chart-net2' },
  { metric: M.netRx, color: '--chart-net' },
];

interface Col {
  key: SortKey | null;
  label: string;
  title?: string;
}

const COLS: Col[] = [
  { key: 'name', label: 'Name' },
  { key: 'id', label: 'ID' },
  { key: 'type', label: 'Type' },
  { key: 'state', label: 'State' },
  { key: 'vcpus', label: 'vCPUs' },
  { key: 'memory', label: 'Memory' },
  { key: 'uptime', label: 'Uptime' },
  { key: 'cpu', label: 'CPU', title: 'Dark: share of its own vCPUs; light: share of the whole host' },
  { key: null, label: 'Memory use' },
  { key: null, label: 'Disk I/O', title: 'Dark: read; light: write' },
  { key: null, label: 'Network', title: 'Dark: received; light: sent' },
];

interface RowProps {
  d: DomainSummary;
  s: DomainSample | undefined;
  selected: boolean;
  active: boolean;
  busy: string | undefined;
  failed: boolean;
  uptime: number | null;
  /** The domain's addresses with their sources (running domains with a known address only). */
  ips: GuestIp[] | undefined;
  top: number;
  onClick: (e: MouseEvent, name: string) => void;
  onContext: (name: string) => void;
}

/** A running domain's address beneath its name: the first IPv4 and how many more; each with its source on hover. */
function AddressLine({ name, ips }: { name: string; ips: GuestIp[] }) {
  const sum = addressSummary(ips);
  if (sum === null) return null;
  const words = ips.map(addressWords).join('\n');
  return (
    <span className="ip-line mono" title={words} data-testid={`ip-${name}`}>
      {sum.first}
      {sum.more > 0 && <span className="muted">{` +${sum.more}`}</span>}
      <span className="sr-only">{`: ${words}`}</span>
    </span>
  );
}

/** The name with its autostart tag, the state of the last action on it, and its address beneath when known. */
function NameCell({ d, busy, failed, ips }: { d: DomainSummary; busy: string | undefined; failed: boolean; ips: GuestIp[] | undefined }) {
  const withIp = ips !== undefined && ips.length > 0 && d.state !== 'stopped';
  return (
    <div role="gridcell" className={`c-name${withIp ? ' with-ip' : ''}`}>
      <span className="name-line">
        <span className="name-text">{d.name}</span>
        {d.autostart && (
          <span className="tag" title="Starts when the host boots">
            auto
          </span>
        )}
        {d.savedFile !== null && d.state === 'stopped' && <SavedBadge file={d.savedFile} testId={`saved-badge-${d.name}`} />}
        {busy && (
          <span className="busy" data-testid={`busy-${d.name}`}>
            <span className="spinner" aria-hidden="true" />
            {busy}…
          </span>
        )}
        {failed && !busy && (
          <span className="failed-mark" title="The last action failed; see the result panel" data-testid={`failed-${d.name}`}>
            ⚠
          </span>
        )}
      </span>
      {withIp && <AddressLine name={d.name} ips={ips} />}
    </div>
  );
}

/** One row; the numbers change every tick, the sparklines draw themselves. */
const Row = memo(function Row({ d, s, selected, active, busy, failed, uptime, ips, top, onClick, onContext }: RowProps) {
  const state = stateLabel(d, s);
  const mem = s ? s.memKiB / 1024 : d.memoryMiB;
  // A live sample wins over the list row: a domain started from a terminal shows within one tick, before the refetch.
  const running = d.state !== 'stopped' || s !== undefined;
  return (
    <div
      role="row"
      id={rowId(d.name)}
      aria-selected={selected}
      className={`grid-row${selected ? ' selected' : ''}${active ? ' active' : ''}`}
      style={{ top }}
      data-testid={`domain-row-${d.name}`}
      data-state={state}
      onClick={(e) => onClick(e, d.name)}
      onDoubleClick={() => navigate({ view: 'domain', name: d.name, tab: 'overview' })}
      onContextMenu={() => onContext(d.name)}
    >
      <NameCell d={d} busy={busy} failed={failed} ips={ips} />
      <div role="gridcell" className="c-num">{domidShown(d, s) ?? '—'}</div>
      <div role="gridcell">{d.type ? d.type.toUpperCase() : '—'}</div>
      <div role="gridcell" title={stateWords(d, s)} data-testid={`state-${d.name}`}>
        <span className={`state-dot st-${state}`} aria-hidden="true" />
        {state}
        <span className="sr-only">{`: ${stateWords(d, s)}`}</span>
      </div>
      <div role="gridcell" className="c-num">{d.vcpus}</div>
      <div role="gridcell" className="c-num">{formatMiB(mem)}</div>
      <div role="gridcell" className="c-num">{formatUptime(uptime)}</div>
      <div role="gridcell" className="c-spark">
        {running ? <Sparkline name={d.name} lines={CPU_LINES} max={100} label={`CPU of ${d.name}`} testId={`spark-cpu-${d.name}`} /> : <span className="spark-empty" />}
        <span className="spark-val">{s ? formatPct(s.cpuGuestPct) : ''}</span>
      </div>
      <div role="gridcell" className="c-spark">
        {running ? <Sparkline name={d.name} lines={MEM_LINES} max={Math.max(d.maxMemMiB, d.memoryMiB, 1)} label={`Memory of ${d.name}`} /> : <span className="spark-empty" />}
      </div>
      <div role="gridcell" className="c-spark">
        {running ? <Sparkline name={d.name} lines={DISK_LINES} minMax={64 * 1024} label={`Disk I/O of ${d.name}`} /> : <span className="spark-empty" />}
      </div>
      <div role="gridcell" className="c-spark">
        {running ? <Sparkline name={d.name} lines={NET_LINES} minMax={16 * 1024} label={`Network I/O of ${d.name}`} /> : <span className="spark-empty" />}
      </div>
    </div>
  );
});

/** Row click and right-click handlers that stay the same function across renders, so memoised rows do not redraw. */
function useRowHandlers(scrollRef: RefObject<HTMLDivElement | null>, selected: string[], order: string[], anchor: string | null) {
  // Handlers read the latest state through refs so memoised rows keep stable callbacks.
  const latest = useRef({ selected, order, anchor });
  latest.current = { selected, order, anchor };
  const onClick = useMemo(
    () => (e: MouseEvent, name: string) => {
      const l = latest.current;
      const next = clickSelect(l.selected, l.order, name, l.anchor, { ctrl: e.ctrlKey || e.metaKey, shift: e.shiftKey });
      select(next);
      useListUi.getState().set({ active: name, anchor: e.shiftKey ? l.anchor : name });
      scrollRef.current?.focus({ preventScroll: true });
    },
    [scrollRef],
  );
  const onContext = useMemo(
    () => (name: string) => {
      if (!latest.current.selected.includes(name)) {
        select([name]);
        useListUi.getState().set({ active: name, anchor: name });
      }
    },
    [],
  );
  return { onClick, onContext };
}

/** With no active row yet, the first selected row (or the first row) becomes the one the keys move from. */
function useDefaultActive(active: string | null, order: string[], selected: string[], setUi: ReturnType<typeof useListUi.getState>['set']): void {
  useEffect(() => {
    if (active === null && order.length > 0) setUi({ active: selected[0] ?? order[0] ?? null });
  }, [active, order, selected, setUi]);
}

/** The header row: each sortable column's button shows and changes the sort. */
function GridHead({ sort, onSort }: { sort: SortSpec; onSort: (key: SortKey) => void }) {
  return (
    <div role="rowgroup" className="grid-head">
      <div role="row" className="grid-row head">
        {COLS.map((c) => (
          <div
            role="columnheader"
            key={c.label}
            title={c.title}
            aria-sort={c.key !== null && sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
          >
            {c.key ? (
              <button type="button" className="sort-btn" data-testid={`sort-${c.key}`} onClick={() => onSort(c.key as SortKey)}>
                {c.label}
                <span className="sort-arrow" aria-hidden="true">
                  {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                </span>
              </button>
            ) : (
              c.label
            )}
          </div>
        ))}
      </div>
    </div>
  );
}

/** What the grid reads from the stores: the selection, the list's sort and keyboard position, each domain's action and addresses. */
function useGridStores() {
  const selected = useDomainsStore((s) => s.selected);
  const sort = useListUi((s) => s.sort);
  const active = useListUi((s) => s.active);
  const anchor = useListUi((s) => s.anchor);
  const setUi = useListUi((s) => s.set);
  const busy = useActions((s) => s.busy);
  const outcomes = useActions((s) => s.outcomes);
  const addresses = useAddressesStore((s) => s.byName);
  return { selected, sort, active, anchor, setUi, busy, outcomes, addresses };
}

/** The virtualised, sortable domain grid with selection, keyboard and context menu. */
export function DomainTable({ rows, fetchedAt, now, empty = 'No domain matches.' }: { rows: ListRow[]; fetchedAt: number; now: number; empty?: string }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const { selected, sort, active, anchor, setUi, busy, outcomes, addresses } = useGridStores();
  const order = useMemo(() => rows.map((r) => r.d.name), [rows]);
  const selSet = useMemo(() => new Set(selected), [selected]);

  const virt = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_H, overscan: 6 });
  const { onClick, onContext } = useRowHandlers(scrollRef, selected, order, anchor);

  useDefaultActive(active, order, selected, setUi);

  const selection = useMemo(() => rows.filter((r) => selSet.has(r.d.name)).map((r) => r.d), [rows, selSet]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.target !== e.currentTarget) return;
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 300) / ROW_H) - 1);
    onGridKey(e, { order, active, anchor, selected, selSet, selection, page, scrollToIndex: (i) => virt.scrollToIndex(i), setUi });
  };

  const items = virt.getVirtualItems();
  return (
    <div className="domain-grid" role="grid" aria-label="Domains" aria-rowcount={rows.length + 1} aria-multiselectable="true" data-testid="domain-grid">
      <GridHead sort={sort} onSort={(key) => setUi({ sort: nextSort(sort, key) })} />
      <CM.Root>
        <CM.Trigger asChild>
          <div
            ref={scrollRef}
            className="grid-body"
            role="rowgroup"
            tabIndex={0}
            aria-activedescendant={active ? rowId(active) : undefined}
            onKeyDown={onKeyDown}
            data-testid="domain-grid-body"
          >
            <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
              {items.map((it) => {
                const r = rows[it.index];
                if (!r) return null;
                const name = r.d.name;
                return (
                  <Row
                    key={name}
                    d={r.d}
                    s={r.s}
                    selected={selSet.has(name)}
                    active={active === name}
                    busy={busy[name]}
                    failed={outcomes[name]?.ok === false}
                    uptime={uptimeNow(r.d, fetchedAt, now)}
                    ips={addresses[name]}
                    top={it.start}
                    onClick={onClick}
                    onContext={onContext}
                  />
                );
              })}
            </div>
            {rows.length === 0 && <div className="empty muted" data-testid="domain-grid-empty">{empty}</div>}
          </div>
        </CM.Trigger>
        <DomainMenuContent selection={selection} />
      </CM.Root>
    </div>
  );
}
