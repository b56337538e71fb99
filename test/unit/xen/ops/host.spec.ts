import { describe, expect, it } from 'vitest';
import { bridgesFromIpLink } from '../../../../src/xen/ops/host';
import { createXenApi } from '../../../../src/xen/ops/api';
import { FakeRunner, fx } from './fakes';

const IP_LINK =
  '3: xenbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether c6:57:65:94:b7:be brd ff:ff:ff:ff:ff:ff\n' +
  '7: br-lan@if6: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n';

describe('hostInfo', () => {
  it('merges xl info, dom0 memory from xl list and bridges from ip link', async () => {
    const runner = new FakeRunner();
    runner.on('xl info', fx('xl-info.txt')).on('xl list', fx('xl-list-with-test1.txt')).on('ip -o link show type bridge', IP_LINK);
    const h = await createXenApi(runner).hostInfo();
    expect(runner.lines).toEqual(['xl info', 'xl list', 'ip -o link show type bridge']);
    expect(h).toMatchObject({
      hostname: 'xendom0',
      xenVersion: '4.17.5',
      release: '6.1.0-50-amd64',
      machine: 'x86_64',
      nrCpus: 2,
      nrNodes: 1,
      coresPerSocket: 2,
      threadsPerCore: 1,
      totalMemMiB: 3071,
      freeMemMiB: 2014,
      virtCaps: ['pv', 'hvm', 'shadow', 'gnttab-v1', 'gnttab-v2'],
      guestTypes: ['pv', 'pvh', 'hvm'],
      scheduler: 'credit2',
      dom0MemMiB: 1024,
      bridges: ['xenbr0', 'br-lan'],
    });
    expect(h.cpuMhz).toBeCloseTo(2445.424);
    expect(h.xenCommandline).toContain('dom0_mem=1024M');
  });

  it('still answers when ip is missing (no bridges), but not when xl info fails', async () => {
    const runner = new FakeRunner();
    runner.on('xl info', fx('xl-info.txt')).on('xl list', fx('xl-list.txt'));
    runner.on('ip -o link show type bridge', { stderr: 'ip: not found', exitCode: 127 });
    expect((await createXenApi(runner).hostInfo()).bridges).toEqual([]);
    const broken = new FakeRunner().on('xl info', { stderr: 'xc: error: Could not obtain handle on privileged command interface', exitCode: 1 });
    await expect(createXenApi(broken).hostInfo()).rejects.toMatchObject({ code: 'XL_FAILED' });
  });

  it('reads no bridges from empty or unrelated ip output', () => {
    expect(bridgesFromIpLink('')).toEqual([]);
    expect(bridgesFromIpLink('Device "bridge" does not exist.\n')).toEqual([]);
  });
});

describe('uptime, dmesg and consoleInfo', () => {
  it('runs xl uptime [DOM] and xl dmesg', async () => {
    const runner = new FakeRunner();
    runner.on('xl uptime', fx('xl-uptime-with-test1.txt')).on('xl uptime test1', fx('xl-uptime-with-test1.txt'));
    runner.on('xl dmesg', fx('xl-dmesg.txt'));
    const api = createXenApi(runner);
    expect(await api.uptime()).toHaveLength(2);
    await api.uptime('test1');
    expect((await api.dmesg()).length).toBeGreaterThan(10);
    expect(runner.lines).toEqual(['xl uptime', 'xl uptime test1', 'xl dmesg']);
  });

  it('reads the console keys of a domid with one xenstore-ls', async () => {
    const runner = new FakeRunner();
    const consoleKeys = fx('xenstore-ls-test1.txt')
      .split('\n')
      .filter((l) => l.startsWith('/local/domain/1/console/'))
      .join('\n');
    runner.on('xenstore-ls -f /local/domain/1/console', consoleKeys);
    runner.on(
      'xenstore-ls -f /local/domain/5/console',
      '/local/domain/5/console/tty = "/dev/pts/3"\n/local/domain/5/console/vnc-listen = "127.0.0.1"\n/local/domain/5/console/vnc-port = "5901"\n',
    );
    const api = createXenApi(runner);
    expect(await api.consoleInfo(1)).toEqual({ tty: '/dev/pts/0', vncPort: null, vncListen: null });
    expect(await api.consoleInfo(5)).toEqual({ tty: '/dev/pts/3', vncPort: 5901, vncListen: '127.0.0.1' });
    expect(runner.argvs).toEqual([
      ['xenstore-ls', '-f', '/local/domain/1/console'],
      ['xenstore-ls', '-f', '/local/domain/5/console'],
    ]);
  });
});
