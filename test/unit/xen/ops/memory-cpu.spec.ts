import { describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { FakeRunner, fx, rejection } from './fakes';

const OVER_MAXMEM =
  'libxl: error: libxl_mem.c:278:libxl_set_memory_target: Domain 1:memory_dynamic_max must be less than or equal to memory_static_max\n\ncannot set domid 1 dynamic max memory to : 512m\n';

function setup() {
  const runner = new FakeRunner();
  return { runner, api: createXenApi(runner) };
}

describe('memory', () => {
  it('mem-set and mem-max take MiB with an explicit "m" suffix (xl defaults to KiB)', async () => {
    const { runner, api } = setup();
    runner.use(() => '');
    await api.memSet('test1', 96);
    await api.memMax(1, 300);
    expect(runner.argvs).toEqual([
      ['xl', 'mem-set', 'test1', '96m'],
      ['xl', 'mem-max', '1', '300m'],
    ]);
    expect(runner.calls[0]?.timeoutMs).toBe(60_000);
  });

  it("above maxmem fails with XL_FAILED carrying xl's own words", async () => {
    const { runner, api } = setup();
    runner.on('xl mem-set test1 512m', { stderr: OVER_MAXMEM, exitCode: 1 });
    const err = await api.memSet('test1', 512).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'XL_FAILED', detail: { stderr: OVER_MAXMEM, exitCode: 1 } });
    expect((err as Error).message).toContain('memory_dynamic_max must be less than or equal to memory_static_max');
  });
});

describe('vCPUs', () => {
  it('vcpu-set, with --ignore-host before the domain when asked', async () => {
    const { runner, api } = setup();
    runner.use(() => '');
    await api.vcpuSet('test1', 2);
    await api.vcpuSet('test1', 4, { ignoreHost: true });
    expect(runner.argvs).toEqual([
      ['xl', 'vcpu-set', 'test1', '2'],
      ['xl', 'vcpu-set', '--ignore-host', 'test1', '4'],
    ]);
  });

  it('vcpu-set over the host passes xl\'s refusal through', async () => {
    const { runner, api } = setup();
    const msg = 'You are overcommmitting! You have 2 physical CPUs and want 4 vCPUs! Aborting, use --ignore-host to continue\n';
    runner.on('xl vcpu-set test1 4', { stderr: msg, exitCode: 1 });
    const e = await rejection(api.vcpuSet('test1', 4));
    expect(e.code).toBe('XL_FAILED');
    expect(e.message).toContain('overcommmitting');
  });

  it('vcpu-pin with hard only, hard and soft, and all', async () => {
    const { runner, api } = setup();
    runner.use(() => '');
    await api.vcpuPin('test1', 0, '1');
    await api.vcpuPin('test1', 1, '-', '0-1');
    await api.vcpuPin(3, 'all', 'all');
    expect(runner.argvs).toEqual([
      ['xl', 'vcpu-pin', 'test1', '0', '1'],
      ['xl', 'vcpu-pin', 'test1', '1', '-', '0-1'],
      ['xl', 'vcpu-pin', '3', 'all', 'all'],
    ]);
  });

  it('vcpu-list for one domain or all, parsed', async () => {
    const { runner, api } = setup();
    runner.on('xl vcpu-list test1', fx('xl-vcpu-list-test1.txt')).on('xl vcpu-list', fx('xl-vcpu-list.txt'));
    const one = await api.vcpuList('test1');
    const all = await api.vcpuList();
    expect(one).toHaveLength(2);
    expect(all).toHaveLength(2);
    expect(runner.lines).toEqual(['xl vcpu-list test1', 'xl vcpu-list']);
  });
});

describe('credit2', () => {
  it('reads one domain with -d, all without', async () => {
    const { runner, api } = setup();
    runner.use(() => fx('xl-sched-credit2.txt'));
    await api.schedCredit2('Domain-0');
    await api.schedCredit2();
    expect(runner.argvs).toEqual([
      ['xl', 'sched-credit2', '-d', 'Domain-0'],
      ['xl', 'sched-credit2'],
    ]);
  });

  it('sets weight and/or cap', async () => {
    const { runner, api } = setup();
    runner.use(() => '');
    await api.schedCredit2Set('test1', { weight: 512 });
    await api.schedCredit2Set('test1', { cap: 50 });
    await api.schedCredit2Set('test1', { weight: 128, cap: 0 });
    expect(runner.argvs).toEqual([
      ['xl', 'sched-credit2', '-d', 'test1', '-w', '512'],
      ['xl', 'sched-credit2', '-d', 'test1', '-c', '50'],
      ['xl', 'sched-credit2', '-d', 'test1', '-w', '128', '-c', '0'],
    ]);
  });
});
