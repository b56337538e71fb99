import { useEffect, useRef, useState } from 'react';
import { ratesBetween, type NetworksView, type Rates } from '../../../shared/network';
import { xen } from '../../api/client';
import { errorInfo, type ErrorInfo } from '../../lib/errors';

/** How often the open view reads the host's networks again: one call (four host reads), whatever the number of vifs. */
export const NETWORKS_POLL_MS = 2000;

/** The host's networks while the view is open, and each interface's rates between the last two reads. */
export function useNetworks(): { data: NetworksView | null; rates: ReadonlyMap<string, Rates>; error: ErrorInfo | null } {
  const [data, setData] = useState<NetworksView | null>(null);
  const [rates, setRates] = useState<ReadonlyMap<string, Rates>>(new Map());
  const [error, setError] = useState<ErrorInfo | null>(null);
  const prev = useRef<NetworksView | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The next read is planned when this one answers, so a slow host never has two in flight.
    const read = async (): Promise<void> => {
      try {
        const v = await xen.networks.list({});
        if (stopped) return;
        setRates(ratesBetween(prev.current, v));
        prev.current = v;
        setData(v);
        setError(null);
      } catch (e) {
        if (!stopped) setError(errorInfo(e));
      }
      if (!stopped) timer = setTimeout(() => void read(), NETWORKS_POLL_MS);
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return { data, rates, error };
}
