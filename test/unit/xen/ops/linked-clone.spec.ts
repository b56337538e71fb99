import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createXenApi, type XenApi } from '../../../../src/xen/ops/api';
import { createDemoRunner, type DemoRunner } from '../../../../src/xen/sim/index';
import { parseXlConfig } from '../../../../src/xen/config/xl-config';

let dir: string;
let demo: DemoRunner;
let api: XenApi;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenith-linked-'));
  demo = createDemoRunner({ stateDir: dir, speed: 50 });
  api = createXenApi(demo, {});
});
afterEach(async () => {
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

const IMG = '/var/lib/xen/images';
const volume = async (p: string) => (await api.storageOverview()).volumes.find((v) => v.path === p);

describe('linked clones on the demo host', () => {
  it('shows each disk as an overlay on the original, and makes it without copying', async () => {
    const plan = await api.clonePreview({ name: 'test-pvh', newName: 'lc', pool: null, linked: true });
    expect(plan.problems).toEqual([]);
    expect(plan.disks).toEqual([{ vdev: 'xvda', from: `${IMG}/test-pvh.img`, to: `${IMG}/lc-xvda.qcow2`, pool: 'default', bytes: 8 * 1024 ** 3, shared: null, linked: true }]);
    expect(JSON.stringify(parseXlConfig(plan.text).toObject()['disk'])).toContain(`${IMG}/lc-xvda.qcow2,qcow2,xvda`);
    const said: string[] = [];
    const r = await api.cloneDomain({ name: 'test-pvh', newName: 'lc', pool: null, linked: true, identity: plan.identity }, (m) => said.push(m));
    expect(r.created).toEqual([`${IMG}/lc-xvda.qcow2`, '/etc/xen/lc.cfg']);
    expect(said[0]).toBe('Linking xvda (1 of 1) into default…');
    expect((await api.readConfig('lc')).text).toBe(plan.text);
    const v = await volume(`${IMG}/lc-xvda.qcow2`);
    expect(v).toMatchObject({ format: 'qcow2', virtualBytes: 8 * 1024 ** 3, backing: `${IMG}/test-pvh.img`, linkedTo: { path: `${IMG}/test-pvh.img`, format: 'raw' } });
    expect(v!.allocatedBytes).toBeLessThan(1024 ** 2);
  });

  it('keeps the base as it is while a linked clone reads it: no start, write, resize, snapshot or delete', async () => {
    await api.cloneDomain({ name: 'test-pvh', newName: 'lc', pool: null, linked: true });
    const base = `${IMG}/test-pvh.img`;
    const refused = await api.startDomain('test-pvh').then(() => null, (e: unknown) => e as { code: string; message: string });
    expect(refused?.code).toBe('IN_USE');
    expect(refused?.message).toContain(`${base} is the base of linked volume ${IMG}/lc-xvda.qcow2`);
    await expect(api.deleteVolume('default', 'test-pvh.img')).rejects.toMatchObject({ code: 'IN_USE', detail: { field: 'name' } });
    await expect(api.resizeVolume('default', 'test-pvh.img', 9)).rejects.toMatchObject({ code: 'IN_USE' });
    await expect(api.deleteDomain('test-pvh', { disks: [base] })).rejects.toMatchObject({ code: 'IN_USE', detail: { field: 'disks[0]' } });
    await expect(api.createSnapshot({ name: 'test-pvh', snapName: 'x', description: '' })).rejects.toMatchObject({ detail: { field: 'disks[0]' } });
    await expect(api.attachDisk({ name: 'lc', apply: 'config', disk: { target: base, vdev: 'xvdb', format: 'raw', access: 'rw', devtype: 'disk' } } as never)).rejects.toMatchObject({ code: 'IN_USE' });
    // The clone itself runs, and takes snapshots in its own file.
    await api.startDomain('lc');
    expect((await api.listDomains()).find((d) => d.name === 'lc')?.state).not.toBe('stopped');
    await api.destroy('lc');
    expect(await api.createSnapshot({ name: 'lc', snapName: 'fresh', description: '' })).toMatchObject({ name: 'fresh' });
    // With the linked clone gone, the original is its own again.
    await api.deleteSnapshot({ name: 'lc', id: (await api.listSnapshots('lc')).snapshots[0]!.id, subtree: true });
    await api.deleteDomain('lc', { disks: [`${IMG}/lc-xvda.qcow2`] });
    await api.startDomain('test-pvh');
  });

  it('refuses what cannot be linked, naming the field: an LVM disk or pool, a snapshot, a linked clone of a linked clone', async () => {
    const fields = async (a: Parameters<XenApi['clonePreview']>[0]) => (await api.clonePreview(a)).problems.map((p) => p.field);
    expect(await fields({ name: 'test-pvh', newName: 'lc', pool: 'vg0', linked: true })).toEqual(['pool']);
    await api.cloneDomain({ name: 'test-pvh', newName: 'lc', pool: null, linked: true });
    expect(await fields({ name: 'lc', newName: 'lc2', pool: null, linked: true })).toEqual(['disks[0]']);
    // A full clone of a linked clone is independent: a copy reading through to the base.
    await api.cloneDomain({ name: 'lc', newName: 'full', pool: null });
    const full = await volume(`${IMG}/full-xvda.qcow2`);
    expect(full).toMatchObject({ format: 'qcow2', backing: null });
    expect(full?.linkedTo).toBeUndefined();
    await expect(api.cloneDomain({ name: 'test-pvh', newName: 'nope', pool: 'vg0', linked: true })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'pool' } });
    expect(await volume('/dev/vg0/nope-xvda')).toBeUndefined();
  });

  it('removes exactly what it made when making an overlay fails, or writing the config after it', async () => {
    const volumes = (await api.storageOverview()).volumes.map((v) => v.path).sort();
    const failing = createXenApi({ ...demo, run: (op, args) => demo.run(op, (op === 'image.createOverlay' ? { ...args, base: `${IMG}/gone.img` } : args) as typeof args) }, {});
    await expect(failing.cloneDomain({ name: 'test-pvh', newName: 'broken', pool: null, linked: true })).rejects.toMatchObject({ detail: { removed: [`${IMG}/broken-xvda.qcow2`] } });
    expect((await api.storageOverview()).volumes.map((v) => v.path).sort()).toEqual(volumes);
    const noWrite = createXenApi({ ...demo, fs: { ...demo.fs, writeFileExclusive: () => Promise.reject(new Error('No space left on device')) } }, {});
    await expect(noWrite.cloneDomain({ name: 'test-pvh', newName: 'nocfg', pool: null, linked: true })).rejects.toMatchObject({ detail: { removed: [`${IMG}/nocfg-xvda.qcow2`], left: [] } });
    expect((await api.storageOverview()).volumes.map((v) => v.path).sort()).toEqual(volumes);
    // Nothing reads the original any more: it starts.
    await api.startDomain('test-pvh');
  });
});
