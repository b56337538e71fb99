import type { KeyboardEvent } from 'react';
import type { DomainSummary } from '../../shared/dto';
import { ACTIONS, applicable, isBulk } from '../lib/actions';
import { requestAction } from '../lib/dialogs';
import { clickSelect } from '../lib/domain-list';
import { useListUi } from '../lib/list-ui';
import { navigate } from '../lib/route';
import { useDomainsStore } from '../store/domains-store';

/** Replaces the list's selection (a plain function: the store's method is not bound). */
export function select(names: string[]): void {
  useDomainsStore.getState().select(names);
}

/** A stable DOM id for a row (aria-activedescendant). */
export function rowId(name: string): string {
  return `domain-row-id-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** What the grid's keys act on, read at the moment of the key press. */
export interface GridKeyContext {
  order: string[];
  active: string | null;
  anchor: string | null;
  selected: string[];
  selSet: Set<string>;
  selection: DomainSummary[];
  /** Rows in one page of the grid body. */
  page: number;
  scrollToIndex: (i: number) => void;
  setUi: ReturnType<typeof useListUi.getState>['set'];
}

type GridKeyEvent = KeyboardEvent<HTMLDivElement>;

/** The row a navigation key goes to, or null for any other key. */
function navTarget(key: string, idx: number, page: number, last: number): number | null {
  switch (key) {
    case 'ArrowDown':
      return idx + 1;
    case 'ArrowUp':
      return idx - 1;
    case 'PageDown':
      return idx + page;
    case 'PageUp':
      return idx - page;
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}

/** Moves the active row (Shift extends the selection, Ctrl leaves it alone). */
function move(e: GridKeyEvent, c: GridKeyContext, to: number): void {
  const i = Math.max(0, Math.min(c.order.length - 1, to));
  const name = c.order[i];
  if (name === undefined) return;
  e.preventDefault();
  c.scrollToIndex(i);
  if (e.shiftKey) select(clickSelect(c.selected, c.order, name, c.anchor ?? c.active, { ctrl: false, shift: true }));
  else if (!e.ctrlKey) {
    select([name]);
    c.setUi({ anchor: name });
  }
  c.setUi({ active: name });
}

/** Space toggles the active row, Enter opens it, Escape clears the selection; false for any other key. */
function selectionKey(e: GridKeyEvent, c: GridKeyContext): boolean {
  const { active } = c;
  switch (e.key) {
    case ' ':
      if (active !== null) {
        e.preventDefault();
        select(c.selSet.has(active) ? c.selected.filter((n) => n !== active) : [...c.selected, active]);
        c.setUi({ anchor: active });
      }
      return true;
    case 'Enter':
      if (active !== null) {
        e.preventDefault();
        navigate({ view: 'domain', name: active, tab: 'overview' });
      }
      return true;
    case 'Escape':
      select([]);
      return true;
    default:
      return false;
  }
}

/** Opens the menu beside the focused row, not at the pointer (which may be anywhere). */
function openMenu(e: GridKeyEvent, c: GridKeyContext): void {
  const { active } = c;
  e.preventDefault();
  const row = active === null ? null : document.getElementById(rowId(active));
  const r = (row ?? e.currentTarget).getBoundingClientRect();
  if (active !== null && !c.selSet.has(active)) select([active]);
  (row ?? e.currentTarget).dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: r.left + 48, clientY: r.top + Math.min(r.height, 30) }));
}

/** Letters run the first action with that key that applies (p pauses a running domain, u resumes a paused one). */
function runActionKey(e: GridKeyEvent, selection: DomainSummary[]): void {
  const key = e.key === 'Delete' ? 'Delete' : e.key.toLowerCase();
  for (const a of ACTIONS) {
    if (a.key !== key) continue;
    const targets = applicable(a.id, selection);
    if (targets.length === 0 || (selection.length > 1 && !isBulk(a.id))) continue;
    e.preventDefault();
    requestAction(a.id, targets.map((t) => t.name));
    return;
  }
}

/** The grid body's own keys (not its rows' children): moving, selecting, opening, the menu, select all, action letters. */
export function onGridKey(e: GridKeyEvent, c: GridKeyContext): void {
  const idx = c.active === null ? -1 : c.order.indexOf(c.active);
  const to = navTarget(e.key, idx, c.page, c.order.length - 1);
  if (to !== null) return move(e, c, to);
  if (selectionKey(e, c)) return;
  if (e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) return openMenu(e, c);
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
    e.preventDefault();
    select(c.order.slice());
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  runActionKey(e, c.selection);
}
