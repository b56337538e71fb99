import { describe, expect, it } from 'vitest';
import { parseXentopBatch } from '../../../../src/xen/parse/xentop';
import { parseXlList } from '../../../../src/xen/parse/xl-list';
import { createBatchBuilder } from '../../../../src/xen/stats/batch-builder';
import { synthXentopFrames, synthXlList } from '../../../../bench/xentop-synth';

// The stats benchmark is only meaningful if its synthetic frames go through the real parser and builder unharmed.
describe('bench xentop frames', () => {
  it('parse into N domains per frame with growing counters and full names', () => {
    const frames = parseXentopBatch(synthXentopFrames(50, 5).join(''));
    expect(frames).toHaveLength(5);
    expect(frames.every((f) => f.domains.length === 50)).toBe(true);
    const first = frames[0]!.domains;
    const last = frames[4]!.domains;
    expect(first.every((d) => d.cpuPct === 0)).toBe(true);
    expect(last.some((d) => d.cpuPct > 0)).toBe(true);
    expect(first[0]).toMatchObject({ name: 'Domain-0', maxMemKiB: null, maxMemPct: null });
    expect(first[7]?.name).toBe('production-web-0007');
    expect(last.every((d, i) => d.netRxKiB >= first[i]!.netRxKiB && d.vbdRsect! >= first[i]!.vbdRsect!)).toBe(true);
  });

  it('give batches with domids from the matching xl list', () => {
    const ids = new Map(parseXlList(synthXlList(50)).map((r) => [r.name, r.domid]));
    expect(ids.size).toBe(50);
    const b = createBatchBuilder({ intervalS: 1, hostCpus: () => 64, hostMemKiB: () => 1, domidOf: (n) => ids.get(n) });
    const frames = parseXentopBatch(synthXentopFrames(50, 3).join(''));
    expect(b.build(frames[0]!, 0)).toBeNull();
    const batch = b.build(frames[1]!, 1000);
    expect(batch?.domains.map((d) => d.domid)).toEqual([...Array(50).keys()]);
    expect(batch?.domains.some((d) => d.netRxBps > 0)).toBe(true);
  });
});
