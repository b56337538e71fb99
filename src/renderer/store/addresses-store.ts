import { useEffect } from 'react';
import { create } from 'zustand';
import type { GuestIp } from '../../shared/network';
import { xen } from '../api/client';

/** How often the addresses are read again while a view that shows them is open (a guest's DHCP comes after its start). */
export const ADDRESS_REFRESH_MS = 15_000;

interface AddressesState {
  /** Each running domain's addresses, by name; a new object only when an answer arrives. */
  byName: Readonly<Record<string, GuestIp[]>>;
  loaded: boolean;
  error: string | null;
  refresh(): Promise<void>;
}

let inFlight: Promise<void> | null = null;

/**
 * The guests' IP addresses, read apart from the domain list so its first paint costs what it did: one call reads
 * every domain's (xenstore and dom0's neighbour table, once each), and calls coalesce while one is in flight.
 */
export const useAddressesStore = create<AddressesState>((set) => ({
  byName: {},
  loaded: false,
  error: null,
  refresh() {
    inFlight ??= (async () => {
      try {
        const r = await xen.domains.addresses();
        set({ byName: Object.fromEntries(r.domains.map((d) => [d.name, d.ips])), loaded: true, error: null });
      } catch (e) {
        set({ error: e instanceof Error ? e.message : String(e), loaded: true });
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  },
}));

/** While mounted and `ready`: reads the addresses now, when the domains change, and every ADDRESS_REFRESH_MS. */
export function useAddressFeed(ready = true): void {
  useEffect(() => {
    if (!ready) return;
    const refresh = (): void => void useAddressesStore.getState().refresh();
    refresh();
    const t = setInterval(refresh, ADDRESS_REFRESH_MS);
    const off = xen.on('domains:changed', refresh);
    return () => {
      clearInterval(t);
      off();
    };
  }, [ready]);
}

const NONE: GuestIp[] = [];

/** Selector: one domain's addresses (the same empty list when it has none, so memoised rows stay put). */
export function selectAddresses(name: string) {
  return (s: AddressesState): GuestIp[] => s.byName[name] ?? NONE;
}
