import { isUnreachable, type StatsService } from '../../xen/index';
import type { StatsBatch, ToolstackKind, ToolstackStatus } from '../../shared/dto';
import type { EventHub } from '../gateway/events';

/** The toolstack's health as clients see it; every change is announced as app:status. */
export interface Health {
  status(): ToolstackStatus;
  /** A call or a stats tick went through (ok) or failed with `message`. */
  reportHealth(ok: boolean, message: string): void;
  /** A failure of `what` (stats, domains, host): an unreachable host says so, anything else marks it unhealthy. */
  reportFailure(what: string, e: unknown): void;
}

/** Creates the health of the toolstack `who`; changes go out on `hub`. */
export function createHealth(who: { kind: ToolstackKind; label: string }, hub: Pick<EventHub, 'emit'>): Health {
  let now: Omit<ToolstackStatus, 'kind' | 'label'> = { connection: 'connecting', healthy: true, message: 'connecting' };
  const status = (): ToolstackStatus => ({ kind: who.kind, label: who.label, ...now });
  const set = (next: typeof now): void => {
    const same = next.connection === now.connection && next.healthy === now.healthy;
    if (same && (next.healthy || next.message === now.message)) {
      now = next;
      return;
    }
    now = next;
    hub.emit('app:status', status());
  };
  return {
    status,
    reportHealth(ok, message) {
      if (ok) set({ connection: 'connected', healthy: true, message });
      else set({ ...now, healthy: false, message });
    },
    reportFailure(what, e) {
      const words = e instanceof Error ? e.message : String(e);
      // The host did not answer at all (ssh gave up on it): not "connected", and the stats stream keeps retrying.
      if (isUnreachable(e)) set({ connection: 'unreachable', healthy: false, message: `${words} — retrying` });
      else set({ ...now, healthy: false, message: `${what}: ${words}` });
    },
  };
}

/**
 * Key of the set of running domains and their states; a change means the list must be refetched. Running and blocked
 * count as one state: a guest flips between them every second, and the live samples already show it.
 */
export function domainSetKey(batch: StatsBatch): string {
  return batch.domains
    .map((d) => `${d.domid}:${d.name}:${d.state === 'blocked' ? 'running' : d.state}`)
    .sort()
    .join('|');
}

/** How long without a stats tick (one a second) before the status says the host has not answered. */
export const QUIET_MS = 5000;

/**
 * One stats stream for all clients; it runs while anyone is connected. Changes in the set of running domains or their
 * states (also those made outside the app, with xl on a terminal) become domains:changed within one tick, and so does
 * the first tick after a failure: a list that failed while the host was away is fetched again once it answers.
 * Returns the function that stops it for good.
 */
export function bridgeStats(stats: StatsService, hub: EventHub, health: Health, now: () => number = Date.now): () => void {
  let unsubscribe: (() => void) | null = null;
  let lastKey = '';
  let heardAt = now();
  // Before ssh's keep-alive gives up on a frozen host (about 12 s), the ticks stop: say so rather than "Connected".
  const quiet = setInterval(() => {
    const s = Math.round((now() - heardAt) / 1000);
    if (unsubscribe && s * 1000 >= QUIET_MS && health.status().connection === 'connected') health.reportHealth(false, `the host has not answered for ${s} s — waiting`);
  }, 1000);
  quiet.unref?.();
  const ensure = (): void => {
    if (hub.size > 0 && !unsubscribe) {
      heardAt = now();
      unsubscribe = stats.subscribe((batch) => {
        heardAt = now();
        hub.emit('stats:sample', batch);
        const key = domainSetKey(batch);
        const before = health.status();
        const recovered = before.connection !== 'connected' || !before.healthy;
        if (key !== lastKey || recovered) {
          if (lastKey !== '' || recovered) hub.emit('domains:changed', { reason: recovered ? 'host answers again' : 'running domains changed', names: null });
          lastKey = key;
        }
        health.reportHealth(true, 'ok');
      });
    } else if (hub.size === 0 && unsubscribe) {
      unsubscribe();
      unsubscribe = null;
      lastKey = '';
    }
  };
  hub.onClientCount(ensure);
  return () => {
    clearInterval(quiet);
    unsubscribe?.();
  };
}
