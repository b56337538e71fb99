import { describe, expect, it } from 'vitest';
import { createXenApi, type XenApi } from '../../../../src/xen/ops/api';
import { FakeRunner, rejection } from './fakes';

/** Identifiers an attacker (or a typo) could send through IPC; each must stop before any command runs. */
const HOSTILE = ['a;touch /tmp/x', "te'st", 'te"st', 'two words', 'line\nbreak', '$(touch /tmp/x)', '`id`', '-h', '--help', '', '../etc', 'x'.repeat(65), '-1'];

/** Every operation that takes a domain, called with `dom` in the domain slot and valid values elsewhere. */
const OPS: [string, (api: XenApi, dom: string) => Promise<unknown>][] = [
  ['shutdown', (a, d) => a.shutdown(d)],
  ['reboot', (a, d) => a.reboot(d)],
  ['destroy', (a, d) => a.destroy(d)],
  ['pause', (a, d) => a.pause(d)],
  ['unpause', (a, d) => a.unpause(d)],
  ['save', (a, d) => a.save(d, '/root/t.save')],
  ['rename(from)', (a, d) => a.rename(d, 'web')],
  ['rename(to)', (a, d) => a.rename('test1', d)],
  ['memSet', (a, d) => a.memSet(d, 128)],
  ['memMax', (a, d) => a.memMax(d, 256)],
  ['vcpuSet', (a, d) => a.vcpuSet(d, 2)],
  ['vcpuPin', (a, d) => a.vcpuPin(d, 0, '0-1')],
  ['vcpuList', (a, d) => a.vcpuList(d)],
  ['schedCredit2', (a, d) => a.schedCredit2(d)],
  ['schedCredit2Set', (a, d) => a.schedCredit2Set(d, { weight: 512 })],
  ['blockAttach', (a, d) => a.blockAttach(d, 'format=raw,vdev=xvdb,access=rw,target=/var/lib/xen/images/b.img')],
  ['blockDetach', (a, d) => a.blockDetach(d, 'xvdb')],
  ['blockList', (a, d) => a.blockList(d)],
  ['cdInsert', (a, d) => a.cdInsert(d, 'hdc', '/iso/debian.iso')],
  ['cdEject', (a, d) => a.cdEject(d, 'hdc')],
  ['networkAttach', (a, d) => a.networkAttach(d, 'bridge=xenbr0')],
  ['networkDetach', (a, d) => a.networkDetach(d, 0)],
  ['networkList', (a, d) => a.networkList(d)],
  ['uptime', (a, d) => a.uptime(d)],
  ['readConfig', (a, d) => a.readConfig(d)],
  ['setAutostart', (a, d) => a.setAutostart(d, true)],
  ['deleteDomain', (a, d) => a.deleteDomain(d, { disks: [] })],
];

describe('hostile identifiers are refused before any command runs', () => {
  for (const [name, call] of OPS) {
    it.each(HOSTILE)(`${name} refuses %j`, async (dom) => {
      const runner = new FakeRunner();
      const api = createXenApi(runner);
      const e = await rejection(call(api, dom));
      expect(e.code).toBe('INVALID_ARG');
      expect(typeof e.detail.field).toBe('string');
      expect(runner.calls).toEqual([]);
      expect(runner.fs.written).toEqual([]);
      expect(runner.fs.removed).toEqual([]);
    });
  }

  it('hostile values in the other arguments are refused too', async () => {
    const runner = new FakeRunner();
    const api = createXenApi(runner);
    const bad: Promise<unknown>[] = [
      api.memSet('test1', -5),
      api.memSet('test1', 1.5),
      api.memSet('test1', Number.NaN),
      api.vcpuSet('test1', 0),
      api.vcpuPin('test1', 0, '0;reboot'),
      api.vcpuPin('test1', 0, '0', '-x'),
      api.schedCredit2Set('test1', { weight: 0 }),
      api.schedCredit2Set('test1', {}),
      api.blockDetach('test1', '--force'),
      api.cdInsert('test1', 'hdc', 'relative.iso'),
      api.cdInsert('test1', 'hdc;x', '/iso/a.iso'),
      api.networkDetach('test1', 'not-a-mac'),
      api.consoleInfo(-1),
      api.consoleInfo(Number('1e9')),
      api.save('test1', '/root/../etc/passwd'),
      api.restore('-p'),
      api.deleteDomain('test1', { disks: ['relative.img'] }),
      api.writeConfig('a;b', 'name = "a;b"\n'),
    ];
    for (const p of bad) await expect(p).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(runner.calls).toEqual([]);
    expect(runner.fs.written).toEqual([]);
  });
});

describe('Domain-0 is never stopped, frozen or moved', () => {
  const DOM0_OPS: [string, (api: XenApi, dom: string | number) => Promise<unknown>][] = [
    ['shutdown', (a, d) => a.shutdown(d)],
    ['reboot', (a, d) => a.reboot(d)],
    ['destroy', (a, d) => a.destroy(d)],
    ['pause', (a, d) => a.pause(d)],
    ['save', (a, d) => a.save(d, '/var/lib/xen/save/dom0.save')],
    ['rename', (a, d) => a.rename(d, 'host')],
  ];
  for (const [name, call] of DOM0_OPS) {
    it.each([0, '0', 'Domain-0'])(`${name} refuses %j`, async (dom) => {
      const runner = new FakeRunner();
      const e = await rejection(call(createXenApi(runner), dom));
      expect(e.code).toBe('INVALID_ARG');
      expect(e.message).toMatch(/Domain-0/);
      expect(runner.calls).toEqual([]);
    });
  }

  it('still allows what is meant for dom0: mem-set, vcpu-set, lists', async () => {
    const runner = new FakeRunner().use(() => '');
    const api = createXenApi(runner);
    await api.memSet(0, 2048);
    await api.vcpuSet('Domain-0', 2);
    await api.unpause(0);
    expect(runner.lines).toEqual(['xl mem-set 0 2048m', 'xl vcpu-set Domain-0 2', 'xl unpause 0']);
  });
});
