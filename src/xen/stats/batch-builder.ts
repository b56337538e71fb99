import type { DomainSample, StatsBatch } from '../../shared/dto';
import type { XentopFrame } from '../parse/xentop';
import { mapXentopState } from './xentop-state';

/** Where the builder learns the facts xentop -b does not print. */
export interface BatchBuilderOptions {
  /** Nominal seconds between frames; the shortest interval a rate is computed over. */
  intervalS: number;
  /** Physical CPUs of the host (xl info nr_cpus); undefined while unknown (then 1 is assumed). */
  hostCpus: () => number | undefined;
  /** Host memory in KiB (xl info total_memory); undefined while unknown (then estimated from MEM(%)). */
  hostMemKiB: () => number | undefined;
  /** The domid of a running domain by name; xentop does not print domids. */
  domidOf: (name: string) => number | undefined;
}

/** Turns xentop frames into StatsBatches, keeping the cumulative counters needed for rates. */
export interface BatchBuilder {
  /** The batch for `frame` at epoch ms `t`, or null for the first frame after a reset (it only primes the counters). */
  build(frame: XentopFrame, t: number): StatsBatch | null;
  /** True when the last build met a domain whose domid is unknown or may have changed (a reboot). */
  readonly domidsStale: boolean;
  /** Forgets every counter (the stream restarted: its first frame has CPU(%) 0.0 again). */
  reset(): void;
}

/** Last counters seen for one domain; mutated in place each tick, never reallocated. */
interface Prev {
  domid: number;
  cpuS: number;
  netTxKiB: number;
  netRxKiB: number;
  rsect: number;
  wsect: number;
  tick: number;
}

const SECTOR = 512;
const KIB = 1024;

function clampPct(v: number): number {
  return v < 0 ? 0 : v > 100 ? 100 : v;
}

/** Per-second rate of a cumulative counter; a counter that went backwards (new domain, reset) yields 0, never negative. */
function rate(cur: number | null, prev: number, fresh: boolean, unit: number, dt: number): number {
  if (fresh || cur === null || prev < 0 || cur < prev) return 0;
  return ((cur - prev) * unit) / dt;
}

/** Creates the frame-to-batch converter the stats service (and the benchmark) run every tick. */
export function createBatchBuilder(opts: BatchBuilderOptions): BatchBuilder {
  const prev = new Map<string, Prev>();
  let lastT: number | null = null;
  let tick = 0;
  let stale = false;

  function keyFor(name: string, i: number): string {
    const p = prev.get(name);
    // xentop can list two domains of one name for a moment (old one dying during a reboot): keep them apart.
    return p !== undefined && p.tick === tick ? `${name}\u0000${i}` : name;
  }

  return {
    get domidsStale() {
      return stale;
    },
    reset() {
      prev.clear();
      lastT = null;
      stale = false;
    },
    build(frame, t) {
      tick++;
      stale = false;
      const first = lastT === null;
      // xentop sleeps a full interval between frames, so a shorter gap is delivery jitter (ssh batching), not time.
      const dt = first ? opts.intervalS : Math.max((t - (lastT ?? t)) / 1000, opts.intervalS);
      lastT = t;
      const cpus = Math.max(1, opts.hostCpus() ?? 1);
      const knownMemTotal = opts.hostMemKiB();
      const rows = frame.domains;
      const out: DomainSample[] = first ? [] : new Array<DomainSample>(rows.length);
      let cpuSum = 0;
      let memSum = 0;
      let memEstimate = 0;
      let memEstimateFrom = 0;
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const key = keyFor(r.name, i);
        const domid = opts.domidOf(r.name) ?? -1;
        let p = prev.get(key);
        let fresh = false;
        if (p === undefined) {
          p = { domid, cpuS: -1, netTxKiB: -1, netRxKiB: -1, rsect: -1, wsect: -1, tick };
          prev.set(key, p);
          fresh = true;
        } else if (r.cpuS < p.cpuS || (domid !== p.domid && domid !== -1 && p.domid !== -1)) {
          // Same name, new domain (xl reboot gives a new domid and counters from zero).
          fresh = true;
        }
        if (domid === -1 || (fresh && p.cpuS >= 0)) stale = true;
        if (r.memPct > 0 && r.memKiB > memEstimateFrom) {
          // MEM(%) is cur_mem / host total; the largest domain gives the most precise estimate of the total.
          memEstimateFrom = r.memKiB;
          memEstimate = (r.memKiB * 100) / r.memPct;
        }
        cpuSum += r.cpuPct;
        memSum += r.memKiB;
        if (!first) {
          const mapped = mapXentopState(r.stateFlags);
          out[i] = {
            name: r.name,
            domid,
            state: mapped.state,
            stateFlags: mapped.xlFlags,
            cpuHostPct: clampPct(r.cpuPct / cpus),
            // CPU(%) is a share of ONE physical CPU, so a 4-vCPU guest can show 400; scale to its own vCPUs.
            cpuGuestPct: r.vcpus > 0 ? clampPct(r.cpuPct / r.vcpus) : 0,
            cpuTimeS: r.cpuS,
            memKiB: r.memKiB,
            // "no limit" (MAXMEM -1): the host's memory is the only ceiling.
            maxMemKiB: r.maxMemKiB ?? knownMemTotal ?? r.memKiB,
            vcpus: r.vcpus,
            netRxBps: rate(r.netRxKiB, p.netRxKiB, fresh, KIB, dt),
            netTxBps: rate(r.netTxKiB, p.netTxKiB, fresh, KIB, dt),
            blkReadBps: rate(r.vbdRsect, p.rsect, fresh, SECTOR, dt),
            blkWriteBps: rate(r.vbdWsect, p.wsect, fresh, SECTOR, dt),
          };
        }
        p.domid = domid;
        p.cpuS = r.cpuS;
        p.netTxKiB = r.netTxKiB;
        p.netRxKiB = r.netRxKiB;
        p.rsect = r.vbdRsect ?? -1;
        p.wsect = r.vbdWsect ?? -1;
        p.tick = tick;
      }
      if (prev.size > rows.length) {
        // Some domain left since the last frame: drop its counters so a later one of that name starts fresh.
        for (const [k, p] of prev) if (p.tick !== tick) prev.delete(k);
      }
      if (first) return null;
      const memTotal = knownMemTotal ?? Math.round(memEstimate);
      return {
        t,
        host: {
          cpuPct: clampPct(cpuSum / cpus),
          // Sum of the domains' memory; Xen's own heap is not in xentop -b, so this is slightly under `xl info`'s used.
          memUsedKiB: memTotal > 0 ? Math.min(memSum, memTotal) : memSum,
          memTotalKiB: memTotal,
        },
        domains: out,
      };
    },
  };
}
