import { describe, expect, it } from 'vitest';
import { parseXentopBatch, type XentopFrame } from '../../../../src/xen/parse/xentop';
import { createBatchBuilder, type BatchBuilderOptions } from '../../../../src/xen/stats/batch-builder';
import { loadFixture } from '../../../fixtures/load';
import { frame, type RowSpec } from './frames';

function one(rows: RowSpec[]): XentopFrame {
  const [f] = parseXentopBatch(frame(rows));
  if (!f) throw new Error('no frame');
  return f;
}

function builder(over: Partial<BatchBuilderOptions> = {}) {
  const ids: Record<string, number> = { 'Domain-0': 0, a: 1, b: 2 };
  return createBatchBuilder({
    intervalS: 1,
    hostCpus: () => 4,
    hostMemKiB: () => 4194304,
    domidOf: (n) => ids[n],
    ...over,
  });
}

describe('createBatchBuilder', () => {
  it('primes on the first frame (CPU(%) is 0.0 there) and emits from the second, on the real capture', () => {
    const frames = parseXentopBatch(loadFixture('xentop-b-with-test1.txt').text);
    const b = builder({ hostCpus: () => 2, hostMemKiB: () => 3071 * 1024, domidOf: (n) => (n === 'test1' ? 1 : 0) });
    expect(b.build(frames[0]!, 1000)).toBeNull();
    const batch = b.build(frames[1]!, 2000);
    expect(batch).toEqual({
      t: 2000,
      host: { cpuPct: (22.5 + 2.7) / 2, memUsedKiB: 1048576 + 131072, memTotalKiB: 3071 * 1024 },
      domains: [
        {
          name: 'Domain-0', domid: 0, state: 'running', stateFlags: 'r-----', cpuHostPct: 11.25, cpuGuestPct: 11.25,
          cpuTimeS: 287, memKiB: 1048576, maxMemKiB: 1048576, vcpus: 2, netRxBps: 0, netTxBps: 0, blkReadBps: 0, blkWriteBps: 0,
        },
        {
          name: 'test1', domid: 1, state: 'blocked', stateFlags: '-b----', cpuHostPct: 1.35, cpuGuestPct: 1.35,
          cpuTimeS: 15, memKiB: 131072, maxMemKiB: 132096, vcpus: 2, netRxBps: 0, netTxBps: 0, blkReadBps: 0, blkWriteBps: 0,
        },
      ],
    });
  });

  it('computes byte rates from cumulative KiB and 512-byte sectors over the elapsed time', () => {
    const b = builder();
    b.build(one([{ name: 'a', netTxKiB: 100, netRxKiB: 1000, rsect: 50, wsect: 10 }]), 0);
    const batch = b.build(one([{ name: 'a', netTxKiB: 300, netRxKiB: 1100, rsect: 250, wsect: 10 }]), 2000);
    expect(batch?.domains[0]).toMatchObject({ netTxBps: 102400, netRxBps: 51200, blkReadBps: 51200, blkWriteBps: 0 });
  });

  it('never divides by less than the interval (two frames delivered together)', () => {
    const b = builder();
    b.build(one([{ name: 'a', netTxKiB: 0 }]), 5000);
    expect(b.build(one([{ name: 'a', netTxKiB: 10 }]), 5001)?.domains[0]?.netTxBps).toBe(10240);
  });

  it('clamps CPU to 0..100 of the host and of the guest vCPUs', () => {
    const b = builder({ hostCpus: () => 2 });
    b.build(one([{ name: 'a' }, { name: 'b' }]), 0);
    const batch = b.build(one([{ name: 'a', cpuPct: 350, vcpus: 4 }, { name: 'b', cpuPct: 250, vcpus: 2 }]), 1000);
    expect(batch?.domains.map((d) => [d.cpuHostPct, d.cpuGuestPct])).toEqual([[100, 87.5], [100, 100]]);
    expect(batch?.host.cpuPct).toBe(100);
  });

  it('gives 0% guest CPU for a domain with 0 vCPUs (rebooting) and no NaN', () => {
    const b = builder();
    b.build(one([{ name: 'a' }]), 0);
    const d = b.build(one([{ name: 'a', state: '----p-', cpuS: 0, memKiB: 0, vcpus: 0 }]), 1000)?.domains[0];
    expect(d).toMatchObject({ cpuGuestPct: 0, cpuHostPct: 0, state: 'paused', stateFlags: '--p---', memKiB: 0, vcpus: 0 });
  });

  it('resets without a negative spike when counters go backwards (reboot under the same name)', () => {
    const b = builder();
    b.build(one([{ name: 'a', cpuS: 100, netTxKiB: 5000, rsect: 9000 }]), 0);
    const after = b.build(one([{ name: 'a', cpuS: 0, netTxKiB: 0, rsect: 0 }]), 1000);
    expect(after?.domains[0]).toMatchObject({ netTxBps: 0, blkReadBps: 0 });
    expect(b.domidsStale).toBe(true);
    const next = b.build(one([{ name: 'a', cpuS: 1, netTxKiB: 2, rsect: 4 }]), 2000);
    expect(next?.domains[0]).toMatchObject({ netTxBps: 2048, blkReadBps: 2048 });
    expect(b.domidsStale).toBe(false);
  });

  it('resets when the domid behind a name changes', () => {
    let id = 1;
    const b = builder({ domidOf: () => id });
    b.build(one([{ name: 'a', cpuS: 5, netTxKiB: 10 }]), 0);
    id = 7;
    const batch = b.build(one([{ name: 'a', cpuS: 6, netTxKiB: 20 }]), 1000);
    expect(batch?.domains[0]).toMatchObject({ domid: 7, netTxBps: 0 });
  });

  it('handles domains appearing and disappearing mid-stream', () => {
    const b = builder();
    b.build(one([{ name: 'a', netTxKiB: 10 }]), 0);
    const two = b.build(one([{ name: 'a', netTxKiB: 20 }, { name: 'b', netTxKiB: 500 }]), 1000);
    expect(two?.domains.map((d) => [d.name, d.domid, d.netTxBps])).toEqual([['a', 1, 10240], ['b', 2, 0]]);
    const gone = b.build(one([{ name: 'b', netTxKiB: 501 }]), 2000);
    expect(gone?.domains.map((d) => [d.name, d.netTxBps])).toEqual([['b', 1024]]);
    // "a" comes back: its old counters were dropped, so no rate against a stale baseline.
    const back = b.build(one([{ name: 'a', netTxKiB: 9999 }, { name: 'b', netTxKiB: 502 }]), 3000);
    expect(back?.domains.map((d) => [d.name, d.netTxBps])).toEqual([['a', 0], ['b', 1024]]);
  });

  it('keeps two rows of one name apart', () => {
    const b = builder();
    b.build(one([{ name: 'a', netTxKiB: 10 }, { name: 'a', netTxKiB: 1000 }]), 0);
    const batch = b.build(one([{ name: 'a', netTxKiB: 11 }, { name: 'a', netTxKiB: 1002 }]), 1000);
    expect(batch?.domains.map((d) => d.netTxBps)).toEqual([1024, 2048]);
  });

  it('marks unknown domids as -1 and stale', () => {
    const b = builder({ domidOf: () => undefined });
    b.build(one([{ name: 'x' }]), 0);
    expect(b.domidsStale).toBe(true);
    expect(b.build(one([{ name: 'x' }]), 1000)?.domains[0]?.domid).toBe(-1);
  });

  it('treats "-" VBD counters as no rate and "no limit" as the host memory', () => {
    const b = builder();
    b.build(one([{ name: 'a', rsect: '-', wsect: 5, maxMem: 'no limit' }]), 0);
    const d = b.build(one([{ name: 'a', rsect: 100, wsect: '-', maxMem: 'no limit' }]), 1000)?.domains[0];
    expect(d).toMatchObject({ blkReadBps: 0, blkWriteBps: 0, maxMemKiB: 4194304 });
  });

  it('estimates host memory from MEM(%) when xl info is not known yet, and assumes 1 CPU', () => {
    const b = builder({ hostMemKiB: () => undefined, hostCpus: () => undefined });
    b.build(one([{ name: 'Domain-0', memKiB: 1048576 }]), 0);
    const batch = b.build(one([{ name: 'Domain-0', memKiB: 1048576, cpuPct: 40 }]), 1000);
    // 1048576 / 33.3 % -> within 0.2 % of the real 3 GiB.
    expect(Math.abs((batch?.host.memTotalKiB ?? 0) - 3145728) / 3145728).toBeLessThan(0.002);
    expect(batch?.host.cpuPct).toBe(40);
  });

  it('starts over after reset(): the next frame only primes again', () => {
    const b = builder();
    b.build(one([{ name: 'a' }]), 0);
    expect(b.build(one([{ name: 'a' }]), 1000)).not.toBeNull();
    b.reset();
    expect(b.build(one([{ name: 'a' }]), 2000)).toBeNull();
  });

  it('maps crashed and dying xentop flags into xl layout', () => {
    const b = builder();
    b.build(one([{ name: 'a' }, { name: 'b' }]), 0);
    const batch = b.build(one([{ name: 'a', state: '---c--' }, { name: 'b', state: 'd-----' }]), 1000);
    expect(batch?.domains.map((d) => [d.state, d.stateFlags])).toEqual([['crashed', '---sc-'], ['dying', '-----d']]);
  });
});
