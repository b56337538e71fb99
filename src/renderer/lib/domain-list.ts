import type { DomainSample, DomainSummary } from '../../shared/dto';
import { describeStateLetters } from '../../shared/state-words';

/** Columns the domain list sorts by. */
export type SortKey = 'name' | 'id' | 'type' | 'state' | 'vcpus' | 'memory' | 'uptime' | 'cpu';

/** Sort order. */
export interface SortSpec {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** A list row: the summary plus the live sample when the domain runs. */
export interface ListRow {
  d: DomainSummary;
  s: DomainSample | undefined;
}

const STATE_ORDER: Record<string, number> = { running: 0, blocked: 1, paused: 2, shutdown: 3, crashed: 4, dying: 5, saved: 6, stopped: 7 };

/** State in words for a row: the live letters when there is a sample, else the summary's. */
export function stateWords(d: DomainSummary, s?: DomainSample): string {
  if (isSaved(d, s)) return `saved (not running; its memory is in ${d.savedFile ?? ''}, and Start offers to restore it)`;
  if (d.state === 'stopped' && !s) return 'stopped (defined, not running)';
  return describeStateLetters(s?.stateFlags ?? d.stateFlags);
}

/** True for a stopped domain with a saved state (and no live sample saying it runs after all). */
export function isSaved(d: DomainSummary, s?: DomainSample): boolean {
  return d.state === 'stopped' && d.savedFile !== null && s === undefined;
}

/** Short state label: the live state when there is a sample; "saved" for a stopped domain with a saved state. */
export function stateLabel(d: DomainSummary, s?: DomainSample): string {
  return s?.state ?? (isSaved(d) ? 'saved' : d.state);
}

/**
 * The ID column: the list's domid (read from `xl list`, refetched whenever a tick shows a domain come, go or change
 * domid), else a live sample's known one (a domain started from a terminal shows before the refetch), else null.
 */
export function domidShown(d: DomainSummary, s?: DomainSample): number | null {
  if (d.domid !== null) return d.domid;
  return s !== undefined && s.domid >= 0 ? s.domid : null;
}

/** Uptime now, from the summary's value at `fetchedAt` (epoch ms) plus the time since. */
export function uptimeNow(d: DomainSummary, fetchedAt: number, now: number): number | null {
  if (d.uptimeS === null || d.state === 'stopped') return null;
  return d.uptimeS + Math.max(0, (now - fetchedAt) / 1000);
}

/** Rows whose name, state, type or id matches every word of `query` (case-insensitive); "running", "pvh", "7" work. */
export function filterRows(rows: readonly ListRow[], query: string): ListRow[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows.slice();
  return rows.filter((r) => {
    const hay = `${r.d.name} ${stateLabel(r.d, r.s)} ${r.d.type ?? ''} ${r.d.domid ?? ''} ${r.d.autostart ? 'autostart' : ''}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

function cmpNum(a: number | null | undefined, b: number | null | undefined): number {
  // Missing values (stopped domains) sort after present ones in ascending order.
  const x = a ?? Number.POSITIVE_INFINITY;
  const y = b ?? Number.POSITIVE_INFINITY;
  return x === y ? 0 : x < y ? -1 : 1;
}

/** Rows sorted by `spec`, ties broken by name; a new array. */
export function sortRows(rows: readonly ListRow[], spec: SortSpec, fetchedAt = 0, now = 0): ListRow[] {
  const sign = spec.dir === 'asc' ? 1 : -1;
  const byName = (a: ListRow, b: ListRow) => a.d.name.localeCompare(b.d.name);
  const cmp = (a: ListRow, b: ListRow): number => {
    switch (spec.key) {
      case 'name':
        return byName(a, b);
      case 'id':
        return cmpNum(a.d.domid, b.d.domid);
      case 'type':
        return (a.d.type ?? '~').localeCompare(b.d.type ?? '~');
      case 'state':
        return (STATE_ORDER[stateLabel(a.d, a.s)] ?? 9) - (STATE_ORDER[stateLabel(b.d, b.s)] ?? 9);
      case 'vcpus':
        return a.d.vcpus - b.d.vcpus;
      case 'memory':
        return (a.s ? a.s.memKiB / 1024 : a.d.memoryMiB) - (b.s ? b.s.memKiB / 1024 : b.d.memoryMiB);
      case 'uptime':
        return cmpNum(uptimeNow(a.d, fetchedAt, now), uptimeNow(b.d, fetchedAt, now));
      case 'cpu':
        return (a.s?.cpuGuestPct ?? -1) - (b.s?.cpuGuestPct ?? -1);
    }
  };
  return rows.slice().sort((a, b) => sign * cmp(a, b) || byName(a, b));
}

/** Sorts by figures that move every tick: their order is held (see holdOrder) so rows do not jump under the pointer. */
const LIVE_KEYS: ReadonlySet<SortKey> = new Set(['cpu', 'memory']);

/** How long a live sort keeps an order before it may re-sort (a calm list, as in XenCenter, not one that jitters). */
export const HOLD_ORDER_MS = 5000;

/** The order last shown: its row names, what it was sorted for (sort, filter, the set of domains) and when. */
export interface ShownOrder {
  names: readonly string[];
  basis: string;
  at: number;
}

/**
 * Rows in a stable order. A sort by a live figure (CPU, memory) keeps the order last shown while the pointer is over
 * the list (`hold`) and for HOLD_ORDER_MS after each re-sort; a new sort, filter, set of domains or of domains with
 * live figures re-sorts at once.
 */
export function holdOrder(sorted: readonly ListRow[], spec: SortSpec, query: string, last: ShownOrder | null, o: { now: number; hold: boolean }): { rows: ListRow[]; shown: ShownOrder } {
  const names = sorted.map((r) => r.d.name);
  // Which rows have live figures belongs to the basis too: the first samples to arrive sort the list at once.
  const live = sorted.filter((r) => r.s !== undefined).map((r) => r.d.name);
  const basis = `${spec.key}:${spec.dir}:${query}:${[...names].sort().join(',')}:${live.sort().join(',')}`;
  const fresh = { rows: sorted.slice(), shown: { names, basis, at: o.now } };
  if (last === null || last.basis !== basis || !LIVE_KEYS.has(spec.key)) return fresh;
  if (!o.hold && o.now - last.at >= HOLD_ORDER_MS) return fresh;
  const byName = new Map(sorted.map((r) => [r.d.name, r]));
  return { rows: last.names.map((n) => byName.get(n)!), shown: last };
}

/** Next sort when a header is clicked: same key flips direction, a new key starts ascending (numbers descending). */
export function nextSort(current: SortSpec, key: SortKey): SortSpec {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  const numeric = key === 'cpu' || key === 'memory' || key === 'vcpus' || key === 'uptime';
  return { key, dir: numeric ? 'desc' : 'asc' };
}

/** Selection after a click: plain replaces, ctrl/meta toggles, shift extends from the anchor over `order`. */
export function clickSelect(
  selected: readonly string[],
  order: readonly string[],
  name: string,
  anchor: string | null,
  mods: { ctrl: boolean; shift: boolean },
): string[] {
  if (mods.shift && anchor !== null) {
    const a = order.indexOf(anchor);
    const b = order.indexOf(name);
    if (a >= 0 && b >= 0) {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      const range = order.slice(lo, hi + 1);
      return mods.ctrl ? Array.from(new Set([...selected, ...range])) : range;
    }
  }
  if (mods.ctrl) return selected.includes(name) ? selected.filter((n) => n !== name) : [...selected, name];
  return [name];
}
