import { describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { readXlModel } from '../../../../src/xen/config/render';
import { parseXlConfig } from '../../../../src/xen/config/xl-config';
import { GUIDE_PV_CFG, GUIDE_WIN_CFG } from '../../../../src/xen/sim/seed-guides';
import { FakeFs, FakeRunner, fx, rejection } from './fakes';

// Configs from old Xen 3.x guides, which xl 4.17 still accepts (with warnings): Xenith must show what xl sees.
const PV = fx('xm-era-pv-guide.cfg');
const WIN = fx('xm-era-windows-hvm.cfg');

function setup() {
  const fs = new FakeFs({ '/etc/xen/guide-pv.cfg': PV, '/etc/xen/guide-win.cfg': WIN });
  const runner = new FakeRunner(fs);
  runner.on('xl list', fx('xl-list.txt')).on('xl list -l', fx('xl-list-l.json')).on('xl uptime', fx('xl-uptime.txt'));
  return { fs, runner, api: createXenApi(runner) };
}

describe('readXlModel: one value that does not fit costs that value, not the config', () => {
  it('keeps the guide vif bridge and reports its placeholder mac on vifs[0].mac', () => {
    const { config, problems } = readXlModel(parseXlConfig(PV).toObject());
    expect(config).toMatchObject({ name: 'guide-pv', type: 'pv', memory: 256, vcpus: 1, kernel: '/boot/vmlinuz-2.6.32-5-xen-amd64', root: '/dev/xvda2 ro' });
    expect(config.disks.map((d) => [d.target, d.vdev, d.access])).toEqual([
      ['/srv/xen/domains/guide-pv/disk.img', 'xvda1', 'rw'],
      ['/dev/vg/guide-pv-root', 'xvda2', 'rw'],
    ]);
    expect(config.vifs).toEqual([{ bridge: 'xenbr0' }]);
    expect(problems).toEqual([{ field: 'vifs[0].mac', message: expect.stringMatching(/^Network interface 1 MAC address: bad mac "00:16:3e:__random_three_mac_bytes__"/) as string }]);
  });

  it('reports every value of the wrong shape and keeps the others', () => {
    const { config, problems } = readXlModel({ name: 'a', kernel: '/k', memory: 'lots', vcpus: 2, disk: ['/x,raw', 'file:/i.img,xvda,w'], vif: ['colour=red,bridge=br0'] });
    expect(problems.map((p) => p.field)).toEqual(['memory', 'disks[0]', 'vifs[0]']);
    expect(config).toMatchObject({ memory: 32, vcpus: 2, disks: [{ target: '/i.img', vdev: 'xvda' }], vifs: [{ bridge: 'br0' }] });
  });

  it('reads the xm-era Windows config as the HVM guest xl sees', () => {
    const { config, problems } = readXlModel(parseXlConfig(WIN).toObject());
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ name: 'guide-win', type: 'hvm', memory: 1024, vcpus: 2, vnc: true });
    expect(config.disks.map((d) => [d.vdev, d.devtype ?? 'disk', d.access])).toEqual([['hda', 'disk', 'rw'], ['hdc', 'cdrom', 'ro']]);
  });

  it('the demo host seeds exactly these fixture texts', () => {
    expect(GUIDE_PV_CFG).toBe(PV);
    expect(GUIDE_WIN_CFG).toBe(WIN);
  });
});

describe('a guide config on a host', () => {
  it('lists with its memory and type, and reads with the problem naming its field', async () => {
    const { api } = setup();
    const row = (await api.listDomains()).find((d) => d.name === 'guide-pv');
    expect(row).toMatchObject({ memoryMiB: 256, type: 'pv', vcpus: 1, state: 'stopped' });
    const view = await api.readConfig('guide-pv');
    expect(view.config?.disks).toHaveLength(2);
    expect(view.problems.map((p) => p.field)).toEqual(['vifs[0].mac']);
  });

  it('shows both disks and the NIC in the details, the problem on the NIC row', async () => {
    const { api } = setup();
    const d = await api.domainDetails('guide-pv');
    expect(d.disks.map((x) => [x.vdev, x.target, x.problems])).toEqual([
      ['xvda1', '/srv/xen/domains/guide-pv/disk.img', []],
      ['xvda2', '/dev/vg/guide-pv-root', []],
    ]);
    expect(d.nics).toHaveLength(1);
    expect(d.nics[0]).toMatchObject({ bridge: 'xenbr0', inConfig: true });
    expect(d.nics[0]?.problems).toEqual([expect.stringContaining('Network interface 1 MAC address')]);
    expect(d.configProblems.map((p) => p.field)).toEqual(['vifs[0].mac']);
  });

  it('refuses a structured edit that would write the model without the bad value, naming the field', async () => {
    const { fs, api } = setup();
    const err = await rejection(api.patchConfig('guide-pv', { on_crash: 'destroy' }, PV));
    expect(err).toMatchObject({ code: 'INVALID_ARG', detail: { field: 'vifs[0].mac' } });
    expect(err.message).toContain('vifs[0].mac');
    expect(await fs.readFile('/etc/xen/guide-pv.cfg')).toBe(PV);
  });

  it('refuses to save the text with the bad mac through the Config tab, naming the field', async () => {
    const { fs, api } = setup();
    const err = await rejection(api.writeConfig('guide-pv', PV.replace("'restart'\n", "'destroy'\n"), { expectedText: PV }));
    expect(err).toMatchObject({ code: 'INVALID_ARG', detail: { field: 'vifs[0].mac' } });
    expect(await fs.readFile('/etc/xen/guide-pv.cfg')).toBe(PV);
  });
});
