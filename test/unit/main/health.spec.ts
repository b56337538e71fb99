import { afterEach, describe, expect, it, vi } from 'vitest';
import { bridgeStats, createHealth, domainSetKey, QUIET_MS } from '../../../src/main/core/health';
import type { DomainSample, StatsBatch, ToolstackStatus } from '../../../src/shared/dto';
import { EventHub } from '../../../src/main/gateway/events';
import { XenError } from '../../../src/xen/errors';
import type { StatsService } from '../../../src/xen/index';

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

/** A hub with one client that records every event, and a stats service fed by hand. */
function rig() {
  const hub = new EventHub();
  const events: { e: string; p: unknown }[] = [];
  let feed: ((b: StatsBatch) => void) | null = null;
  const stats: StatsService = {
    subscribe: (cb) => ((feed = cb), () => (feed = null)),
    latest: () => null,
    stop: () => undefined,
  };
  const health = createHealth({ kind: 'ssh', label: 'root@dom0 over SSH' }, hub);
  bridgeStats(stats, hub, health);
  hub.addClient('c', (e, p) => events.push({ e, p })); // the first client starts the stream
  const tick = (b: StatsBatch): void => feed?.(b);
  const changed = (): number => events.filter((x) => x.e === 'domains:changed').length;
  const statuses = (): ToolstackStatus[] => events.filter((x) => x.e === 'app:status').map((x) => x.p as ToolstackStatus);
  return { hub, health, tick, changed, statuses };
}

const lost = new XenError('XL_FAILED', 'Lost the connection to root@dom0: Timeout, server dom0 not responding.', { via: 'ssh', unreachable: true });

describe('createHealth: what the status bar is told', () => {
  it('says unreachable (with ssh\'s words and that it retries) while the host does not answer, connected once it does', () => {
    const { health, statuses } = rig();
    expect(health.status()).toMatchObject({ connection: 'connecting' });
    health.reportHealth(true, 'ok');
    health.reportFailure('stats', lost);
    expect(health.status()).toEqual({
      kind: 'ssh',
      label: 'root@dom0 over SSH',
      connection: 'unreachable',
      healthy: false,
      message: 'Lost the connection to root@dom0: Timeout, server dom0 not responding. — retrying',
    });
    health.reportFailure('stats', lost); // the same again: no new event
    health.reportHealth(true, 'ok');
    expect(statuses().map((s) => s.connection)).toEqual(['connected', 'unreachable', 'connected']);
  });

  it('keeps "connected" for a command that failed on a host that answered', () => {
    const { health } = rig();
    health.reportHealth(true, 'ok');
    health.reportFailure('host', new XenError('XL_FAILED', 'libxl: error'));
    expect(health.status()).toMatchObject({ connection: 'connected', healthy: false, message: 'host: libxl: error' });
  });
});

describe('bridgeStats: the list is fetched again once the host answers', () => {
  it('emits domains:changed on the first tick after a failure, even when no domain changed', () => {
    const { health, tick, changed } = rig();
    const b = batch(sample('web', 3, 'running'));
    tick(b);
    tick(b);
    const before = changed();
    tick(b);
    expect(changed()).toBe(before); // nothing changed, host healthy: no refetch
    health.reportFailure('stats', lost); // host frozen: ssh gave up
    tick(b); // it answers again, same domains
    expect(changed()).toBe(before + 1);
    tick(b);
    expect(changed()).toBe(before + 1);
    health.reportFailure('domains', new XenError('TIMEOUT', 'sh -c did not finish within 30000 ms'));
    tick(b); // a list that failed on its own is fetched again on the next tick too
    expect(changed()).toBe(before + 2);
  });
});

describe('bridgeStats: the status does not say "connected" while the ticks have stopped', () => {
  afterEach(() => vi.useRealTimers());
  it('says the host has not answered for N s once ticks stop, and connected again at the next tick', () => {
    vi.useFakeTimers();
    const { tick, statuses, health } = rig();
    const b = batch(sample('web', 3, 'running'));
    tick(b);
    expect(health.status()).toMatchObject({ connection: 'connected', healthy: true });
    vi.advanceTimersByTime(QUIET_MS - 1000);
    expect(health.status().healthy).toBe(true);
    vi.advanceTimersByTime(2000);
    expect(health.status()).toMatchObject({ connection: 'connected', healthy: false, message: 'the host has not answered for 6 s — waiting' });
    tick(b);
    expect(health.status()).toMatchObject({ connection: 'connected', healthy: true });
    expect(statuses().map((x) => x.healthy)).toContain(false);
  });
});
