// Issue #16 (clone) on the real Xen 4.17 host, through src/xen's SSH runner: a stopped guest with a disk in the
// default pool and a network interface is cloned; both boot at once, with their own names and MAC addresses, and the
// clone's disk is its own copy. Then a linked clone: its disk a qcow2 overlay on the original's raw file, which the
// guest reads through and writes into its own file, while the original is refused a start.
// Runs only with XENITH_TEST_HOST set (npm run test:xen sets it for the QEMU host).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeConnection, describeHost, destroyIfPresent, remote, remoteOk } from './support';
import { busyboxGuest, guestConsole, xenOver } from './xen-env';

const SRC = 'xenith-clone-src';
const COPY = 'xenith-clone-copy';
const LINKED = 'xenith-clone-linked';
const IMAGES = '/var/lib/xen/images';

function took(what: string, t0: number): void {
  console.log(`[clone] ${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

describeHost('cloning a guest on the Xen test host', (h) => {
  const { runner, api } = xenOver(h);
  const leftovers = [`/etc/xen/${SRC}.cfg`, `/etc/xen/${COPY}.cfg`, `/etc/xen/${LINKED}.cfg`, `${IMAGES}/${SRC}.img`, `${IMAGES}/${COPY}-xvda.img`, `${IMAGES}/${LINKED}-xvda.qcow2`];

  beforeAll(async () => {
    for (const n of [SRC, COPY, LINKED]) await destroyIfPresent(h, n);
    await remote(h, ['rm', '-f', ...leftovers], { timeoutMs: 60_000 });
    // The default pool's directory (a fresh host from the snapshot has none until the wizard makes it).
    await remoteOk(h, ['mkdir', '-p', IMAGES], { timeoutMs: 60_000 });
  }, 300_000);

  afterAll(async () => {
    for (const n of [SRC, COPY, LINKED]) await destroyIfPresent(h, n);
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

  it('makes a linked clone whose guest reads the original through its overlay and writes only its own file', async () => {
    const base = `${IMAGES}/${SRC}.img`;
    const overlay = `${IMAGES}/${LINKED}-xvda.qcow2`;
    const plan = await api.clonePreview({ name: SRC, newName: LINKED, pool: null, linked: true });
    expect(plan.problems).toEqual([]);
    expect(plan.disks).toEqual([expect.objectContaining({ vdev: 'xvda', from: base, to: overlay, linked: true })]);
    let t0 = Date.now();
    await api.cloneDomain({ name: SRC, newName: LINKED, pool: null, linked: true, identity: plan.identity });
    took('linked clone (64 MiB disk)', t0);
    const info = JSON.parse(await remoteOk(h, ['qemu-img', 'info', '--output=json', overlay], { timeoutMs: 60_000 })) as Record<string, unknown>;
    expect(info).toMatchObject({ format: 'qcow2', 'backing-filename': base, 'backing-filename-format': 'raw', 'virtual-size': 64 * 1024 ** 2 });
    const vol = (await api.storageOverview()).volumes.find((v) => v.path === overlay);
    expect(vol?.linkedTo).toEqual({ path: base, format: 'raw' });
    // The original is now a base: it may not run read-write.
    await expect(api.startDomain(SRC)).rejects.toMatchObject({ code: 'IN_USE', detail: { path: base } });

    // Root's broker accepted the overlay's config; the guest reads the marker through it, and its write stays its own.
    t0 = Date.now();
    await api.startDomain(LINKED);
    took('xl create of the linked clone', t0);
    const c = guestConsole(runner, LINKED);
    try {
      await c.waitFor(/xvda present, 131072 sectors/, 180_000);
      c.pty.write('\r');
      await c.waitFor(/\/ # /, 30_000);
      const mark = c.out().length;
      c.pty.write('dd if=/dev/xvda bs=512 skip=8 count=1 2>/dev/null | head -c 19; echo; echo linked-write | dd of=/dev/xvda bs=512 seek=16 conv=fsync 2>/dev/null; echo wrote-$((6*7))\r');
      await c.waitFor(/xenith-clone-marker[\s\S]*wrote-42/, 60_000, mark);
    } finally {
      c.pty.write('\x1d');
      c.pty.kill();
    }
    await api.destroy(LINKED);
    // What the clone's guest sees (the overlay read through, as raw) and what the base file holds, at sector 16.
    const sector16 = (f: string) => `dd if=${f} bs=512 skip=16 count=1 status=none | head -c 12`;
    const seen = await remoteOk(h, ['sh', '-c', `qemu-img convert -f qcow2 -O raw ${overlay} /tmp/xenith-lc.raw && ${sector16('/tmp/xenith-lc.raw')}; rm -f /tmp/xenith-lc.raw`], { timeoutMs: 120_000 });
    expect(seen).toBe('linked-write');
    expect(await remoteOk(h, ['sh', '-c', sector16(base)], { timeoutMs: 60_000 })).not.toContain('linked-write');
    // Deleting the linked clone with its disk frees the base again.
    await api.deleteDomain(LINKED, { disks: [overlay] });
    expect((await api.storageOverview()).volumes.find((v) => v.path === base)).toBeDefined();
    expect((await api.storageOverview()).volumes.find((v) => v.path === overlay)).toBeUndefined();
  }, 900_000);
});
