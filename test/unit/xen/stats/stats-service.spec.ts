import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StatsBatch } from '../../../../src/shared/dto';
import { isXenError, XenError } from '../../../../src/xen/errors';
import { createStatsService } from '../../../../src/xen/stats/stats-service';
import { loadFixture } from '../../../fixtures/load';
import { fakeRunner, frame, settle } from './frames';

const XL_INFO = loadFixture('xl-info.txt').text;
const XL_LIST = loadFixture('xl-list-with-test1.txt').text;
const answers = { 'xl info': XL_INFO, 'xl list': XL_LIST };

beforeEach(() => {
  // Only timers and Date: stream events ride on process.nextTick / setImmediate, which must stay real.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createStatsService', () => {
  it('runs ONE xentop -b -f -d N for many ticks and turns its frames into batches', async () => {
    const { runner, streams, streamCalls } = fakeRunner(answers);
    const svc = createStatsService(runner, { intervalS: 2 });
    const got: StatsBatch[] = [];
    svc.subscribe((b) => got.push(b));
    expect(streamCalls).toEqual([['xentop', ['-b', '-f', '-d', '2']]]);
    const s = streams[0]!;
    for (let i = 0; i < 50; i++) {
      s.stdout.write(frame([{ name: 'Domain-0', cpuS: i, cpuPct: 10, memKiB: 1048576 }, { name: 'test1', netTxKiB: i * 2 }]));
      vi.advanceTimersByTime(2000);
      await settle();
    }
    expect(streamCalls).toHaveLength(1);
    // 50 frames: the first primes, the last waits for the next header.
    expect(got).toHaveLength(48);
    expect(svc.latest()).toBe(got[47]);
    const last = got[47]!;
    expect(last.domains.map((d) => [d.name, d.domid])).toEqual([['Domain-0', 0], ['test1', 1]]);
    // nr_cpus 2 and total_memory 3071 MiB come from xl info.
    expect(last.domains[0]?.cpuHostPct).toBe(5);
    expect(last.host.memTotalKiB).toBe(3071 * 1024);
    // 2 KiB more every 2 s.
    expect(last.domains[1]?.netTxBps).toBe(1024);
    svc.stop();
  });

  it('stamps a batch with the time its frame arrived, not when the next header closed it', async () => {
    const { runner, streams } = fakeRunner(answers);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1, domidOf: () => 3 });
    const got: StatsBatch[] = [];
    svc.subscribe((b) => got.push(b));
    const s = streams[0]!;
    s.stdout.write(frame([{ name: 'a' }]));
    await settle();
    vi.advanceTimersByTime(1000);
    s.stdout.write(frame([{ name: 'a' }]));
    await settle();
    vi.advanceTimersByTime(1000);
    s.stdout.write(frame([{ name: 'a' }]));
    await settle();
    expect(got.map((b) => b.t)).toEqual([1_001_000]);
    svc.stop();
  });

  it('runs xentop without -f when fullNames is false', () => {
    const { runner, streamCalls } = fakeRunner(answers);
    const svc = createStatsService(runner, { fullNames: false, hostCpus: 1, hostMemKiB: 1 });
    svc.subscribe(() => undefined);
    expect(streamCalls).toEqual([['xentop', ['-b', '-d', '1']]]);
    svc.stop();
  });

  it('refuses an interval xentop cannot take', () => {
    const { runner } = fakeRunner();
    expect(() => createStatsService(runner, { intervalS: 0.5 })).toThrow(/whole number/);
  });

  it('starts on the first subscriber, shares the stream, kills it when the last leaves', async () => {
    const { runner, streams, streamCalls } = fakeRunner(answers);
    const svc = createStatsService(runner);
    expect(streamCalls).toHaveLength(0);
    const a: StatsBatch[] = [];
    const b: StatsBatch[] = [];
    const unA = svc.subscribe((x) => a.push(x));
    const unB = svc.subscribe((x) => b.push(x));
    expect(streamCalls).toHaveLength(1);
    const s = streams[0]!;
    for (let i = 0; i < 3; i++) s.stdout.write(frame([{ name: 'test1' }]));
    await settle();
    expect(a).toHaveLength(1);
    expect(b).toEqual(a);
    unA();
    unA(); // twice is harmless
    expect(s.kill).not.toHaveBeenCalled();
    unB();
    expect(s.kill).toHaveBeenCalledTimes(1);
    // Data still buffered from the killed process is ignored.
    s.stdout.write(frame([{ name: 'test1' }]));
    await settle();
    expect(b).toHaveLength(1);
    // And a new subscriber starts a fresh process whose first frame primes again.
    const c: StatsBatch[] = [];
    svc.subscribe((x) => c.push(x));
    expect(streamCalls).toHaveLength(2);
    streams[1]!.stdout.write(frame([{ name: 'test1' }]) + frame([{ name: 'test1' }]));
    await settle();
    expect(c).toHaveLength(0);
    svc.stop();
    expect(streams[1]!.kill).toHaveBeenCalledTimes(1);
  });

  it('restarts a dead xentop with exponential backoff and resets the backoff after a healthy minute', async () => {
    const errors: unknown[] = [];
    const { runner, streams, streamCalls } = fakeRunner(answers);
    const svc = createStatsService(runner, {
      hostCpus: 2,
      hostMemKiB: 1,
      backoff: { initialMs: 500, maxMs: 4000, healthyMs: 60_000 },
      onError: (e) => errors.push(e),
    });
    svc.subscribe(() => undefined);
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      streams[i]!.exit(1);
      await settle();
      const before = streamCalls.length;
      let waited = 0;
      while (streamCalls.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
        if (waited > 10_000) throw new Error('no restart');
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000, 4000]);
    expect(errors.every((e) => isXenError(e, 'XL_FAILED'))).toBe(true);
    expect((errors[0] as XenError).message).toMatch(/xentop exited \(code 1\)/);
    // Healthy for a minute, then dies: back to the first delay.
    vi.advanceTimersByTime(60_000);
    streams[6]!.exit(1);
    await settle();
    vi.advanceTimersByTime(499);
    expect(streamCalls).toHaveLength(7);
    vi.advanceTimersByTime(1);
    expect(streamCalls).toHaveLength(8);
    expect(streamCalls.every(([p, a]) => p === 'xentop' && a.join(' ') === '-b -f -d 1')).toBe(true);
    svc.stop();
  });

  it('keeps retrying an unreachable host every few seconds at most, reporting each failed attempt', async () => {
    const errors: unknown[] = [];
    const { runner, streams, streamCalls } = fakeRunner(answers);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1, onError: (e) => errors.push(e) });
    svc.subscribe(() => undefined);
    const gone = new XenError('XL_FAILED', 'Lost the connection to dom0: Timeout, server dom0 not responding.', { unreachable: true });
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      streams[i]!.fail(gone);
      await settle();
      const before = streamCalls.length;
      let waited = 0;
      while (streamCalls.length === before) {
        vi.advanceTimersByTime(100);
        waited += 100;
        if (waited > 60_000) throw new Error('no restart');
      }
      delays.push(waited);
    }
    // A host back after a long outage is found again within 5 s, not after a 30 s backoff.
    expect(Math.max(...delays)).toBe(5000);
    expect(errors).toHaveLength(10);
    expect(errors.every((e) => e === gone)).toBe(true);
    svc.stop();
  });

  it('restarts at once after an attempt that itself took longer than the backoff (a connect timeout)', async () => {
    const { runner, streams, streamCalls } = fakeRunner(answers);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1, onError: () => undefined });
    svc.subscribe(() => undefined);
    for (let i = 0; i < 4; i++) {
      streams[i]!.exit(255);
      await settle();
      vi.advanceTimersByTime(5000);
    }
    expect(streamCalls).toHaveLength(5);
    vi.advanceTimersByTime(10_000); // this attempt hangs 10 s before it fails (ssh's ConnectTimeout)
    streams[4]!.fail(new XenError('XL_FAILED', 'Connection timed out during banner exchange', { unreachable: true }));
    await settle();
    vi.advanceTimersByTime(0);
    expect(streamCalls).toHaveLength(6);
    svc.stop();
  });

  it('restarts when xentop cannot start at all (exited rejects, or stream() throws)', async () => {
    const errors: unknown[] = [];
    const { runner, streams, streamCalls } = fakeRunner(answers);
    const realStream = runner.stream.bind(runner);
    let throwOnce = false;
    runner.stream = (p, a) => {
      if (throwOnce) {
        throwOnce = false;
        throw new XenError('PERMISSION', 'no');
      }
      return realStream(p, a);
    };
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1, onError: (e) => errors.push(e) });
    svc.subscribe(() => undefined);
    throwOnce = true;
    streams[0]!.fail(new XenError('XL_NOT_FOUND', 'xentop not found'));
    await settle();
    vi.advanceTimersByTime(500); // restart attempt: stream() throws
    expect(streamCalls).toHaveLength(1);
    vi.advanceTimersByTime(1000); // next attempt works
    expect(streamCalls).toHaveLength(2);
    expect(errors.map((e) => (isXenError(e) ? e.code : 'other'))).toEqual(['XL_NOT_FOUND', 'PERMISSION']);
    svc.stop();
  });

  it('does not restart after the last subscriber left, and stop() cancels a pending restart', async () => {
    const { runner, streams, streamCalls } = fakeRunner(answers);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1 });
    svc.subscribe(() => undefined);
    streams[0]!.exit(1);
    await settle();
    svc.stop();
    vi.advanceTimersByTime(60_000);
    expect(streamCalls).toHaveLength(1);
  });

  it('reports a malformed line, drops that frame and keeps the stream', async () => {
    const errors: unknown[] = [];
    const { runner, streams, streamCalls } = fakeRunner(answers);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1, onError: (e) => errors.push(e) });
    const got: StatsBatch[] = [];
    svc.subscribe((b) => got.push(b));
    const s = streams[0]!;
    s.stdout.write(frame([{ name: 'test1' }]));
    s.stdout.write(`${frame([{ name: 'test1' }])}garbage line\n`);
    s.stdout.write(frame([{ name: 'test1' }]) + frame([{ name: 'test1' }]));
    await settle();
    expect(errors).toHaveLength(1);
    expect(isXenError(errors[0], 'PARSE') && errors[0].detail.line).toBe(5);
    expect(got).toHaveLength(1);
    expect(streamCalls).toHaveLength(1);
    svc.stop();
  });

  it('reassembles frames from chunks split mid-line and mid-character', async () => {
    const { runner, streams } = fakeRunner(answers);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1, domidOf: () => 9 });
    const got: StatsBatch[] = [];
    svc.subscribe((b) => got.push(b));
    const bytes = Buffer.from(frame([{ name: 'vm-ü' }]) + frame([{ name: 'vm-ü', cpuPct: 12.5 }]) + frame([{ name: 'vm-ü' }]));
    for (let i = 0; i < bytes.length; i += 7) streams[0]!.stdout.write(bytes.subarray(i, i + 7));
    await settle();
    expect(got.map((b) => b.domains.map((d) => [d.name, d.cpuHostPct]))).toEqual([[['vm-ü', 12.5]]]);
    svc.stop();
  });

  it('looks domids up with one xl list when a new name or a reboot shows up, not every tick', async () => {
    const { runner, streams, runCalls } = fakeRunner(answers);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1 });
    const got: StatsBatch[] = [];
    svc.subscribe((b) => got.push(b));
    const s = streams[0]!;
    for (let i = 0; i < 10; i++) {
      s.stdout.write(frame([{ name: 'Domain-0', cpuS: i }, { name: 'test1', cpuS: i }]));
      await settle();
      vi.advanceTimersByTime(1000);
    }
    expect(runCalls.filter((c) => c === 'xl list')).toHaveLength(1);
    expect(got.at(-1)?.domains.map((d) => d.domid)).toEqual([0, 1]);
    svc.stop();
  });

  it('after a reboot soon after a lookup, looks the new domid up once the gap is over', async () => {
    const rebooted = XL_LIST.replace(/^(test1\s+)1(\s)/m, '$12$2');
    expect(rebooted).not.toBe(XL_LIST);
    const listed = { 'xl info': XL_INFO, 'xl list': XL_LIST };
    const { runner, streams, runCalls } = fakeRunner(listed);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1 });
    const got: StatsBatch[] = [];
    svc.subscribe((b) => got.push(b));
    const s = streams[0]!;
    const tick = async (cpuS: number): Promise<void> => {
      s.stdout.write(frame([{ name: 'Domain-0', cpuS: 100 }, { name: 'test1', cpuS }]));
      await settle();
      vi.advanceTimersByTime(1000);
      await settle();
    };
    await tick(50);
    await tick(51);
    expect(runCalls.filter((c) => c === 'xl list')).toHaveLength(1);
    listed['xl list'] = rebooted;
    await tick(0); // counters went back: test1 was rebooted, 2 s after the first lookup
    await tick(1);
    await tick(2);
    expect(runCalls.filter((c) => c === 'xl list')).toHaveLength(1);
    for (let i = 3; i < 8; i++) await tick(i);
    expect(runCalls.filter((c) => c === 'xl list')).toHaveLength(2);
    expect(got.at(-1)?.domains.map((d) => [d.name, d.domid])).toEqual([['Domain-0', 0], ['test1', 2]]);
    svc.stop();
  });

  it('re-reads the domid when a name comes back after it left (shutdown+start, save/restore), never showing the old one', async () => {
    const restarted = XL_LIST.replace(/^(test1\s+)1(\s)/m, '$12$2');
    const listed = { 'xl info': XL_INFO, 'xl list': XL_LIST };
    const { runner, streams, runCalls } = fakeRunner(listed);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1 });
    const got: StatsBatch[] = [];
    svc.subscribe((b) => got.push(b));
    const s = streams[0]!;
    const tick = async (names: string[]): Promise<void> => {
      s.stdout.write(frame(names.map((name) => ({ name, cpuS: 10 }))));
      await settle();
      vi.advanceTimersByTime(1000);
      await settle();
    };
    for (let i = 0; i < 8; i++) await tick(['Domain-0', 'test1']);
    expect(got.at(-1)?.domains.map((d) => d.domid)).toEqual([0, 1]);
    await tick(['Domain-0']); // test1 shut down ...
    await tick(['Domain-0']);
    listed['xl list'] = restarted; // ... and was started again: xl list now says 2
    const from = got.length;
    for (let i = 0; i < 8; i++) await tick(['Domain-0', 'test1']);
    const test1 = got.slice(from).map((b) => b.domains.find((d) => d.name === 'test1')?.domid);
    expect(test1).not.toContain(1);
    expect(test1.at(-1)).toBe(2);
    expect(runCalls.filter((c) => c === 'xl list').length).toBeGreaterThanOrEqual(2);
    svc.stop();
  });

  it('keeps other subscribers fed when one throws', async () => {
    const errors: unknown[] = [];
    const { runner, streams } = fakeRunner(answers);
    const svc = createStatsService(runner, { hostCpus: 1, hostMemKiB: 1, domidOf: () => 1, onError: (e) => errors.push(e) });
    const got: StatsBatch[] = [];
    svc.subscribe(() => {
      throw new Error('boom');
    });
    svc.subscribe((b) => got.push(b));
    streams[0]!.stdout.write(frame([{ name: 'a' }]).repeat(4));
    await settle();
    expect(got).toHaveLength(2);
    expect(errors).toHaveLength(2);
    svc.stop();
  });
});
