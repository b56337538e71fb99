// Issue #16 (clone) on the real Xen 4.17 host, through src/xen's SSH runner: a stopped guest with a disk in the
// default pool and a network interface is cloned; both boot at once, with their own names and MAC addresses, and the
// clone's disk is its own copy. Runs only with XENITH_TEST_HOST set (npm run test:xen sets it for the QEMU host).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeConnection, describeHost, destroyIfPresent, remote, remoteOk } from './support';
import { busyboxGuest, xenOver } from './xen-env';

const SRC = 'xenith-clone-src';
const COPY = 'xenith-clone-copy';
const IMAGES = '/var/lib/xen/images';

function took(what: string, t0: number): void {
  console.log(`[clone] ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

describeHost('cloning a guest on the Xen test host', (h) => {
  const { runner, api } = xenOver(h);
  const leftovers = [`/etc/xen/${SRC}.cfg`, `/etc/xen/${COPY}.cfg`, `${IMAGES}/${SRC}.img`, `${IMAGES}/${COPY}-xvda.img`];

  beforeAll(async () => {
    for (const n of [SRC, COPY]) await destroyIfPresent(h, n);
    await remote(h, ['rm', '-f', ...leftovers], { timeoutMs: 60_000 });
    // The default pool's directory (a fresh host from the snapshot has none until the wizard makes it).
    await remoteOk(h, ['mkdir', '-p', IMAGES], { timeoutMs: 60_000 });
  }, 300_000);

  afterAll(async () => {
    for (const n of [SRC, COPY]) await destroyIfPresent(h, n);
    await remote(h, ['rm', '-f', ...leftovers], { timeoutMs: 60_000 });
    await runner.close();
    await closeConnection(h);
  }, 300_000);

  it('clones a stopped guest into a new one with its own name, UUID, MAC and disk; both run at once', async () => {
    await api.createVolume({ pool: 'default', name: `${SRC}.img`, sizeGiB: 0.0625 });
    // A marker in the source disk, so the copy can be seen to hold the same bytes.
    await remoteOk(h, ['sh', '-c', `printf xenith-clone-marker | dd of=${IMAGES}/${SRC}.img bs=512 seek=8 conv=notrunc status=none`], { timeoutMs: 60_000 });
    const cfg = { ...busyboxGuest(h, SRC, 'pv'), disks: [{ target: `${IMAGES}/${SRC}.img`, format: 'raw' as const, vdev: 'xvda', access: 'rw' as const }], vifs: [{ bridge: h.bridge, mac: '00:16:3e:5a:11:01' }] };
    await api.writeConfig(SRC, cfg);

    let t0 = Date.now();
    const plan = await api.clonePreview({ name: SRC, newName: COPY, pool: null });
    took('clone preview', t0);
    expect(plan.problems).toEqual([]);
    expect(plan.disks).toEqual([expect.objectContaining({ vdev: 'xvda', to: `${IMAGES}/${COPY}-xvda.img`, pool: 'default' })]);
    t0 = Date.now();
    const progress: string[] = [];
    await api.cloneDomain({ name: SRC, newName: COPY, pool: null, identity: plan.identity }, (m) => progress.push(m));
    took('clone (64 MiB disk)', t0);
    expect(progress.some((m) => /100%$/.test(m))).toBe(true);
    expect(await remoteOk(h, ['cat', `/etc/xen/${COPY}.cfg`], { timeoutMs: 60_000 })).toBe(plan.text);
    expect(await remoteOk(h, ['dd', `if=${IMAGES}/${COPY}-xvda.img`, 'bs=512', 'skip=8', 'count=1', 'status=none'], { timeoutMs: 60_000 })).toContain('xenith-clone-marker');

    t0 = Date.now();
    await api.startDomain(SRC);
    await api.startDomain(COPY);
    took('xl create of both', t0);
    const names = (await api.listDomains()).filter((d) => d.domid !== null).map((d) => d.name);
    expect(names).toEqual(expect.arrayContaining([SRC, COPY]));
    const macOf = async (n: string) => (await api.networkList(n)).map((r) => r.mac.toLowerCase());
    const [srcMacs, copyMacs] = [await macOf(SRC), await macOf(COPY)];
    expect(srcMacs).toEqual(['00:16:3e:5a:11:01']);
    expect(copyMacs).toEqual([plan.identity.macs[0]]);
    expect(copyMacs[0]).not.toBe(srcMacs[0]);
    const uuid = (n: string) => remoteOk(h, ['xl', 'domid', n], { timeoutMs: 60_000 }).then((id) => remoteOk(h, ['xl', 'list', '-v', id.trim()], { timeoutMs: 60_000 }));
    expect(await uuid(COPY)).toContain(plan.identity.uuid);
    expect(await uuid(SRC)).not.toContain(plan.identity.uuid);
    for (const n of [SRC, COPY]) await api.destroy(n);
  }, 900_000);
});
