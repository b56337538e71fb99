// Issue #18 on the real Xen 4.17 host, through src/xen's SSH runner: an ejected CD shows as empty in the domain's
// details, and a saved domain is listed as saved, refused a cold boot, and restored (its used save file removed).
// Runs only with XENITH_TEST_HOST set (npm run test:xen sets it for the QEMU host).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeConnection, describeHost, destroyIfPresent, remote, remoteOk } from './support';
import { busyboxGuest, xenOver } from './xen-env';

const CD = 'xenith-day-cd';
const SAVED = 'xenith-day-saved';

/** Milliseconds since `t0`, for the log: what each step costs under TCG. */
function took(what: string, t0: number): void {
  console.log(`[everyday] ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

describeHost('everyday use on the Xen test host', (h) => {
  const { runner, api } = xenOver(h);
  const isoA = `${h.guestDir}/xenith-day-a.iso`;
  const isoB = `${h.guestDir}/xenith-day-b.iso`;
  const saveFile = `/var/lib/xen/save/${SAVED}.save`;

  beforeAll(async () => {
    for (const n of [CD, SAVED]) await destroyIfPresent(h, n);
    await remote(h, ['rm', '-f', `/etc/xen/${CD}.cfg`, `/etc/xen/${SAVED}.cfg`, saveFile], { timeoutMs: 60_000 });
    // Any file will do as a medium: qemu's drive does not read it until the guest does.
    await remoteOk(h, ['sh', '-c', `truncate -s 2M ${isoA} && truncate -s 3M ${isoB}`], { timeoutMs: 60_000 });
  }, 300_000);

  afterAll(async () => {
    for (const n of [CD, SAVED]) await destroyIfPresent(h, n);
    await remote(h, ['rm', '-f', `/etc/xen/${CD}.cfg`, `/etc/xen/${SAVED}.cfg`, saveFile, isoA, isoB], { timeoutMs: 60_000 });
    await runner.close();
    await closeConnection(h);
  }, 300_000);

  it('after xl cd-eject the details show the drive empty (the config still names the ISO); cd-insert shows the new one', async () => {
    const hdc = async () => (await api.domainDetails(CD)).disks.find((d) => d.vdev === 'hdc');
    const cfg = { ...busyboxGuest(h, CD, 'hvm'), disks: [{ target: isoA, format: 'raw' as const, vdev: 'hdc', access: 'ro' as const, devtype: 'cdrom' as const }] };
    const { path } = await api.writeConfig(CD, cfg);
    let t0 = Date.now();
    await api.create(path);
    took('xl create (HVM with a CD drive)', t0);
    expect(await hdc()).toMatchObject({ devtype: 'cdrom', target: isoA, medium: isoA, attached: true, inConfig: true, sizeBytes: 2 * 1024 ** 2 });
    t0 = Date.now();
    await api.cdEject(CD, 'hdc');
    took('xl cd-eject', t0);
    t0 = Date.now();
    expect(await hdc()).toMatchObject({ target: isoA, medium: '', sizeBytes: null });
    took('domainDetails after the eject', t0);
    // xl itself agrees: the backend's params are empty.
    const be = (await api.blockList(CD)).find((r) => r.vdevName === 'hdc');
    expect(be?.backendPath).toMatch(/^\/local\/domain\/0\/backend\/qdisk\/\d+\/5632$/);
    expect(await remoteOk(h, ['xenstore-read', `${be?.backendPath ?? ''}/params`], { timeoutMs: 60_000 })).toBe('\n');
    await api.cdInsert(CD, 'hdc', isoB);
    expect(await hdc()).toMatchObject({ target: isoA, medium: isoB, sizeBytes: 3 * 1024 ** 2 });
    await api.destroy(CD);
  }, 600_000);

  it('a saved domain is listed as saved, refused a plain start, and restored through Start (its save file removed)', async () => {
    const { path } = await api.writeConfig(SAVED, busyboxGuest(h, SAVED, 'pv'));
    let t0 = Date.now();
    await api.create(path);
    took('xl create (PV, no devices)', t0);
    t0 = Date.now();
    await api.save(SAVED, saveFile);
    took('xl save', t0);
    t0 = Date.now();
    const row = (await api.listDomains()).find((d) => d.name === SAVED);
    took('listDomains with the saved domain', t0);
    expect(row).toMatchObject({ state: 'stopped', domid: null, savedFile: saveFile });
    await expect(api.startDomain(SAVED)).rejects.toMatchObject({ code: 'EXISTS', detail: { field: 'saved', path: saveFile } });
    t0 = Date.now();
    await api.startDomain(SAVED, { saved: 'restore' });
    took('Start: restore the saved state (xl restore + remove the file)', t0);
    const after = (await api.listDomains()).find((d) => d.name === SAVED);
    expect(after?.domid).not.toBeNull();
    expect(after?.savedFile).toBeNull();
    expect((await remote(h, ['test', '-e', saveFile], { timeoutMs: 60_000 })).code).not.toBe(0);
    await api.destroy(SAVED);
  }, 900_000);
});
