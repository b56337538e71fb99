import { useSyncExternalStore } from 'react';
import type { DomainSample, StatsBatch } from '../../shared/dto';
import { SeriesRing, type StoredRows } from './stats-ring';

/**
 * Live statistics kept outside React: one SeriesRing per domain (by name, so history survives a reboot's new domid)
 * and one for the host. Components subscribe to the tick counter and read the rings themselves.
 */

/** Metric columns of a domain's ring. */
export const M = {
  cpuGuest: 0,
  cpuHost: 1,
  memMiB: 2,
  blkRead: 3,
  blkWrite: 4,
  netRx: 5,
  netTx: 6,
} as const;
const DOMAIN_WIDTH = 7;

/** Metric columns of the host's ring. */
export const HM = { cpuPct: 0, memUsedMiB: 1, memTotalMiB: 2 } as const;
const HOST_WIDTH = 3;

type Listener = () => void;

/** The store's state; a class so tests can make a fresh one. */
export class StatsStore {
  readonly domains = new Map<string, SeriesRing>();
  readonly latest = new Map<string, DomainSample>();
  readonly host = new SeriesRing(HOST_WIDTH);
  tick = 0;
  lastT = 0;
  private readonly listeners = new Set<Listener>();
  private readonly row = new Float32Array(DOMAIN_WIDTH);

  /** Takes one batch into the rings and tells subscribers. */
  ingest(b: StatsBatch): void {
    this.host.push(b.t, [b.host.cpuPct, b.host.memUsedKiB / 1024, b.host.memTotalKiB / 1024]);
    const seen = new Set<string>();
    for (const d of b.domains) {
      let ring = this.domains.get(d.name);
      if (!ring) {
        ring = new SeriesRing(DOMAIN_WIDTH);
        this.domains.set(d.name, ring);
      }
      const r = this.row;
      r[M.cpuGuest] = d.cpuGuestPct;
      r[M.cpuHost] = d.cpuHostPct;
      r[M.memMiB] = d.memKiB / 1024;
      r[M.blkRead] = d.blkReadBps;
      r[M.blkWrite] = d.blkWriteBps;
      r[M.netRx] = d.netRxBps;
      r[M.netTx] = d.netTxBps;
      ring.push(b.t, r);
      this.latest.set(d.name, d);
      seen.add(d.name);
    }
    // A domain that stopped keeps its history but no longer has a current sample.
    for (const name of this.latest.keys()) if (!seen.has(name)) this.latest.delete(name);
    this.lastT = b.t;
    this.tick++;
    for (const l of this.listeners) l();
  }

  /** Puts main's stored history of a domain (or the host, `name` null) in front of its ring and redraws. */
  seed(name: string | null, fine: StoredRows, coarse: StoredRows): void {
    let ring = name === null ? this.host : this.domains.get(name);
    if (!ring && name !== null) {
      ring = new SeriesRing(DOMAIN_WIDTH);
      this.domains.set(name, ring);
    }
    ring?.seed(fine, coarse);
    this.tick++;
    for (const l of this.listeners) l();
  }

  /** Subscribes to ticks; returns the unsubscribe. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Forgets a domain's history (after it was deleted or renamed). */
  forget(name: string): void {
    this.domains.delete(name);
    this.latest.delete(name);
  }
}

/** The renderer's one stats store. */
export const stats = new StatsStore();

/** Re-renders on every stats tick; returns the tick number (use it as a memo key). */
export function useStatsTick(): number {
  return useSyncExternalStore(
    (cb) => stats.subscribe(cb),
    () => stats.tick,
  );
}

/** Feeds the store from main's `stats:sample` events; returns the unsubscribe. */
export function startStatsFeed(on: (cb: (b: StatsBatch) => void) => () => void): () => void {
  return on((b) => stats.ingest(b));
}
