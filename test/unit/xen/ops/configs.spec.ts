import { describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { FakeFs, FakeRunner, fx, rejection } from './fakes';

const TEST1 = fx('test1.cfg');
const WEB = `# web server
name = "web"
type = "pvh"
kernel = "/root/domu/vmlinuz"
memory = 256
vcpus = 1
disk = [ 'format=raw,vdev=xvda,access=rw,target=/var/lib/xen/images/web.img',
         'format=raw,vdev=xvdb,access=rw,target=/var/lib/xen/images/data.img',
         'format=raw,vdev=xvdc,access=rw,target=/var/lib/xen/images/shared.img',
         'format=raw,vdev=hdc,access=ro,devtype=cdrom,target=/iso/debian.iso' ]
`;
const OTHER = `name = "other"
type = "pv"
kernel = "/root/domu/vmlinuz"
memory = 128
disk = [ 'format=raw,vdev=xvda,access=rw,target=/var/lib/xen/images/shared.img' ]
`;

function setup(extra: Record<string, string> = {}) {
  const fs = new FakeFs({
    '/etc/xen/test1.cfg': TEST1,
    '/etc/xen/web.cfg': WEB,
    '/etc/xen/other.cfg': OTHER,
    '/var/lib/xen/images/web.img': 'W',
    '/var/lib/xen/images/data.img': 'D',
    '/var/lib/xen/images/shared.img': 'S',
    '/iso/debian.iso': 'I',
    ...extra,
  }).link('/etc/xen/auto/web.cfg', '/etc/xen/web.cfg');
  // dom0's bridge (as `ip -o link` prints it) and no domain running: what a new NIC is checked against.
  const runner = new FakeRunner(fs)
    .on('ip -o link show type bridge', '3: xenbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 26:c2:05:29:45:63 brd ff:ff:ff:ff:ff:ff\n')
    .on('xl list -l', '[]\n');
  return { fs, runner, api: createXenApi(runner) };
}

describe('readConfig', () => {
  it('returns path, text and the validated model, running no command', async () => {
    const { runner, api } = setup();
    const v = await api.readConfig('test1');
    expect(v.path).toBe('/etc/xen/test1.cfg');
    expect(v.text).toBe(TEST1);
    expect(v.problems).toEqual([]);
    expect(v.config).toMatchObject({ name: 'test1', type: 'pv', memory: 128, maxmem: 256, vcpus: 1, maxvcpus: 2 });
    expect(runner.calls).toEqual([]);
  });

  it('finds a config by its name= even when the file is called something else; NOT_FOUND otherwise', async () => {
    const { api } = setup({ '/etc/xen/lab.cfg': TEST1.replace('"test1"', '"lab-guest"') });
    expect((await api.readConfig('lab-guest')).path).toBe('/etc/xen/lab.cfg');
    await expect(api.readConfig('nosuch')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('writeConfig', () => {
  it('writes a model into the existing file, keeping its comments, atomically', async () => {
    const { fs, api } = setup();
    const v = await api.readConfig('test1');
    if (v.config === null) throw new Error('test1.cfg should parse');
    await api.writeConfig('test1', { ...v.config, memory: 200 });
    const text = await fs.readFile('/etc/xen/test1.cfg');
    expect(text).toContain('# PV guest for xenlab');
    expect(text).toMatch(/^memory\s*=\s*200$/m);
    expect(text).toMatch(/^maxmem\s*=\s*256$/m);
    expect(fs.written).toEqual(['/etc/xen/test1.cfg']);
  });

  it('writes checked text as given', async () => {
    const { fs, api } = setup();
    const edited = TEST1.replace('memory  = 128', 'memory  = 192');
    await api.writeConfig('test1', edited);
    expect(await fs.readFile('/etc/xen/test1.cfg')).toBe(edited);
  });

  it('creates NAME.cfg for a new domain and never overwrites', async () => {
    const { fs, api } = setup();
    const v = await api.readConfig('test1');
    if (v.config === null) throw new Error('test1.cfg should parse');
    const r = await api.writeConfig('test3', { ...v.config, name: 'test3' });
    expect(r.path).toBe('/etc/xen/test3.cfg');
    expect(await fs.readFile('/etc/xen/test3.cfg')).toMatch(/^name\s*=\s*"test3"$/m);
    expect((await api.readConfig('test3')).config).toMatchObject({ name: 'test3', memory: 128 });
  });

  it('refuses a bridge the host lacks and a MAC another domain has, naming the NIC field; an unrelated edit still saves', async () => {
    const { fs, api } = setup({ '/etc/xen/old.cfg': 'name = "old"\ntype = "pvh"\nkernel = "/root/domu/vmlinuz"\nmemory = 128\nvif = [ "mac=00:16:3e:00:00:0a,bridge=gone0" ]\n' });
    const v = (await api.readConfig('test1')).config!;
    await expect(api.writeConfig('test1', { ...v, vifs: [{ bridge: 'xenbr9' }] })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'vifs[0].bridge', bridges: ['xenbr0'] } });
    await expect(api.writeConfig('test1', { ...v, vifs: [{ bridge: 'xenbr0', mac: '00:16:3E:00:00:0A' }] })).rejects.toMatchObject({ code: 'EXISTS', detail: { field: 'vifs[0].mac', domain: 'old' } });
    expect(fs.written).toEqual([]);
    // old.cfg already named a bridge that is gone: changing its memory is not refused for it.
    const old = await api.readConfig('old');
    await api.writeConfig('old', old.text.replace('memory = 128', 'memory = 256'), { expectedText: old.text });
    expect(await fs.readFile('/etc/xen/old.cfg')).toMatch(/memory = 256/);
  });

  it('refuses a name= that differs from the domain, broken text, and a stale expectedText; nothing is written', async () => {
    const { fs, api } = setup();
    await expect(api.writeConfig('test1', TEST1.replace('"test1"', '"evil"'))).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'name' } });
    expect(['PARSE', 'INVALID_ARG']).toContain((await rejection(api.writeConfig('test1', 'name = "test1"\nmemory = [\n'))).code);
    await expect(api.writeConfig('test1', TEST1, { expectedText: 'something older' })).rejects.toMatchObject({ code: 'EXISTS' });
    expect(fs.written).toEqual([]);
  });
});

describe('setAutostart', () => {
  it('links the config into the autostart directory, once, and removes every entry for it', async () => {
    const { fs, runner, api } = setup({ '/etc/xen/auto/test1.cfg': TEST1 });
    await api.setAutostart('web', true); // already linked: nothing to do
    expect(fs.written).toEqual([]);
    await api.setAutostart('web', false);
    expect(fs.removed).toEqual(['/etc/xen/auto/web.cfg']);
    await api.setAutostart('web', true);
    expect(await fs.readlink('/etc/xen/auto/web.cfg')).toBe('/etc/xen/web.cfg');
    await api.setAutostart('test1', false); // a copy named like the config counts too
    expect(fs.removed).toEqual(['/etc/xen/auto/web.cfg', '/etc/xen/auto/test1.cfg']);
    await expect(api.setAutostart('nosuch', true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(runner.calls).toEqual([]);
  });
});

describe('deleteDomain', () => {
  it('removes the config, its autostart link, then only the listed disks, reporting each step', async () => {
    const { fs, runner, api } = setup();
    runner.on('xl list', fx('xl-list-with-test1.txt'));
    const r = await api.deleteDomain('web', { disks: ['/var/lib/xen/images/web.img'] });
    expect(r.steps).toEqual([
      { what: 'config', path: '/etc/xen/web.cfg', ok: true },
      { what: 'autostart', path: '/etc/xen/auto/web.cfg', ok: true },
      { what: 'disk', path: '/var/lib/xen/images/web.img', ok: true },
    ]);
    expect(fs.removed).toEqual(['/etc/xen/web.cfg', '/etc/xen/auto/web.cfg', '/var/lib/xen/images/web.img']);
    expect(await fs.stat('/var/lib/xen/images/data.img')).not.toBeNull();
    expect(runner.lines).toEqual(['xl list']);
  });

  it('with no disks listed removes only the config', async () => {
    const { fs, runner, api } = setup();
    runner.on('xl list', fx('xl-list.txt'));
    await api.deleteDomain('other', { disks: [] });
    expect(fs.removed).toEqual(['/etc/xen/other.cfg']);
  });

  it('refuses a running domain and deletes nothing', async () => {
    const { fs, runner, api } = setup();
    runner.on('xl list', fx('xl-list-with-test1.txt'));
    await expect(api.deleteDomain('test1', { disks: ['/root/d.img'] })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(fs.removed).toEqual([]);
  });

  it('refuses, before removing anything, a disk that is not this domain\'s, a cdrom, or one another domain uses', async () => {
    const { fs, runner, api } = setup({ '/etc/passwd': 'root:x:0:0' });
    runner.on('xl list', fx('xl-list.txt'));
    for (const disk of ['/etc/passwd', '/iso/debian.iso', '/var/lib/xen/images/shared.img']) {
      await expect(api.deleteDomain('web', { disks: ['/var/lib/xen/images/web.img', disk] })).rejects.toMatchObject({
        code: 'INVALID_ARG',
        detail: { field: 'disks[1]' },
      });
    }
    expect(fs.removed).toEqual([]);
  });

  it('reports a disk that cannot be removed and carries on with the next', async () => {
    const { fs, runner, api } = setup();
    runner.on('xl list', fx('xl-list.txt'));
    await fs.remove('/var/lib/xen/images/web.img');
    fs.removed.length = 0;
    const r = await api.deleteDomain('web', { disks: ['/var/lib/xen/images/web.img', '/var/lib/xen/images/data.img'] });
    expect(r.steps.map((s) => [s.what, s.ok])).toEqual([
      ['config', true],
      ['autostart', true],
      ['disk', false],
      ['disk', true],
    ]);
    expect(r.steps[2]?.message).toMatch(/web\.img/);
  });
});
