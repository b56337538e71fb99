// Storage pools on the real Xen test host, through src/xen's SSH runner: an LVM volume group made on dom0's spare
// disk (/dev/vdb), a logical volume a guest boots from (listed as in use, refused deletion), grown while the guest is
// off and seen larger by the guest; a qcow2 volume in a directory pool attached to a running guest.
// Runs only with XENITH_TEST_HOST set (npm run test:xen sets it for the QEMU host).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DomainConfig } from '../../src/shared/domain-config';
import type { WizardPlan } from '../../src/shared/wizard-plan';
import { createFromPlan } from '../../src/xen/wizard/create';
import type { WizardDeps } from '../../src/xen/wizard/deps';
import { wizardOptions } from '../../src/xen/wizard/options';
import { previewPlan } from '../../src/xen/wizard/preview';
import { closeConnection, describeHost, destroyIfPresent, remote, remoteCollect, remoteOk, waitForDomain } from './support';
import { busyboxGuest, xenOver } from './xen-env';

const VG = 'xenithtest';
const LV_GUEST = 'xenith-st-lv';
const QCOW_GUEST = 'xenith-st-qcow';
const POOLS = '/etc/xenith/pools.json';
const DIR = '/srv/xenith-pool';
const NFS_GUEST = 'xenith-st-nfs';
const HVM_GUEST = 'xenith-st-hvm';
/** A directory pool holding the ISO library the wizard offers. */
const ISO_DIR = '/srv/xenith-isos';
/** dom0 serves an NFS export to itself, over loopback (nfs-kernel-server is in the image). */
const EXPORT = '/srv/xenith-export';
const MOUNT = '/srv/xenith-nfs';

describeHost('storage pools on the Xen test host', (h) => {
  const { runner, api } = xenOver(h);

  beforeAll(async () => {
    for (const n of [LV_GUEST, QCOW_GUEST, NFS_GUEST, HVM_GUEST]) await destroyIfPresent(h, n);
    // A clean slate: no pools file, no test volume group (the snapshot has neither; a reused host may).
    await remote(h, ['sh', '-c', `vgremove -q -y ${VG} 2>/dev/null; pvremove -q -y /dev/vdb 2>/dev/null; umount ${MOUNT} 2>/dev/null; rm -f ${POOLS} /etc/xen/${LV_GUEST}.cfg /etc/xen/${QCOW_GUEST}.cfg /etc/xen/${NFS_GUEST}.cfg /etc/xen/${HVM_GUEST}.cfg; rm -rf ${DIR} ${EXPORT} ${MOUNT} ${ISO_DIR}`], { timeoutMs: 120_000 });
    await runner.run('host.info', {}, { timeoutMs: 120_000 });
  }, 300_000);

  afterAll(async () => {
    for (const n of [LV_GUEST, QCOW_GUEST, NFS_GUEST, HVM_GUEST]) await destroyIfPresent(h, n);
    await remote(h, ['sh', '-c', `umount ${MOUNT} 2>/dev/null; rmdir ${MOUNT} 2>/dev/null; rm -rf ${EXPORT} ${ISO_DIR}; rm -f /etc/xen/${NFS_GUEST}.cfg /etc/xen/${HVM_GUEST}.cfg`], { timeoutMs: 120_000 });
    await remote(h, ['sh', '-c', `vgremove -q -y ${VG}; pvremove -q -y /dev/vdb; rm -f ${POOLS}; rm -rf ${DIR}`], { timeoutMs: 120_000 });
    await runner.close();
    await closeConnection(h);
  }, 300_000);

  it('offers only the spare disk for a volume group, makes one there and lists it as a pool', async () => {
    const devs = await api.blockDevices();
    expect(devs.find((d) => d.path === '/dev/vda')?.inUse).toMatch(/mounted on \//);
    expect(devs.find((d) => d.path === '/dev/vdb')).toMatchObject({ sizeBytes: 4 * 1024 ** 3, inUse: null });
    await expect(api.createVolumeGroup({ device: '/dev/vda', vg: 'nope', pool: 'nope' })).rejects.toMatchObject({ code: 'IN_USE' });
    await api.createVolumeGroup({ device: '/dev/vdb', vg: VG, pool: VG });
    const o = await api.storageOverview();
    const pool = o.pools.find((p) => p.def.name === VG);
    expect(pool).toMatchObject({ path: `/dev/${VG}`, problem: null, thinPool: null, volumeCount: 0 });
    expect(pool!.capacityBytes).toBeGreaterThan(4 * 1024 ** 3 - 16 * 1024 ** 2);
    expect(JSON.parse(await remoteOk(h, ['cat', POOLS]))).toMatchObject({ version: 1, pools: [{ name: 'default' }, { name: VG, kind: 'lvm', vg: VG }] });
    expect((await api.blockDevices()).find((d) => d.path === '/dev/vdb')?.inUse).toMatch(/LVM/);
  }, 300_000);

  it('installs an HVM guest with the wizard onto a new logical volume, from an ISO in the library', async () => {
    // An ISO 9660 image (a volume descriptor where the standard puts it) in a directory pool marked as the ISO library.
    await remoteOk(h, ['sh', '-c', `mkdir -p ${ISO_DIR} && truncate -s 1M ${ISO_DIR}/installer.iso && printf '\\001CD001\\001' | dd of=${ISO_DIR}/installer.iso bs=1 seek=32768 conv=notrunc 2>/dev/null`]);
    await api.addPool({ name: 'xtest-isos', kind: 'dir', path: ISO_DIR, iso: true });
    const iso = (await api.isoLibrary()).find((v) => v.name === 'installer.iso');
    expect(iso).toMatchObject({ pool: 'xtest-isos', format: 'iso', path: `${ISO_DIR}/installer.iso` });
    const deps: WizardDeps = { api, runner, paths: { configDir: '/etc/xen', autoDir: '/etc/xen/auto', imageDir: '/var/lib/xen/images' } };
    const o = await wizardOptions(deps);
    expect(o.pools).toContainEqual({ name: VG, kind: 'lvm', dir: `/dev/${VG}`, freeBytes: expect.any(Number) as number, thin: false });
    const plan: WizardPlan = {
      type: 'hvm', method: 'iso', preset: 'other', name: HVM_GUEST, memoryMiB: 256, maxMemMiB: 256, vcpus: 1, maxVcpus: 1,
      iso: iso!.path,
      disks: [{ mode: 'new', path: `/dev/${VG}/${HVM_GUEST}`, sizeGiB: 0.1, format: 'raw', vdev: 'xvda' }],
      nics: [{ bridge: h.bridge, mac: o.suggestedMac, model: 'e1000' }],
      vnc: false, startNow: true, autostart: false, openConsole: false, customise: false, dryRun: true,
    };
    expect((await previewPlan(deps, plan)).problems).toEqual([]);
    const r = await createFromPlan(deps, plan);
    expect(r).toMatchObject({ created: [`/dev/${VG}/${HVM_GUEST}`, `/etc/xen/${HVM_GUEST}.cfg`], started: true });
    await waitForDomain(h, HVM_GUEST, true, 60_000);
    const vols = (await api.storageOverview()).volumes;
    expect(vols.find((v) => v.path === `/dev/${VG}/${HVM_GUEST}`)?.users).toContainEqual({ domain: HVM_GUEST, vdev: 'xvda', access: 'rw', cdrom: false, running: true });
    expect(vols.find((v) => v.path === iso!.path)?.users).toContainEqual(expect.objectContaining({ domain: HVM_GUEST, vdev: 'hdc', cdrom: true }) as object);
    await remoteOk(h, ['xl', 'destroy', HVM_GUEST], { timeoutMs: 180_000 });
    await waitForDomain(h, HVM_GUEST, false, 120_000);
    await api.deleteDomain(HVM_GUEST, { disks: [] });
    await api.deleteVolume(VG, HVM_GUEST);
    await api.removePool('xtest-isos');
  }, 900_000);

  it('boots a guest from a logical volume, shows it in use and refuses to delete it; grown while off, the guest sees it', async () => {
    await api.createVolume({ pool: VG, name: LV_GUEST, sizeGiB: 0.0625 });
    await expect(api.createVolume({ pool: VG, name: 'too-big', sizeGiB: 5 })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'sizeGiB' } });
    const lvPath = `/dev/${VG}/${LV_GUEST}`;
    const cfg: DomainConfig = { ...busyboxGuest(h, LV_GUEST, 'pv'), disks: [{ target: lvPath, format: 'raw', vdev: 'xvda', access: 'rw' }] };
    await api.writeConfig(LV_GUEST, cfg);
    await api.startDomain(LV_GUEST);
    const first = await remoteCollect(h, ['timeout', '90', 'xl', 'console', LV_GUEST], /xvda (present|missing)[^\n]*\n/, 120_000);
    expect(first).toMatch(/xvda present, 131072 sectors/);
    const vol = (await api.storageOverview()).volumes.find((v) => v.path === lvPath);
    expect(vol).toMatchObject({ format: 'lv', virtualBytes: 64 * 1024 ** 2 });
    expect(vol!.users).toContainEqual({ domain: LV_GUEST, vdev: 'xvda', access: 'rw', cdrom: false, running: true });
    await expect(api.deleteVolume(VG, LV_GUEST)).rejects.toMatchObject({ code: 'IN_USE', detail: { domain: LV_GUEST } });
    await expect(api.resizeVolume(VG, LV_GUEST, 0.125)).rejects.toMatchObject({ code: 'IN_USE' });
    await remoteOk(h, ['xl', 'destroy', LV_GUEST], { timeoutMs: 180_000 });
    await waitForDomain(h, LV_GUEST, false, 120_000);
    await api.resizeVolume(VG, LV_GUEST, 0.125);
    await api.startDomain(LV_GUEST);
    const second = await remoteCollect(h, ['timeout', '90', 'xl', 'console', LV_GUEST], /xvda (present|missing)[^\n]*\n/, 120_000);
    expect(second).toMatch(/xvda present, 262144 sectors/);
    await remoteOk(h, ['xl', 'destroy', LV_GUEST], { timeoutMs: 180_000 });
    await waitForDomain(h, LV_GUEST, false, 120_000);
    // A copy, with qemu-img's progress, the same size as the grown volume.
    const seen: number[] = [];
    await api.cloneVolume({ pool: VG, name: LV_GUEST, newName: `${LV_GUEST}-copy` }, (p) => seen.push(p));
    expect(seen.at(-1)).toBe(100);
    expect((await api.storageOverview()).volumes.find((v) => v.name === `${LV_GUEST}-copy`)).toMatchObject({ format: 'lv', virtualBytes: 128 * 1024 ** 2, users: [] });
    // Shrinking the unused copy needs the user's confirmation, then lvreduce.
    await expect(api.resizeVolume(VG, `${LV_GUEST}-copy`, 0.0625)).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await api.resizeVolume(VG, `${LV_GUEST}-copy`, 0.0625, { shrink: true });
    expect((await remoteOk(h, ['lvs', '--noheadings', '--units', 'b', '--nosuffix', '-o', 'lv_size', `${VG}/${LV_GUEST}-copy`])).trim()).toBe('67108864');
    await api.deleteVolume(VG, `${LV_GUEST}-copy`);
    // Still named in its config: deleting is refused until the config no longer uses it.
    await expect(api.deleteVolume(VG, LV_GUEST)).rejects.toMatchObject({ code: 'IN_USE' });
    await api.deleteDomain(LV_GUEST, { disks: [] });
    await api.deleteVolume(VG, LV_GUEST);
    expect(await remote(h, ['lvs', `${VG}/${LV_GUEST}`])).toMatchObject({ code: 5 });
  }, 900_000);

  it('creates a qcow2 volume in a new directory pool and attaches it to a running guest', async () => {
    await remoteOk(h, ['mkdir', '-p', DIR]);
    await api.addPool({ name: 'xtest-dir', kind: 'dir', path: DIR });
    await api.createVolume({ pool: 'xtest-dir', name: 'data.qcow2', sizeGiB: 1, format: 'qcow2' });
    const info = JSON.parse(await remoteOk(h, ['qemu-img', 'info', '--output=json', `${DIR}/data.qcow2`])) as { format: string; 'virtual-size': number };
    expect(info).toMatchObject({ format: 'qcow2', 'virtual-size': 1024 ** 3 });
    const vol = (await api.storageOverview()).volumes.find((v) => v.name === 'data.qcow2');
    expect(vol).toMatchObject({ pool: 'xtest-dir', format: 'qcow2', virtualBytes: 1024 ** 3, backing: null, users: [] });
    await api.writeConfig(QCOW_GUEST, busyboxGuest(h, QCOW_GUEST, 'pv'));
    await api.startDomain(QCOW_GUEST);
    await api.attachDisk({ name: QCOW_GUEST, disk: { target: `${DIR}/data.qcow2`, format: 'qcow2', vdev: 'xvdb', access: 'rw' }, apply: 'live' });
    const blocks = await api.blockList(QCOW_GUEST);
    expect(blocks.map((b) => b.vdev)).toContain(51728);
    const used = (await api.storageOverview()).volumes.find((v) => v.name === 'data.qcow2');
    expect(used!.users).toContainEqual({ domain: QCOW_GUEST, vdev: 'xvdb', access: 'rw', cdrom: false, running: true });
    await expect(api.removePool('xtest-dir')).rejects.toMatchObject({ code: 'IN_USE' });
    await remoteOk(h, ['xl', 'destroy', QCOW_GUEST], { timeoutMs: 180_000 });
    await waitForDomain(h, QCOW_GUEST, false, 120_000);
    await api.deleteVolume('xtest-dir', 'data.qcow2');
    await api.deleteDomain(QCOW_GUEST, { disks: [] });
    await api.removePool('xtest-dir');
  }, 900_000);

  it('mounts an NFS export as a pool, boots a guest from a volume on it, and will not unmount it under the guest', async () => {
    await remoteOk(h, ['sh', '-c', `mkdir -p ${EXPORT} && echo '${EXPORT} 127.0.0.1(rw,no_root_squash,no_subtree_check,insecure)' > /etc/exports && systemctl start nfs-server && exportfs -ra`], { timeoutMs: 180_000 });
    await expect(api.addPool({ name: 'xtest-nfs', kind: 'nfs', server: '127.0.0.1', export: '/srv/not-exported', path: MOUNT })).rejects.toMatchObject({ code: 'XL_FAILED' });
    expect((await api.storageOverview()).pools.map((p) => p.def.name)).not.toContain('xtest-nfs');
    const fstab = await remoteOk(h, ['cat', '/etc/fstab']);
    await api.addPool({ name: 'xtest-nfs', kind: 'nfs', server: '127.0.0.1', export: EXPORT, path: MOUNT, persist: true });
    expect(await remoteOk(h, ['cat', '/etc/fstab'])).toBe(`${fstab}# xenith pool at ${MOUNT}\n127.0.0.1:${EXPORT} ${MOUNT} nfs nosuid,nodev,noexec,_netdev 0 0\n`);
    expect(await remoteOk(h, ['cat', '/etc/fstab.xenith-bak'])).toBe(fstab);
    const pool = (await api.storageOverview()).pools.find((p) => p.def.name === 'xtest-nfs');
    expect(pool).toMatchObject({ mounted: true, problem: null, path: MOUNT });
    expect(await remoteOk(h, ['findmnt', '-n', '-o', 'SOURCE,OPTIONS', MOUNT])).toMatch(/^127\.0\.0\.1:\/srv\/xenith-export\s+.*nosuid,nodev/);
    await api.createVolume({ pool: 'xtest-nfs', name: 'nfs-root.img', sizeGiB: 0.0625 });
    // The file is on the export, seen from the server's side.
    expect((await remoteOk(h, ['stat', '-c', '%s', `${EXPORT}/nfs-root.img`])).trim()).toBe('67108864');
    const cfg: DomainConfig = { ...busyboxGuest(h, NFS_GUEST, 'pv'), disks: [{ target: `${MOUNT}/nfs-root.img`, format: 'raw', vdev: 'xvda', access: 'rw' }] };
    await api.writeConfig(NFS_GUEST, cfg);
    await api.startDomain(NFS_GUEST);
    const text = await remoteCollect(h, ['timeout', '90', 'xl', 'console', NFS_GUEST], /xvda (present|missing)[^\n]*\n/, 120_000);
    expect(text).toMatch(/xvda present, 131072 sectors/);
    await expect(api.unmountPool('xtest-nfs')).rejects.toMatchObject({ code: 'IN_USE', detail: { domain: NFS_GUEST } });
    await remoteOk(h, ['xl', 'destroy', NFS_GUEST], { timeoutMs: 180_000 });
    await waitForDomain(h, NFS_GUEST, false, 120_000);
    await api.deleteDomain(NFS_GUEST, { disks: [] });
    await api.unmountPool('xtest-nfs');
    expect((await api.storageOverview()).pools.find((p) => p.def.name === 'xtest-nfs')).toMatchObject({ mounted: false, volumeCount: 0 });
    await api.mountPool('xtest-nfs');
    expect((await api.storageOverview()).volumes.filter((v) => v.pool === 'xtest-nfs').map((v) => v.name)).toEqual(['nfs-root.img']);
    await api.deleteVolume('xtest-nfs', 'nfs-root.img');
    await api.removePool('xtest-nfs');
    expect(await remote(h, ['findmnt', MOUNT])).toMatchObject({ code: 1 });
    expect(await remoteOk(h, ['cat', '/etc/fstab'])).toBe(fstab);
  }, 900_000);
});

