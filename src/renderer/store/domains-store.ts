import { create } from 'zustand';
import type { DomainSummary } from '../../shared/dto';
import { xen } from '../api/client';

interface DomainsState {
  domains: DomainSummary[];
  loaded: boolean;
  error: string | null;
  /** Names selected in the list. */
  selected: string[];
  refresh(): Promise<void>;
  select(names: string[]): void;
}

let inFlight: Promise<void> | null = null;
let again = false;

/** Every domain as main reports it; main is the source of truth and says when to refetch. */
export const useDomainsStore = create<DomainsState>((set, get) => ({
  domains: [],
  loaded: false,
  error: null,
  selected: [],
  refresh() {
    // Coalesce bursts of domains:changed into at most one request in flight plus one after it.
    if (inFlight) {
      again = true;
      return inFlight;
    }
    inFlight = (async () => {
      try {
        const domains = await xen.domains.list();
        const names = new Set(domains.map((d) => d.name));
        set({ domains, loaded: true, error: null, selected: get().selected.filter((n) => names.has(n)) });
      } catch (e) {
        set({ error: e instanceof Error ? e.message : String(e), loaded: true });
      } finally {
        inFlight = null;
        if (again) {
          again = false;
          void get().refresh();
        }
      }
    })();
    return inFlight;
  },
  select(names) {
    set({ selected: names });
  },
}));

/** Refetches the list whenever main says the domains changed. */
export function watchDomains(): () => void {
  void useDomainsStore.getState().refresh();
  return xen.on('domains:changed', () => void useDomainsStore.getState().refresh());
}

/** Selector: one domain by name. */
export function selectDomain(name: string) {
  return (s: DomainsState): DomainSummary | undefined => s.domains.find((d) => d.name === name);
}
