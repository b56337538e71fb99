import { create } from 'zustand';
import type { SortSpec } from './domain-list';

/** The domain list's view state, kept across visits to a domain's details. */
interface ListUi {
  sort: SortSpec;
  query: string;
  /** Row with keyboard focus (aria-activedescendant). */
  active: string | null;
  /** Where a shift-click range starts. */
  anchor: string | null;
  set: (p: Partial<Omit<ListUi, 'set'>>) => void;
}

/** The list's sort, filter and keyboard position. */
export const useListUi = create<ListUi>((set) => ({
  sort: { key: 'name', dir: 'asc' },
  query: '',
  active: null,
  anchor: null,
  set: (p) => set(p),
}));
