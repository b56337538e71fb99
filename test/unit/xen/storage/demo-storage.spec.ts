import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createXenApi, type XenApi } from '../../../../src/xen/ops/api';
import { createDemoRunner, type DemoRunner } from '../../../../src/xen/sim/index';
import { qcow2Head } from '../../../fixtures/qcow2-head';

let dir: string;
let demo: DemoRunner;
let api: XenApi;
const GiB = 1024 ** 3;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenith-storage-'));
  demo = createDemoRunner({ stateDir: dir, speed: 50 });
  api = createXenApi(demo, {});
});
afterEach(async () => {
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'ok', (e: { code?: string }) => e.code ?? 'no code');

describe('storage on the demo host', () => {
  it('lists the seeded pools with capacity, their volumes and who uses each', async () => {
    const o = await api.storageOverview();
    expect(o.pools.map((p) => [p.def.name, p.def.kind, p.problem])).toEqual([
      ['default', 'dir', null],
      ['isos', 'dir', null],
      ['vg0', 'lvm', null],
    ]);
    const vg0 = o.pools.find((p) => p.def.name === 'vg0')!;
    expect(vg0.thinPool).toBe('thinpool');
    expect(vg0.capacityBytes).toBe(1024 * GiB - 4 * 1024 * 1024);
    expect(vg0.freeBytes).toBe(vg0.capacityBytes! - 296 * GiB);
    const db = o.volumes.find((v) => v.name === 'db01.img')!;
    expect(db.format).toBe('raw');
    expect(db.users.map((u) => [u.domain, u.access, u.running])).toContainEqual(['db01', 'rw', true]);
    expect(o.volumes.filter((v) => v.pool === 'isos').map((v) => v.format)).toEqual(['iso', 'iso']);
    expect(o.volumes.filter((v) => v.pool === 'vg0').map((v) => v.name)).toEqual(['build-cache', 'scratch']);
  });

  it('creates, grows and deletes a qcow2 file and a thin logical volume', async () => {
    await api.createVolume({ pool: 'default', name: 't1.qcow2', sizeGiB: 2, format: 'qcow2' });
    await api.createVolume({ pool: 'vg0', name: 'lv1', sizeGiB: 3 });
    await api.resizeVolume('default', 't1.qcow2', 3);
    await api.resizeVolume('vg0', 'lv1', 4);
    const vols = (await api.storageOverview()).volumes;
    const q = vols.find((v) => v.name === 't1.qcow2')!;
    expect([q.format, q.virtualBytes, q.path]).toEqual(['qcow2', 3 * GiB, '/var/lib/xen/images/t1.qcow2']);
    expect(q.allocatedBytes).toBeLessThan(1024 * 1024);
    const lv = vols.find((v) => v.name === 'lv1')!;
    expect([lv.format, lv.virtualBytes, lv.path, lv.backing]).toEqual(['lv', 4 * GiB, '/dev/vg0/lv1', 'thin pool thinpool']);
    await api.deleteVolume('default', 't1.qcow2');
    await api.deleteVolume('vg0', 'lv1');
    const after = (await api.storageOverview()).volumes.map((v) => v.name);
    expect(after).not.toContain('t1.qcow2');
    expect(after).not.toContain('lv1');
  });

  it('refuses to delete or resize a disk a domain uses, naming the domain', async () => {
    await expect(api.deleteVolume('default', 'db01.img')).rejects.toMatchObject({ code: 'IN_USE', detail: { domain: 'db01' } });
    await expect(api.resizeVolume('default', 'db01.img', 200)).rejects.toMatchObject({ code: 'IN_USE' });
    expect((await api.storageOverview()).volumes.some((v) => v.name === 'db01.img')).toBe(true);
  });

  it('refuses bad names, shrinking, sizes above the free space and duplicates before anything runs', async () => {
    expect(await codeOf(api.createVolume({ pool: 'default', name: '../x', sizeGiB: 1 }))).toBe('INVALID_ARG');
    expect(await codeOf(api.createVolume({ pool: 'default', name: 'a-snapshot', sizeGiB: 1 }))).toBe('INVALID_ARG');
    expect(await codeOf(api.createVolume({ pool: 'nope', name: 'x', sizeGiB: 1 }))).toBe('NOT_FOUND');
    expect(await codeOf(api.createVolume({ pool: 'default', name: 'db01.img', sizeGiB: 1 }))).toBe('EXISTS');
    await api.createVolumeGroup({ device: '/dev/sdb', vg: 'vg1', pool: 'fast' });
    await expect(api.createVolume({ pool: 'fast', name: 'big', sizeGiB: 600 })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'sizeGiB' } });
    await expect(api.resizeVolume('vg0', 'build-cache', 10)).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'sizeGiB' } });
  });

  it('offers only unused disks for a new volume group, and makes one into a pool', async () => {
    const devs = await api.blockDevices();
    expect(devs.map((d) => [d.path, d.inUse === null])).toEqual([
      ['/dev/nvme0n1', false],
      ['/dev/sda', false],
      ['/dev/sdb', true],
      ['/dev/sr0', false],
    ]);
    expect(devs.find((d) => d.path === '/dev/sda')!.inUse).toMatch(/already an LVM physical volume/);
    await expect(api.createVolumeGroup({ device: '/dev/nvme0n1', vg: 'vg9', pool: 'x' })).rejects.toMatchObject({ code: 'IN_USE', detail: { field: 'device' } });
    await api.createVolumeGroup({ device: '/dev/sdb', vg: 'vg1', pool: 'fast' });
    const fast = (await api.storageOverview()).pools.find((p) => p.def.name === 'fast')!;
    expect([fast.path, fast.capacityBytes! > 500 * GiB, fast.problem]).toEqual(['/dev/vg1', true, null]);
    expect((await api.blockDevices()).find((d) => d.path === '/dev/sdb')!.inUse).toMatch(/LVM/);
  });

  it('lists ISO images from every pool, the ISO pool first', async () => {
    expect((await api.isoLibrary()).map((v) => v.name)).toEqual(['alpine-virt-3.20.3-x86_64.iso', 'debian-12.8.0-amd64-netinst.iso']);
  });

  it('adds and removes directory pools; a pool whose volume is in use stays', async () => {
    await demo.fs.mkdirp('/srv/vms');
    await api.addPool({ name: 'srv', kind: 'dir', path: '/srv/vms' });
    expect((await api.storageOverview()).pools.map((p) => p.def.name)).toContain('srv');
    await expect(api.addPool({ name: 'etc', kind: 'dir', path: '/etc' })).rejects.toMatchObject({ code: 'PERMISSION' });
    await expect(api.addPool({ name: 'srv', kind: 'dir', path: '/var/tmp' })).rejects.toMatchObject({ code: 'EXISTS' });
    await api.removePool('srv');
    await expect(api.removePool('default')).rejects.toMatchObject({ code: 'IN_USE' });
  });

  it('mounts an NFS export as a pool, keeps its files across unmount and mount, and will not unmount it under a guest', async () => {
    await expect(api.addPool({ name: 'nas', kind: 'nfs', server: 'nosuch.lan', export: '/srv/xen', path: '/var/lib/xen/nfs' })).rejects.toMatchObject({ code: 'XL_FAILED' });
    // The failed mount took the pool off the list again.
    expect((await api.storageOverview()).pools.map((p) => p.def.name)).not.toContain('nas');
    await api.addPool({ name: 'nas', kind: 'nfs', server: 'nas.example.lan', export: '/srv/xen', path: '/var/lib/xen/nfs' });
    let nas = (await api.storageOverview()).pools.find((p) => p.def.name === 'nas')!;
    expect([nas.mounted, nas.capacityBytes, nas.problem]).toEqual([true, 4 * 1024 ** 4, null]);
    await api.createVolume({ pool: 'nas', name: 'shared.img', sizeGiB: 4 });
    await api.unmountPool('nas');
    nas = (await api.storageOverview()).pools.find((p) => p.def.name === 'nas')!;
    expect([nas.mounted, nas.volumeCount, nas.problem]).toEqual([false, 0, 'nas.example.lan:/srv/xen is not mounted at /var/lib/xen/nfs']);
    await expect(api.createVolume({ pool: 'nas', name: 'x.img', sizeGiB: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND', detail: { field: 'pool' } });
    await api.mountPool('nas');
    expect((await api.storageOverview()).volumes.filter((v) => v.pool === 'nas').map((v) => v.name)).toEqual(['shared.img']);
    await api.writeConfig('nfs-guest', { name: 'nfs-guest', type: 'pvh', kernel: '/var/lib/xen/boot/vmlinuz', memory: 128, vcpus: 1, disks: [{ target: '/var/lib/xen/nfs/shared.img', format: 'raw', vdev: 'xvda', access: 'rw' }], vifs: [] });
    await api.startDomain('nfs-guest');
    await expect(api.unmountPool('nas')).rejects.toMatchObject({ code: 'IN_USE', detail: { domain: 'nfs-guest' } });
    await expect(api.removePool('nas')).rejects.toMatchObject({ code: 'IN_USE' });
  });

  it('clones a file and a logical volume with progress, refuses a disk being written, and removes a failed copy', async () => {
    const seen: number[] = [];
    await api.createVolume({ pool: 'default', name: 'base.qcow2', sizeGiB: 3, format: 'qcow2' });
    expect(await api.cloneVolume({ pool: 'default', name: 'base.qcow2', newName: 'base-copy.qcow2' }, (p) => seen.push(p))).toEqual({ path: '/var/lib/xen/images/base-copy.qcow2' });
    expect(seen).toEqual([0, 25, 50, 75, 100]);
    const copy = (await api.storageOverview()).volumes.find((v) => v.name === 'base-copy.qcow2');
    expect(copy).toMatchObject({ format: 'qcow2', virtualBytes: 3 * GiB, users: [] });
    await api.cloneVolume({ pool: 'vg0', name: 'build-cache', newName: 'build-cache-2' });
    expect((await api.storageOverview()).volumes.find((v) => v.name === 'build-cache-2')).toMatchObject({ format: 'lv', virtualBytes: 40 * GiB });
    await expect(api.cloneVolume({ pool: 'default', name: 'db01.img', newName: 'db01-copy.img' })).rejects.toMatchObject({ code: 'IN_USE', detail: { domain: 'db01' } });
    await expect(api.cloneVolume({ pool: 'default', name: 'base.qcow2', newName: 'base-copy.qcow2' })).rejects.toMatchObject({ code: 'EXISTS' });
    // A copy that fails (here qemu-img finds no source) leaves no new volume behind.
    const failing = createXenApi({ ...demo, stream: (op, args) => (op === 'image.convert' ? demo.stream(op, { ...args, src: '/var/lib/xen/images/gone.qcow2' } as typeof args) : demo.stream(op, args)) }, {});
    await expect(failing.cloneVolume({ pool: 'default', name: 'base-copy.qcow2', newName: 'fourth.qcow2' })).rejects.toMatchObject({ code: 'XL_FAILED' });
    expect((await api.storageOverview()).volumes.map((v) => v.name)).not.toContain('fourth.qcow2');
  });

  it('keeps an NFS pool marked "at boot" in /etc/fstab, with a backup, and takes it out with the pool', async () => {
    const before = await demo.fs.readFile('/etc/fstab');
    await api.addPool({ name: 'nas', kind: 'nfs', server: 'nas.example.lan', export: '/srv/xen', path: '/var/lib/xen/nfs', persist: true });
    expect(await demo.fs.readFile('/etc/fstab')).toBe(`${before}# xenith pool at /var/lib/xen/nfs\nnas.example.lan:/srv/xen /var/lib/xen/nfs nfs nosuid,nodev,noexec,_netdev 0 0\n`);
    expect(await demo.fs.readFile('/etc/fstab.xenith-bak')).toBe(before);
    await api.removePool('nas');
    expect(await demo.fs.readFile('/etc/fstab')).toBe(before);
  });

  it('changes a pool after it is made: "at boot" adds or removes its fstab line, and an NFS pool can be the ISO library', async () => {
    const before = await demo.fs.readFile('/etc/fstab');
    await api.addPool({ name: 'nas', kind: 'nfs', server: 'nas.example.lan', export: '/srv/xen', path: '/var/lib/xen/nfs' });
    expect(await demo.fs.readFile('/etc/fstab')).toBe(before);
    await api.editPool('nas', { persist: true });
    expect(await demo.fs.readFile('/etc/fstab')).toContain('nas.example.lan:/srv/xen /var/lib/xen/nfs nfs nosuid,nodev,noexec,_netdev 0 0\n');
    await api.editPool('nas', { iso: true });
    const nas = (await api.storageOverview()).pools.find((p) => p.def.name === 'nas');
    expect(nas?.def).toMatchObject({ kind: 'nfs', persist: true, iso: true });
    await api.editPool('nas', { persist: false });
    expect(await demo.fs.readFile('/etc/fstab')).toBe(before);
    expect((await api.storageOverview()).pools.find((p) => p.def.name === 'nas')?.def).toMatchObject({ persist: false, iso: true });
    await expect(api.editPool('vg0', { iso: true })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'iso' } });
    await expect(api.editPool('default', { persist: true })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'persist' } });
    await expect(api.editPool('nope', { iso: true })).rejects.toMatchObject({ code: 'NOT_FOUND', detail: { field: 'name' } });
    await api.editPool('default', { iso: true });
    expect((await api.storageOverview()).pools.find((p) => p.def.name === 'default')?.def).toMatchObject({ iso: true });
  });

  it('puts fstab back when the pools file cannot be written after "at boot" changed it', async () => {
    const before = await demo.fs.readFile('/etc/fstab');
    await api.addPool({ name: 'nas', kind: 'nfs', server: 'nas.example.lan', export: '/srv/xen', path: '/var/lib/xen/nfs' });
    const broken = createXenApi({ ...demo, fs: { ...demo.fs, replaceFile: (p, t) => (p.endsWith('pools.json') ? Promise.reject(new Error('read-only file system')) : demo.fs.replaceFile(p, t)) } }, {});
    await expect(broken.editPool('nas', { persist: true })).rejects.toThrow('read-only file system');
    expect(await demo.fs.readFile('/etc/fstab')).toBe(before);
    expect((await api.storageOverview()).pools.find((p) => p.def.name === 'nas')?.def).not.toHaveProperty('persist', true);
  });

  it('will not copy an image that reads another file (a backing file or external data)', async () => {
    await api.createVolume({ pool: 'default', name: 'base.qcow2', sizeGiB: 1, format: 'qcow2' });
    // A qcow2 header naming a backing file, as a guest could write into its own raw disk's first sector.
    const head = qcow2Head({ backing: '/etc/shadow', at: 200, virtualBytes: GiB });
    writeFileSync(join(dir, 'root/var/lib/xen/images/base.qcow2'), head, { flag: 'r+' });
    expect((await api.storageOverview()).volumes.find((v) => v.name === 'base.qcow2')?.backing).toBe('/etc/shadow');
    await expect(api.cloneVolume({ pool: 'default', name: 'base.qcow2', newName: 'leak.qcow2' })).rejects.toMatchObject({ code: 'INVALID_ARG', message: expect.stringContaining('/etc/shadow') as string });
    expect((await api.storageOverview()).volumes.some((v) => v.name === 'leak.qcow2')).toBe(false);
  });

  it('shrinks a volume only when confirmed and no domain uses it, its config included', async () => {
    await api.createVolume({ pool: 'default', name: 'big.img', sizeGiB: 8 });
    await expect(api.resizeVolume('default', 'big.img', 4)).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'sizeGiB' } });
    await api.resizeVolume('default', 'big.img', 4, { shrink: true });
    await api.resizeVolume('vg0', 'build-cache', 20, { shrink: true });
    const vols = (await api.storageOverview()).volumes;
    expect(vols.find((v) => v.name === 'big.img')?.virtualBytes).toBe(4 * GiB);
    expect(vols.find((v) => v.name === 'build-cache')?.virtualBytes).toBe(20 * GiB);
    // test-pvh is stopped, but its config names the disk: shrinking it would break its next boot.
    await expect(api.resizeVolume('default', 'test-pvh.img', 4, { shrink: true })).rejects.toMatchObject({ code: 'IN_USE', detail: { domain: 'test-pvh' } });
    await expect(api.resizeVolume('default', 'big.img', 4)).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });
});

