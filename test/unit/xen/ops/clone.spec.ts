import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createXenApi, type XenApi } from '../../../../src/xen/ops/api';
import { createDemoRunner, type DemoRunner } from '../../../../src/xen/sim/index';
import { parseXlConfig } from '../../../../src/xen/config/xl-config';
import { qcow2Head } from '../../../fixtures/qcow2-head';

let dir: string;
let demo: DemoRunner;
let api: XenApi;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenith-clone-'));
  demo = createDemoRunner({ stateDir: dir, speed: 50 });
  api = createXenApi(demo, {});
});
afterEach(async () => {
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

const values = (text: string) => parseXlConfig(text).toObject() as Record<string, unknown>;
const macs = (text: string) => ((values(text)['vif'] as string[] | undefined) ?? []).map((v) => /mac=([0-9a-f:]+)/i.exec(v)?.[1]);
const volumeNames = async () => (await api.storageOverview()).volumes.map((v) => v.path).sort();

describe('cloning a stopped domain on the demo host', () => {
  it('shows the exact config first: new name, new UUID, new MACs, and where each disk is copied', async () => {
    const src = await api.readConfig('test-pvh');
    const plan = await api.clonePreview({ name: 'test-pvh', newName: 'test-pvh2', pool: 'vg0' });
    expect(plan.problems).toEqual([]);
    expect(plan.configPath).toBe('/etc/xen/test-pvh2.cfg');
    expect(plan.disks).toEqual([{ vdev: 'xvda', from: '/var/lib/xen/images/test-pvh.img', to: '/dev/vg0/test-pvh2-xvda', pool: 'vg0', bytes: 8 * 1024 ** 3, shared: null }]);
    const v = values(plan.text);
    expect(v['name']).toBe('test-pvh2');
    expect(v['uuid']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(v['uuid']).not.toBe(values(src.text)['uuid']);
    expect(JSON.stringify(v['disk'])).toContain('/dev/vg0/test-pvh2-xvda');
    expect(macs(plan.text)).toHaveLength(macs(src.text).length);
    expect(macs(plan.text).length).toBeGreaterThan(0);
    for (const m of macs(plan.text)) expect(macs(src.text)).not.toContain(m);
    // Nothing was made by looking.
    expect(await volumeNames()).not.toContain('/dev/vg0/test-pvh2-xvda');
  });

  it('copies every disk with progress, writes the new config and leaves the original as it was', async () => {
    const before = await api.readConfig('legacy-hvm');
    const said: string[] = [];
    const r = await api.cloneDomain({ name: 'legacy-hvm', newName: 'legacy-hvm2', pool: null }, (m) => said.push(m));
    expect(r).toEqual({ name: 'legacy-hvm2', configPath: '/etc/xen/legacy-hvm2.cfg', created: ['/var/lib/xen/images/legacy-hvm2-hda.img', '/etc/xen/legacy-hvm2.cfg'] });
    expect(said[0]).toBe('Copying hda (1 of 1) into default…');
    expect(said.some((m) => /: 100%$/.test(m))).toBe(true);
    expect(said.at(-1)).toBe('Writing /etc/xen/legacy-hvm2.cfg…');
    const list = await api.listDomains();
    expect(list.find((d) => d.name === 'legacy-hvm2')?.state).toBe('stopped');
    expect((await api.readConfig('legacy-hvm')).text).toBe(before.text);
    const copy = (await api.storageOverview()).volumes.find((v) => v.path === '/var/lib/xen/images/legacy-hvm2-hda.img');
    expect(copy?.users.map((u) => u.domain)).toEqual(['legacy-hvm2']);
  });

  it('writes exactly the config the preview showed when its identity comes back, and refuses one that is taken', async () => {
    const plan = await api.clonePreview({ name: 'test-pvh', newName: 'twin', pool: null });
    await api.cloneDomain({ name: 'test-pvh', newName: 'twin', pool: null, identity: plan.identity });
    expect((await api.readConfig('twin')).text).toBe(plan.text);
    // The same identity again would give two domains one UUID and one MAC.
    const again = await api.clonePreview({ name: 'test-pvh', newName: 'twin2', pool: null, identity: plan.identity });
    expect(again.problems.map((p) => p.field)).toEqual(['identity.uuid', 'identity.macs.0']);
    await expect(api.cloneDomain({ name: 'test-pvh', newName: 'twin2', pool: null, identity: { ...plan.identity, macs: [] } })).rejects.toMatchObject({ detail: { field: 'identity.macs' } });
  });

  it('copies what the config declares: a raw disk whose contents start like qcow2 is refused, a qcow2 one into LVM becomes raw', async () => {
    // The guest of a raw disk can write a qcow2 header (naming any host file as its backing) into its first sector.
    const head = qcow2Head();
    writeFileSync(join(dir, 'root/var/lib/xen/images/legacy-hvm.img'), head, { flag: 'r+' });
    await expect(api.cloneDomain({ name: 'legacy-hvm', newName: 'forged', pool: null })).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('used as raw but its contents start like qcow2') as string });
    expect((await api.listDomains()).some((d) => d.name === 'forged')).toBe(false);

    await api.createVolume({ pool: 'default', name: 'q.qcow2', sizeGiB: 1, format: 'qcow2' });
    const src = await api.readConfig('test-pvh');
    await api.writeConfig('qsrc', { ...src.config!, name: 'qsrc', uuid: undefined, vifs: [], disks: [{ target: '/var/lib/xen/images/q.qcow2', format: 'qcow2', vdev: 'xvda', access: 'rw' }] });
    const plan = await api.clonePreview({ name: 'qsrc', newName: 'qlv', pool: 'vg0' });
    expect(plan.text).toContain('"/dev/vg0/qlv-xvda,raw,xvda,rw"');
    await api.cloneDomain({ name: 'qsrc', newName: 'qlv', pool: 'vg0', identity: plan.identity });
    expect((await api.readConfig('qlv')).config?.disks[0]).toMatchObject({ target: '/dev/vg0/qlv-xvda', format: 'raw' });
  });

  it('refuses options that hand the original a host resource, and the same MAC twice', async () => {
    const src = await api.readConfig('test-pvh');
    // A copy under another name gets NICs of its own: test-pvh's MAC is test-pvh's.
    const vifs = src.config!.vifs.map((n) => ({ ...n, mac: undefined }));
    await api.writeConfig('p9src', { ...src.config!, name: 'p9src', uuid: undefined, vifs, extraOptions: { p9: ['tag=share,path=/srv/share,security_model=none'] } });
    const plan = await api.clonePreview({ name: 'p9src', newName: 'p9copy', pool: null });
    expect(plan.problems.map((p) => p.field)).toContain('p9');
    await api.writeConfig('twonics', { ...src.config!, name: 'twonics', uuid: undefined, vifs: [{ bridge: 'xenbr0' }, { bridge: 'xenbr0' }] });
    const first = await api.clonePreview({ name: 'twonics', newName: 'twonics2', pool: null });
    const mac = first.identity.macs[0]!;
    const twice = await api.clonePreview({ name: 'twonics', newName: 'twonics2', pool: null, identity: { uuid: first.identity.uuid, macs: [mac, mac] } });
    expect(twice.problems.map((p) => p.field)).toContain('identity.macs.1');
  });

  it('refuses a running domain, a taken name and a pool that does not exist, naming the field, before anything runs', async () => {
    const volumes = await volumeNames();
    await expect(api.cloneDomain({ name: 'web01', newName: 'web02', pool: null })).rejects.toMatchObject({ code: 'IN_USE', detail: { field: 'name' } });
    await expect(api.cloneDomain({ name: 'test-pvh', newName: 'web01', pool: null })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'newName' } });
    await expect(api.cloneDomain({ name: 'test-pvh', newName: 'x1', pool: 'nope' })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'pool' } });
    await expect(api.cloneDomain({ name: 'guide-win', newName: 'x2', pool: null })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'disks[0].target' } });
    expect(await volumeNames()).toEqual(volumes);
  });

  it('removes exactly what it made when a copy fails, and when it is cancelled', async () => {
    const volumes = await volumeNames();
    const failing = createXenApi({ ...demo, stream: (op, args) => (op === 'image.convert' ? demo.stream(op, { ...args, src: '/var/lib/xen/images/gone.img' } as typeof args) : demo.stream(op, args)) }, {});
    await expect(failing.cloneDomain({ name: 'legacy-hvm', newName: 'broken', pool: null })).rejects.toMatchObject({ code: 'XL_FAILED', detail: { left: [] } });
    expect(await volumeNames()).toEqual(volumes);
    expect((await api.listDomains()).some((d) => d.name === 'broken')).toBe(false);

    // The copy worked, then writing the config failed: the copy goes again.
    const noWrite = createXenApi({ ...demo, fs: { ...demo.fs, writeFileExclusive: () => Promise.reject(new Error('No space left on device')) } }, {});
    await expect(noWrite.cloneDomain({ name: 'legacy-hvm', newName: 'nocfg', pool: 'vg0' })).rejects.toMatchObject({ detail: { removed: ['/dev/vg0/nocfg-hda'], left: [] } });
    expect(await volumeNames()).toEqual(volumes);

    const stop = new AbortController();
    const run = api.cloneDomain({ name: 'legacy-hvm', newName: 'stopped', pool: null }, (m) => /%$/.test(m) && stop.abort(), stop.signal);
    await expect(run).rejects.toMatchObject({ code: 'ABORTED' });
    expect(await volumeNames()).toEqual(volumes);
    expect((await api.listDomains()).some((d) => d.name === 'stopped')).toBe(false);
  });
});
