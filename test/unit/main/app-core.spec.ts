import { describe, expect, it } from 'vitest';
import { domainSetKey } from '../../../src/main/core/app-core';
import type { DomainSample, StatsBatch } from '../../../src/shared/dto';

function sample(name: string, domid: number, state: DomainSample['state']): DomainSample {
  return { name, domid, state, stateFlags: '------', cpuHostPct: 0, cpuGuestPct: 0, cpuTimeS: 0, memKiB: 0, maxMemKiB: 0, vcpus: 1, netRxBps: 0, netTxBps: 0, blkReadBps: 0, blkWriteBps: 0 };
}
function batch(...domains: DomainSample[]): StatsBatch {
  return { t: 0, host: { cpuPct: 0, memUsedKiB: 0, memTotalKiB: 0 }, domains };
}

describe('domainSetKey: when a stats tick means the domain list must be refetched', () => {
  it('ignores order and the running/blocked flicker of a busy guest', () => {
    expect(domainSetKey(batch(sample('a', 1, 'running'), sample('b', 2, 'blocked')))).toBe(domainSetKey(batch(sample('b', 2, 'running'), sample('a', 1, 'blocked'))));
  });
  it('changes when a domain comes, goes, reboots (new domid), pauses or shuts down', () => {
    const base = domainSetKey(batch(sample('a', 1, 'running')));
    expect(domainSetKey(batch(sample('a', 1, 'running'), sample('b', 2, 'running')))).not.toBe(base);
    expect(domainSetKey(batch())).not.toBe(base);
    expect(domainSetKey(batch(sample('a', 3, 'running')))).not.toBe(base);
    expect(domainSetKey(batch(sample('a', 1, 'paused')))).not.toBe(base);
    expect(domainSetKey(batch(sample('a', 1, 'shutdown')))).not.toBe(base);
  });
});
