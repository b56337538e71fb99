import { describe, expect, it, vi } from 'vitest';
import type { DomainSample, StatsBatch } from '../../../../src/shared/dto';
import { M, HM, StatsStore } from '../../../../src/renderer/store/stats-store';

function sample(name: string, cpu: number): DomainSample {
  return {
    name,
    domid: 1,
    state: 'running',
    stateFlags: 'r-----',
    cpuHostPct: cpu / 4,
    cpuGuestPct: cpu,
    cpuTimeS: 1,
    memKiB: 524288,
    maxMemKiB: 1048576,
    vcpus: 1,
    netRxBps: 100,
    netTxBps: 200,
    blkReadBps: 300,
    blkWriteBps: 400,
  };
}

function batch(t: number, domains: DomainSample[]): StatsBatch {
  return { t, host: { cpuPct: 12, memUsedKiB: 2048 * 1024, memTotalKiB: 8192 * 1024 }, domains };
}

describe('StatsStore', () => {
  it('puts every sample into its domain ring by name and the host totals into the host ring', () => {
    const s = new StatsStore();
    s.ingest(batch(1000, [sample('web', 50), sample('db', 10)]));
    s.ingest(batch(2000, [sample('web', 60)]));
    expect(s.domains.get('web')?.last(M.cpuGuest)).toBe(60);
    expect(s.domains.get('web')?.last(M.memMiB)).toBe(512);
    expect(s.domains.get('web')?.last(M.blkWrite)).toBe(400);
    expect(s.host.last(HM.memUsedMiB)).toBe(2048);
    expect(s.host.last(HM.cpuPct)).toBe(12);
  });

  it('drops the current sample of a domain that stopped but keeps its history', () => {
    const s = new StatsStore();
    s.ingest(batch(1000, [sample('web', 50), sample('db', 10)]));
    s.ingest(batch(2000, [sample('web', 60)]));
    expect(s.latest.has('db')).toBe(false);
    expect(s.domains.get('db')?.fineSize).toBe(1);
    s.forget('db');
    expect(s.domains.has('db')).toBe(false);
  });

  it('counts ticks and tells subscribers until they unsubscribe', () => {
    const s = new StatsStore();
    const cb = vi.fn();
    const off = s.subscribe(cb);
    s.ingest(batch(1000, []));
    off();
    s.ingest(batch(2000, []));
    expect(cb).toHaveBeenCalledTimes(1);
    expect(s.tick).toBe(2);
    expect(s.lastT).toBe(2000);
  });
});

describe('the rings\' columns and main\'s stored rows', () => {
  it('are in the same order, so seeded history lands in the right metric', async () => {
    const { DOMAIN_METRICS, HOST_METRICS } = await import('../../../../src/shared/history');
    const { M, HM } = await import('../../../../src/renderer/store/stats-store');
    expect(Object.entries(M).sort((a, b) => a[1] - b[1]).map(([k]) => k)).toEqual([...DOMAIN_METRICS]);
    expect(Object.entries(HM).sort((a, b) => a[1] - b[1]).map(([k]) => k)).toEqual([...HOST_METRICS]);
  });
});
