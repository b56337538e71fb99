// Issue #16 (snapshots) on the real Xen 4.17 host, through src/xen's SSH runner:
// - a running PV guest snapshotted with its memory after a marker file is written in it; the file changed; the revert
//   brings back the first marker in the same shell (a variable set before the snapshot is still set);
// - a guest on a logical volume: a disk-only snapshot while it is off, its disk changed, reverted, and a live one;
// - a guest with a qcow2 disk snapshotted while it runs (saved, captured, restored), running afterwards.
// Runs only with XENITH_TEST_HOST set (npm run test:xen sets it for the QEMU host).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DomainConfig } from '../../src/shared/domain-config';
import { closeConnection, describeHost, destroyIfPresent, remote, remoteOk } from './support';
import { busyboxGuest, guestConsole, xenOver, type GuestConsole } from './xen-env';

const MEM = 'xenith-snap-mem';
const LV = 'xenith-snap-lv';
const QCOW = 'xenith-snap-qcow';
const VG = 'xenithsnap';
const IMAGES = '/var/lib/xen/images';
const GUESTS = [MEM, LV, QCOW];

/** Prints each step's words with the seconds since the first, so the note can say where a pause went. */
function steps(label: string): (m: string) => void {
  const t0 = Date.now();
  return (m) => console.log(`[snapshots] ${label} +${((Date.now() - t0) / 1000).toFixed(1)} s ${m}`);
}

describeHost('snapshots on the Xen test host', (h) => {
  const { runner, api } = xenOver(h);
  const cleanup = `vgremove -q -y -f ${VG} 2>/dev/null; pvremove -q -y /dev/vdb 2>/dev/null; rm -f /etc/xenith/pools.json ${GUESTS.map((g) => `/etc/xen/${g}.cfg`).join(' ')} ${IMAGES}/${QCOW}.qcow2; rm -rf /var/lib/xen/save/xenith-snapshots`;

  beforeAll(async () => {
    for (const n of GUESTS) await destroyIfPresent(h, n);
    await remote(h, ['sh', '-c', cleanup], { timeoutMs: 120_000 });
    await remoteOk(h, ['mkdir', '-p', IMAGES], { timeoutMs: 60_000 });
  }, 300_000);

  afterAll(async () => {
    for (const n of GUESTS) await destroyIfPresent(h, n);
    await remote(h, ['sh', '-c', cleanup], { timeoutMs: 120_000 });
    await runner.close();
    await closeConnection(h);
  }, 300_000);

  const consoleOf = (name: string): GuestConsole => guestConsole(runner, name);

  it('snapshots a running guest with its memory, and a revert brings back the marker in the same shell', async () => {
    await api.writeConfig(MEM, busyboxGuest(h, MEM, 'pv'));
    await api.startDomain(MEM);
    const c1 = consoleOf(MEM);
    try {
      await c1.waitFor(/XENITH-TEST-GUEST up/, 180_000);
      c1.pty.write('\r');
      await c1.waitFor(/\/ # /, 30_000);
      c1.pty.write('SHELL_MARK=earlier-shell; echo first-marker > /tmp/marker; echo wrote-$((6*7))\r');
      await c1.waitFor(/wrote-42/, 30_000);
      const list = await api.listSnapshots(MEM);
      expect(list).toMatchObject({ running: true, problems: [], disks: [] });
      const t0 = Date.now();
      const rec = await api.createSnapshot({ name: MEM, snapName: 'with marker', description: 'first-marker written' }, steps('memory'));
      console.log(`[snapshots] live snapshot with memory (128 MiB, diskless): paused ${rec.pauseMs} ms, total ${Date.now() - t0} ms, checkpoint ${rec.memBytes} bytes`);
      expect(rec).toMatchObject({ memory: true, disks: [] });
      expect((await api.listDomains()).find((d) => d.name === MEM)?.state).not.toBe('paused');
      const mark = c1.out().length;
      c1.pty.write('echo second-marker > /tmp/marker; cat /tmp/marker\r');
      await c1.waitFor(/second-marker\r?\n/, 60_000, mark);
    } finally {
      c1.pty.write('\x1d');
      c1.pty.kill();
    }
    const t1 = Date.now();
    expect(await api.revertSnapshot({ name: MEM, id: (await api.listSnapshots(MEM)).snapshots[0]!.id, stopRunning: true })).toMatchObject({ resumed: true });
    console.log(`[snapshots] revert with memory: ${Date.now() - t1} ms`);
    const c2 = consoleOf(MEM);
    try {
      c2.pty.write('\r');
      await c2.waitFor(/\/ # /, 60_000);
      const mark = c2.out().length;
      c2.pty.write('cat /tmp/marker; echo "mark=$SHELL_MARK"\r');
      await c2.waitFor(/mark=earlier-shell/, 60_000, mark);
      expect(c2.out().slice(mark)).toMatch(/first-marker/);
      expect(c2.out().slice(mark)).not.toMatch(/second-marker/);
    } finally {
      c2.pty.write('\x1d');
      c2.pty.kill();
    }
    await remoteOk(h, ['xl', 'destroy', MEM], { timeoutMs: 180_000 });
    await api.deleteSnapshot({ name: MEM, id: (await api.listSnapshots(MEM)).snapshots[0]!.id, subtree: true });
    expect((await remote(h, ['sh', '-c', `ls /var/lib/xen/save/xenith-snapshots/${MEM}`])).stdout.trim()).toBe('snapshots.json');
  }, 900_000);

  it('reverts a disk-only snapshot of a guest on a logical volume, and takes a live one of it', async () => {
    await api.createVolumeGroup({ device: '/dev/vdb', vg: VG, pool: VG });
    await api.createVolume({ pool: VG, name: LV, sizeGiB: 0.0625 });
    const dev = `/dev/${VG}/${LV}`;
    const head = async (): Promise<string> => remoteOk(h, ['sh', '-c', `head -c 12 ${dev}`]);
    await remoteOk(h, ['sh', '-c', `printf first-bytes! | dd of=${dev} conv=fsync status=none`]);
    const cfg: DomainConfig = { ...busyboxGuest(h, LV, 'pv'), disks: [{ target: dev, format: 'raw', vdev: 'xvda', access: 'rw' }] };
    await api.writeConfig(LV, cfg);
    expect((await api.listSnapshots(LV)).disks).toEqual([{ vdev: 'xvda', path: dev, how: 'lvm', note: null }]);
    const off = await api.createSnapshot({ name: LV, snapName: 'off', description: '' });
    expect(off).toMatchObject({ memory: false, disks: [{ kind: 'lvm', vg: VG, origin: LV, lv: `${LV}-snap-${off.id}` }] });
    await remoteOk(h, ['sh', '-c', `printf later-bytes! | dd of=${dev} conv=fsync status=none`]);
    expect(await head()).toBe('later-bytes!');
    const t0 = Date.now();
    await api.revertSnapshot({ name: LV, id: off.id, stopRunning: false });
    console.log(`[snapshots] LVM disk-only revert (merge, snapshot again): ${Date.now() - t0} ms`);
    expect(await head()).toBe('first-bytes!');
    expect((await remoteOk(h, ['lvs', '--noheadings', '-o', 'lv_name', VG])).split('\n').map((s) => s.trim())).toContain(`${LV}-snap-${off.id}`);
    // Live, with memory: the volume is captured while the guest is paused after its checkpoint.
    await api.startDomain(LV);
    const live = await api.createSnapshot({ name: LV, snapName: 'live', description: '' }, steps('lvm live'));
    console.log(`[snapshots] live snapshot, 128 MiB guest on a logical volume: paused ${live.pauseMs} ms`);
    expect(live).toMatchObject({ memory: true, parent: off.id, disks: [{ kind: 'lvm' }] });
    expect((await api.listDomains()).find((d) => d.name === LV)?.state).not.toBe('paused');
    expect((await remoteOk(h, ['lvs', '--noheadings', '-o', 'lv_name', VG])).split('\n').map((s) => s.trim())).toContain(`${LV}-snap-${live.id}`);
    await remoteOk(h, ['xl', 'destroy', LV], { timeoutMs: 180_000 });
  }, 900_000);

  it('snapshots a running guest with a qcow2 disk by saving, capturing and restoring it', async () => {
    await api.createVolume({ pool: 'default', name: `${QCOW}.qcow2`, sizeGiB: 0.0625, format: 'qcow2' });
    const file = `${IMAGES}/${QCOW}.qcow2`;
    await api.writeConfig(QCOW, { ...busyboxGuest(h, QCOW, 'pv'), disks: [{ target: file, format: 'qcow2', vdev: 'xvda', access: 'rw' }] });
    await api.startDomain(QCOW);
    const rec = await api.createSnapshot({ name: QCOW, snapName: 'live qcow2', description: '' }, steps('qcow2 live'));
    console.log(`[snapshots] live snapshot, 128 MiB guest with a qcow2 disk (save, capture, restore): stopped ${rec.pauseMs} ms`);
    expect(rec).toMatchObject({ memory: true, disks: [{ kind: 'qcow2', path: file, tag: `xenith-${rec.id}` }] });
    expect((await api.listDomains()).find((d) => d.name === QCOW)?.state).not.toBe('paused');
    // Deleting a snapshot inside a file qemu has open is refused; once the guest is off it goes.
    await expect(api.deleteSnapshot({ name: QCOW, id: rec.id, subtree: false })).rejects.toMatchObject({ code: 'IN_USE' });
    await remoteOk(h, ['xl', 'destroy', QCOW], { timeoutMs: 180_000 });
    expect(await remoteOk(h, ['qemu-img', 'snapshot', '-l', file])).toContain(`xenith-${rec.id}`);
    await api.deleteSnapshot({ name: QCOW, id: rec.id, subtree: false });
    expect(await remoteOk(h, ['qemu-img', 'snapshot', '-l', file])).not.toContain(`xenith-${rec.id}`);
  }, 900_000);
});
