import { useEffect, useState } from 'react';
import type { HistorySeries } from '../../shared/history';
import { tierOf } from '../../shared/history';
import { xen } from '../api/client';
import { stats } from './stats-store';

/** Series whose stored past is in their ring already, or on its way ('' = the host, else the domain's name). */
const seeded = new Set<string>();

/**
 * Fetches what main stored of a domain (or the host, `domain` null) — the last ten minutes at 1 s and the last 25
 * hours of minute averages — and puts it in front of the live ring, once per page: a reloaded page or a restarted app
 * shows the past at once. A failed fetch is tried again the next time the series is shown.
 */
export async function seedHistory(domain: string | null): Promise<void> {
  const key = domain === null ? '' : `d:${domain}`;
  if (seeded.has(key)) return;
  seeded.add(key);
  const now = Date.now();
  try {
    const [fine, coarse] = await Promise.all([
      xen.history.read({ domain, tier: 'second', fromMs: now - tierOf('second').keepMs }),
      xen.history.read({ domain, tier: 'minute', fromMs: now - tierOf('minute').keepMs }),
    ]);
    stats.seed(domain, fine, coarse);
  } catch {
    seeded.delete(key);
  }
}

/** Seeds the ring of `domain` (null: the host) when a view showing its graphs mounts. */
export function useHistorySeed(domain: string | null): void {
  useEffect(() => {
    void seedHistory(domain);
  }, [domain]);
}

const REFRESH_MS = 5 * 60_000;

/**
 * Hour averages of a domain (null: the host) over the last `seconds`, for windows longer than the ring's 25 hours;
 * fetched again every five minutes (an hour row changes once an hour). Null until they arrive or when not needed.
 */
export function useHourRows(domain: string | null, seconds: number, needed: boolean): HistorySeries | null {
  const [rows, setRows] = useState<HistorySeries | null>(null);
  useEffect(() => {
    setRows(null);
    if (!needed) return;
    let live = true;
    const load = (): void => {
      xen.history.read({ domain, tier: 'hour', fromMs: Math.max(0, Date.now() - seconds * 1000) }).then(
        (r) => live && setRows(r),
        () => undefined,
      );
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [domain, seconds, needed]);
  return rows;
}
