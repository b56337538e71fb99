import type { DomainSample, StatsBatch } from '../../shared/dto';
import type { XentopRow, XentopFrame } from '../parse/xentop';
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
  /** Told when a domain leaves the frames: its domid died with it, and one of that name later gets a new one. */
  onGone?: (name: string) => void;
}

/** Turns xentop frames into StatsBatches, keeping the cumulative counters needed for rates. */
export interface BatchBuilder {
  /** The batch for `frame` at epoch ms `t`, or null for the first frame after a reset (it only primes the counters). */
  build(frame: XentopFrame, t: number): StatsBatch | null;
  /** True when the last build met a domain whose domid is unknown or may have changed (new, back again, rebooted). */
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

/** Per-frame figures every sample of the frame is scaled by; one object per builder, overwritten each build. */
interface FrameScale {
  /** Host physical CPUs (at least 1). */
  cpus: number;
  /** Host memory in KiB when known. */
  memTotalKiB: number | undefined;
  /** Seconds the rates of this frame are computed over. */
  dt: number;
}

/** True when the counters in `p` belong to an earlier domain of the same name (xl reboot: new domid, counters from zero). */
function isNewDomain(p: Prev, cpuS: number, domid: number): boolean {
  return cpuS < p.cpuS || (domid !== p.domid && domid !== -1 && p.domid !== -1);
}

/** The sample for row `r`, with rates from the counters in `p` (which still hold the previous frame's values). */
function toSample(r: XentopRow, domid: number, p: Prev, fresh: boolean, s: FrameScale): DomainSample {
  const mapped = mapXentopState(r.stateFlags);
  return {
    name: r.name,
    domid,
    state: mapped.state,
    stateFlags: mapped.xlFlags,
    cpuHostPct: clampPct(r.cpuPct / s.cpus),
    // CPU(%) is a share of ONE physical CPU, so a 4-vCPU guest can show 400; scale to its own vCPUs.
    cpuGuestPct: r.vcpus > 0 ? clampPct(r.cpuPct / r.vcpus) : 0,
    cpuTimeS: r.cpuS,
    memKiB: r.memKiB,
    // "no limit" (MAXMEM -1): the host's memory is the only ceiling.
    maxMemKiB: r.maxMemKiB ?? s.memTotalKiB ?? r.memKiB,
    vcpus: r.vcpus,
    netRxBps: rate(r.netRxKiB, p.netRxKiB, fresh, KIB, s.dt),
    netTxBps: rate(r.netTxKiB, p.netTxKiB, fresh, KIB, s.dt),
    blkReadBps: rate(r.vbdRsect, p.rsect, fresh, SECTOR, s.dt),
    blkWriteBps: rate(r.vbdWsect, p.wsect, fresh, SECTOR, s.dt),
  };
}

/** Stores row `r`'s counters in `p` (in place) for the next frame's rates. */
function remember(p: Prev, r: XentopRow, domid: number, tick: number): void {
  p.domid = domid;
  p.cpuS = r.cpuS;
  p.netTxKiB = r.netTxKiB;
  p.netRxKiB = r.netRxKiB;
  p.rsect = r.vbdRsect ?? -1;
  p.wsect = r.vbdWsect ?? -1;
  p.tick = tick;
}

/** The builder behind createBatchBuilder: counters by domain name, carried from one frame to the next. */
class XentopBatchBuilder implements BatchBuilder {
  private readonly prev = new Map<string, Prev>();
  private readonly scale: FrameScale = { cpus: 1, memTotalKiB: undefined, dt: 1 };
  private lastT: number | null = null;
  private tick = 0;
  private stale = false;

  constructor(private readonly opts: BatchBuilderOptions) {}

  get domidsStale(): boolean {
    return this.stale;
  }

  reset(): void {
    this.prev.clear();
    this.lastT = null;
    this.stale = false;
  }

  build(frame: XentopFrame, t: number): StatsBatch | null {
    const tick = ++this.tick;
    this.stale = false;
    const first = this.lastT === null;
    const s = this.scale;
    // xentop sleeps a full interval between frames, so a shorter gap is delivery jitter (ssh batching), not time.
    s.dt = first ? this.opts.intervalS : Math.max((t - (this.lastT ?? t)) / 1000, this.opts.intervalS);
    this.lastT = t;
    s.cpus = Math.max(1, this.opts.hostCpus() ?? 1);
    s.memTotalKiB = this.opts.hostMemKiB();
    const rows = frame.domains;
    const out: DomainSample[] = first ? [] : new Array<DomainSample>(rows.length);
    let cpuSum = 0;
    let memSum = 0;
    let memEstimate = 0;
    let memEstimateFrom = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const key = this.keyFor(r.name, i);
      const domid = this.opts.domidOf(r.name) ?? -1;
      let p = this.prev.get(key);
      const fresh = p === undefined || isNewDomain(p, r.cpuS, domid);
      p ??= this.track(key, domid, tick);
      // A name first seen (started, restored, or back after the stream restarted) may carry a domid read before it.
      if (domid === -1 || fresh) this.stale = true;
      if (r.memPct > 0 && r.memKiB > memEstimateFrom) {
        // MEM(%) is cur_mem / host total; the largest domain gives the most precise estimate of the total.
        memEstimateFrom = r.memKiB;
        memEstimate = (r.memKiB * 100) / r.memPct;
      }
      cpuSum += r.cpuPct;
      memSum += r.memKiB;
      if (!first) out[i] = toSample(r, domid, p, fresh, s);
      remember(p, r, domid, tick);
    }
    this.forgetGone(rows.length, tick);
    if (first) return null;
    const memTotal = s.memTotalKiB ?? Math.round(memEstimate);
    return {
      t,
      host: {
        cpuPct: clampPct(cpuSum / s.cpus),
        // Sum of the domains' memory; Xen's own heap is not in xentop -b, so this is slightly under `xl info`'s used.
        memUsedKiB: memTotal > 0 ? Math.min(memSum, memTotal) : memSum,
        memTotalKiB: memTotal,
      },
      domains: out,
    };
  }

  private keyFor(name: string, i: number): string {
    const p = this.prev.get(name);
    // xentop can list two domains of one name for a moment (old one dying during a reboot): keep them apart.
    return p !== undefined && p.tick === this.tick ? `${name}\u0000${i}` : name;
  }

  /** Starts counters for a domain not seen before (-1: no previous value, so no rate yet). */
  private track(key: string, domid: number, tick: number): Prev {
    const p: Prev = { domid, cpuS: -1, netTxKiB: -1, netRxKiB: -1, rsect: -1, wsect: -1, tick };
    this.prev.set(key, p);
    return p;
  }

  /** Drops the counters of domains this frame did not list, so a later one of that name starts fresh. */
  private forgetGone(listed: number, tick: number): void {
    if (this.prev.size <= listed) return;
    for (const [k, p] of this.prev) {
      if (p.tick === tick) continue;
      this.prev.delete(k);
      this.opts.onGone?.(k.split('\u0000')[0] ?? k);
    }
  }
}

/** Creates the frame-to-batch converter the stats service (and the benchmark) run every tick. */
export function createBatchBuilder(opts: BatchBuilderOptions): BatchBuilder {
  return new XentopBatchBuilder(opts);
}
