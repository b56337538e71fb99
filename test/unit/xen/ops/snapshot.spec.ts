import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotCreateArgsSchema } from '../../../../src/shared/snapshot';
import { createXenApi, type XenApi } from '../../../../src/xen/ops/api';
import { createDemoRunner, type DemoRunner } from '../../../../src/xen/sim/index';
import type { Runner } from '../../../../src/xen/runner/types';

let dir: string;
let demo: DemoRunner;
let api: XenApi;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenith-snap-'));
  demo = createDemoRunner({ stateDir: dir, speed: 50 });
  api = createXenApi(demo, {});
});
afterEach(async () => {
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

const lvNames = async (): Promise<string[]> => (JSON.parse((await demo.run('lvm.lvs', {})).stdout) as { report: { lv: { lv_name: string }[] }[] }).report[0]!.lv.map((l) => l.lv_name);
const qcowTags = (path: string): string[] => ((JSON.parse(readFileSync(join(dir, 'storage.json'), 'utf8')) as { qcowSnaps?: Record<string, { tag: string }[]> }).qcowSnaps?.[path] ?? []).map((s) => s.tag);
const state = async (name: string): Promise<string | undefined> => (await api.listDomains()).find((d) => d.name === name)?.state;
/** Running, whether it is using its CPU this instant (running) or waiting (blocked): not paused, not stopped. */
const RUNNING = ['running', 'blocked'];

/** A PV domain on the demo's logical volume vg0/build-cache (a thick LV). */
async function lvDomain(name: string, start: boolean): Promise<void> {
  const cfg = (await api.readConfig('mail01')).config!;
  await api.writeConfig(name, { ...cfg, name, uuid: undefined, disks: [{ target: '/dev/vg0/build-cache', format: 'raw', vdev: 'xvda', access: 'rw' }], vifs: [] });
  if (start) await api.startDomain(name);
}

describe('snapshots on the demo host', () => {
  it('puts a qcow2 overlay on a raw disk at once instead of copying it: the raw file becomes its base, and snapshots go in the overlay', async () => {
    const said: string[] = [];
    const r = await api.convertDiskToQcow2({ name: 'legacy-hvm', vdev: 'hda', how: 'overlay' }, (m) => said.push(m));
    expect(r).toEqual({ path: '/var/lib/xen/images/legacy-hvm.qcow2', kept: '/var/lib/xen/images/legacy-hvm.img', how: 'overlay' });
    expect(said[0]).toBe('Making /var/lib/xen/images/legacy-hvm.qcow2, an overlay reading /var/lib/xen/images/legacy-hvm.img…');
    expect((await api.readConfig('legacy-hvm')).config!.disks[0]).toMatchObject({ target: r.path, format: 'qcow2' });
    const vols = (await api.storageOverview()).volumes;
    expect(vols.find((v) => v.path === r.path)?.linkedTo).toEqual({ path: r.kept, format: 'raw' });
    const snap = await api.createSnapshot({ name: 'legacy-hvm', snapName: 'on the overlay', description: '' });
    expect(snap.disks).toEqual([{ kind: 'qcow2', vdev: 'hda', path: r.path, tag: `xenith-${snap.id}` }]);
    // The raw file is a base now: nothing may write it, not even a config naming it read-write.
    await expect(api.deleteVolume('default', 'legacy-hvm.img')).rejects.toMatchObject({ code: 'IN_USE' });
    await api.startDomain('legacy-hvm');
  });

  it('refuses a raw disk file naming it, converts it to qcow2 with progress, then snapshots, reverts and deletes disk-only', async () => {
    const before = await api.listSnapshots('test-pvh');
    expect(before).toMatchObject({ running: false, snapshots: [], disks: [{ vdev: 'xvda', how: 'refused' }] });
    expect(before.problems[0]).toMatchObject({ field: 'disks[0]', message: expect.stringContaining('raw image file cannot be snapshotted in place') as string });
    await expect(api.createSnapshot({ name: 'test-pvh', snapName: 'one', description: '' })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'disks[0]' } });
    const said: string[] = [];
    const conv = await api.convertDiskToQcow2({ name: 'test-pvh', vdev: 'xvda' }, (m) => said.push(m));
    expect(conv).toEqual({ path: '/var/lib/xen/images/test-pvh.qcow2', kept: '/var/lib/xen/images/test-pvh.img', how: 'copy' });
    expect(said.some((m) => /: 100%$/.test(m))).toBe(true);
    expect((await api.readConfig('test-pvh')).config!.disks[0]).toMatchObject({ target: conv.path, format: 'qcow2' });

    const one = await api.createSnapshot({ name: 'test-pvh', snapName: 'before upgrade', description: 'clean install' });
    expect(one).toMatchObject({ memory: false, parent: null, disks: [{ kind: 'qcow2', path: conv.path, tag: `xenith-${one.id}` }] });
    expect(qcowTags(conv.path)).toEqual([`xenith-${one.id}`]);
    await expect(api.createSnapshot({ name: 'test-pvh', snapName: 'before upgrade', description: '' })).rejects.toMatchObject({ code: 'EXISTS', detail: { field: 'snapName' } });
    const two = await api.createSnapshot({ name: 'test-pvh', snapName: 'after', description: '' });
    expect(two.parent).toBe(one.id);
    // Listed again from the metadata file by a new API (as after a restart), as a tree.
    const again = await createXenApi(demo, {}).listSnapshots('test-pvh');
    expect(again.snapshots.map((s) => [s.name, s.depth])).toEqual([['before upgrade', 0], ['after', 1]]);
    expect(again.current).toBe(two.id);
    expect(await api.revertSnapshot({ name: 'test-pvh', id: one.id, stopRunning: false })).toEqual({ id: one.id, resumed: false });
    expect((await api.listSnapshots('test-pvh')).current).toBe(one.id);
    // Deleting the parent alone keeps the child, now at the top.
    await api.deleteSnapshot({ name: 'test-pvh', id: one.id, subtree: false });
    expect((await api.listSnapshots('test-pvh')).snapshots.map((s) => [s.name, s.parent])).toEqual([['after', null]]);
    expect(qcowTags(conv.path)).toEqual([`xenith-${two.id}`]);
  });

  it('snapshots a running guest with memory on an LVM disk, leaves it running, and reverts only once told to power it off', async () => {
    await lvDomain('lvguest', true);
    const rec = await api.createSnapshot({ name: 'lvguest', snapName: 'live', description: '' });
    expect(rec).toMatchObject({ memory: true, disks: [{ kind: 'lvm', vg: 'vg0', origin: 'build-cache', lv: `build-cache-snap-${rec.id}`, bytes: 40 * 1024 ** 3 }] });
    expect(rec.pauseMs).toBeGreaterThanOrEqual(0);
    expect(rec.memBytes).toBeGreaterThan(0);
    expect(RUNNING).toContain(await state('lvguest'));
    expect(await lvNames()).toContain(`build-cache-snap-${rec.id}`);
    expect(existsSync(join(dir, `root/var/lib/xen/save/xenith-snapshots/lvguest/${rec.id}.mem`))).toBe(true);
    await expect(api.revertSnapshot({ name: 'lvguest', id: rec.id, stopRunning: false })).rejects.toMatchObject({ code: 'IN_USE', detail: { field: 'stopRunning' } });
    expect(await api.revertSnapshot({ name: 'lvguest', id: rec.id, stopRunning: true })).toEqual({ id: rec.id, resumed: true });
    expect(RUNNING).toContain(await state('lvguest'));
    // The merge consumed the snapshot volume; it was taken again, so the snapshot still covers the disk.
    expect(await lvNames()).toContain(`build-cache-snap-${rec.id}`);
  });

  it('deletes a snapshot with everything below it', async () => {
    await lvDomain('lvtree', false);
    const a = await api.createSnapshot({ name: 'lvtree', snapName: 'a', description: '' });
    const b = await api.createSnapshot({ name: 'lvtree', snapName: 'b', description: '' });
    await api.revertSnapshot({ name: 'lvtree', id: a.id, stopRunning: false });
    const c = await api.createSnapshot({ name: 'lvtree', snapName: 'c', description: '' });
    expect((await api.listSnapshots('lvtree')).snapshots.map((s) => [s.name, s.depth])).toEqual([['a', 0], ['b', 1], ['c', 1]]);
    expect(await api.deleteSnapshot({ name: 'lvtree', id: a.id, subtree: true })).toEqual({ deleted: expect.arrayContaining([a.id, b.id, c.id]) as string[] });
    expect((await api.listSnapshots('lvtree')).snapshots).toEqual([]);
    expect((await lvNames()).filter((n) => n.includes('-snap-'))).toEqual([]);
  });

  it('a live snapshot that fails part-way unpauses the guest and removes what it made', async () => {
    await lvDomain('lvfail', false);
    const cfg = (await api.readConfig('lvfail')).config!;
    await api.writeConfig('lvfail', { ...cfg, disks: [...cfg.disks, { target: '/dev/vg0/scratch', format: 'raw', vdev: 'xvdb', access: 'rw' }] });
    await api.startDomain('lvfail');
    let n = 0;
    const failing: Runner = Object.create(demo) as Runner;
    failing.run = ((op: string, args: never, o?: never) => (op === 'lvm.snapshot' && ++n === 2 ? Promise.reject(new Error('injected: lvcreate failed')) : demo.run(op as never, args, o))) as Runner['run'];
    const api2 = createXenApi(failing, {});
    const lvsBefore = await lvNames();
    await expect(api2.createSnapshot({ name: 'lvfail', snapName: 'x', description: '' })).rejects.toThrow(/injected/);
    expect(RUNNING).toContain(await state('lvfail'));
    expect(await lvNames()).toEqual(lvsBefore);
    expect((await api.listSnapshots('lvfail')).snapshots).toEqual([]);
    const folder = join(dir, 'root/var/lib/xen/save/xenith-snapshots/lvfail');
    // Its folder was made for the memory checkpoint, which is gone again; no snapshot was recorded.
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
  });

  it('clones from a snapshot: an LVM disk from its snapshot volume (the source may run), a qcow2 one from its internal snapshot', async () => {
    await lvDomain('lvsrc', true);
    const rec = await api.createSnapshot({ name: 'lvsrc', snapName: 's', description: '' });
    const plan = await api.clonePreview({ name: 'lvsrc', newName: 'lvcopy', pool: null, snapshot: rec.id });
    expect(plan.problems).toEqual([]);
    expect(plan.disks).toEqual([expect.objectContaining({ vdev: 'xvda', from: `/dev/vg0/build-cache-snap-${rec.id}`, to: '/dev/vg0/lvcopy-xvda' })]);
    await api.cloneDomain({ name: 'lvsrc', newName: 'lvcopy', pool: null, snapshot: rec.id });
    expect(await lvNames()).toContain('lvcopy-xvda');
    // Without the snapshot a running source is refused, as before.
    await expect(api.clonePreview({ name: 'lvsrc', newName: 'x', pool: null })).rejects.toMatchObject({ code: 'IN_USE' });
    await expect(api.clonePreview({ name: 'lvsrc', newName: 'x', pool: null, snapshot: 'deadbeef' })).rejects.toMatchObject({ code: 'NOT_FOUND', detail: { field: 'snapshot' } });

    await api.convertDiskToQcow2({ name: 'test-pvh', vdev: 'xvda' });
    const q = await api.createSnapshot({ name: 'test-pvh', snapName: 'q', description: '' });
    await api.cloneDomain({ name: 'test-pvh', newName: 'pvh-from-q', pool: null, snapshot: q.id });
    expect((await api.readConfig('pvh-from-q')).config!.disks[0]).toMatchObject({ target: '/var/lib/xen/images/pvh-from-q-xvda.qcow2', format: 'qcow2' });
    // A tag that is not in the file is qemu-img's refusal, and the clone removes what it made.
    await api.deleteSnapshot({ name: 'test-pvh', id: q.id, subtree: false });
    const meta = join(dir, 'root/var/lib/xen/save/xenith-snapshots/test-pvh/snapshots.json');
    writeFileSync(meta, JSON.stringify({ version: 1, domain: 'test-pvh', current: q.id, snapshots: [{ ...q }] }));
    await expect(api.cloneDomain({ name: 'test-pvh', newName: 'pvh-gone', pool: null, snapshot: q.id })).rejects.toThrow();
    expect((await api.storageOverview()).volumes.some((v) => v.name.startsWith('pvh-gone'))).toBe(false);
  });

  it('keeps a domain with snapshots from being renamed or deleted, since they are found by its name', async () => {
    await lvDomain('lvkeep', false);
    const rec = await api.createSnapshot({ name: 'lvkeep', snapName: 'k', description: '' });
    await expect(api.rename('lvkeep', 'lvkept')).rejects.toMatchObject({ code: 'IN_USE', detail: { field: 'domain' } });
    await expect(api.deleteDomain('lvkeep', { disks: [] })).rejects.toMatchObject({ code: 'IN_USE', message: expect.stringContaining('1 snapshot') as string });
    await api.deleteSnapshot({ name: 'lvkeep', id: rec.id, subtree: true });
    await api.rename('lvkeep', 'lvkept');
    expect((await api.listDomains()).some((d) => d.name === 'lvkept')).toBe(true);
  });

  it('refuses a revert while another running domain writes one of the disks, naming it', async () => {
    await lvDomain('lvmine', false);
    const rec = await api.createSnapshot({ name: 'lvmine', snapName: 'm', description: '' });
    await lvDomain('lvother', true);
    await expect(api.revertSnapshot({ name: 'lvmine', id: rec.id, stopRunning: false })).rejects.toMatchObject({ code: 'IN_USE', message: expect.stringContaining('in use by lvother') as string });
    // Also when the disk is no longer the domain's own: the recorded disk is what a revert writes.
    const cfg = (await api.readConfig('lvmine')).config!;
    await api.writeConfig('lvmine', { ...cfg, disks: [] });
    await expect(api.revertSnapshot({ name: 'lvmine', id: rec.id, stopRunning: false })).rejects.toMatchObject({ code: 'IN_USE', detail: { field: 'id', domain: 'lvother' } });
  });

  it('holds the domain while a snapshot is taken: another client\'s Start, rename or second snapshot waits its turn', async () => {
    await api.convertDiskToQcow2({ name: 'test-pvh', vdev: 'xvda' });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow: Runner = Object.create(demo) as Runner;
    slow.run = (async (op: string, args: never, o?: never) => {
      if (op === 'image.snapshot') await gate;
      return demo.run(op as never, args, o);
    }) as Runner['run'];
    const shared = createXenApi(slow, {});
    const taking = shared.createSnapshot({ name: 'test-pvh', snapName: 'held', description: '' });
    await new Promise((r) => setTimeout(r, 200));
    await expect(shared.startDomain('test-pvh')).rejects.toMatchObject({ code: 'IN_USE', message: expect.stringContaining('a snapshot of it is being taken') as string });
    await expect(shared.rename('test-pvh', 'pvh-renamed')).rejects.toMatchObject({ code: 'IN_USE' });
    await expect(shared.createSnapshot({ name: 'test-pvh', snapName: 'second', description: '' })).rejects.toMatchObject({ code: 'IN_USE' });
    release();
    await taking;
    await shared.startDomain('test-pvh');
    expect(RUNNING).toContain(await state('test-pvh'));
  });

  it('names the field of a bad snapshot name', () => {
    const r = snapshotCreateArgsSchema.safeParse({ name: 'web01', snapName: ' ', description: '' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['snapName'], message: 'The snapshot name is empty' });
    expect(snapshotCreateArgsSchema.safeParse({ name: 'web01', snapName: 'a\u0007', description: '' }).error?.issues[0]?.path).toEqual(['snapName']);
  });
});
