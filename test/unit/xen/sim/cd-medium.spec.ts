import { afterEach, describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { SimFixture } from './helpers';

const fx = new SimFixture();
afterEach(() => fx.cleanup());

const ISO = '/var/lib/xen/iso/debian-12.7.0-amd64-netinst.iso';

// xl cd-eject and cd-insert change the drive of the running guest, never its config file: the Disks tab's row must
// say what is in the drive now and what the config inserts at the next start (issue #18).
describe('a running HVM guest\'s CD drive on the demo host', () => {
  it('after cd-eject the row holds no medium while the config still names the ISO; cd-insert puts one back', async () => {
    const r = fx.runner();
    const api = createXenApi(r);
    const cd = async () => (await api.domainDetails('win-desktop')).disks.find((d) => d.vdev === 'hdc');
    expect(await cd()).toMatchObject({ devtype: 'cdrom', target: ISO, medium: ISO, inConfig: true, attached: true });
    await api.cdEject('win-desktop', 'hdc');
    expect(await cd()).toMatchObject({ target: ISO, medium: '', sizeBytes: null });
    // A fresh API (a reload of the app) reads the same from the host.
    expect((await createXenApi(r).domainDetails('win-desktop')).disks.find((d) => d.vdev === 'hdc')?.medium).toBe('');
    await api.cdInsert('win-desktop', 'hdc', ISO);
    expect(await cd()).toMatchObject({ medium: ISO, sizeBytes: 700 * 1024 ** 2 });
  });

  it('speaks xl\'s formats: a qdisk backend for the emulated drive, aio:PATH or "" in its params', async () => {
    const r = fx.runner();
    const domid = (await createXenApi(r).listDomains()).find((d) => d.name === 'win-desktop')?.domid ?? -1;
    const list = (await r.run('domain.blockList', { dom: 'win-desktop' }, { timeoutMs: 5000 })).stdout;
    expect(list).toContain(`5632  0   ${domid}`);
    expect(list).toContain(`/local/domain/0/backend/qdisk/${domid}/5632\n`);
    const params = async () => (await r.run('xenstore.read', { key: `/local/domain/0/backend/qdisk/${domid}/5632/params` }, { timeoutMs: 5000 })).stdout;
    expect(await params()).toBe(`aio:${ISO}\n`);
    await r.run('domain.cdEject', { dom: 'win-desktop', vdev: 'hdc' }, { timeoutMs: 5000 });
    expect(await params()).toBe('\n');
  });

  it('a stopped domain has no live medium: the row is the config\'s', async () => {
    const api = createXenApi(fx.runner());
    const disks = (await api.domainDetails('test-pvh')).disks;
    expect(disks.every((d) => d.medium === null)).toBe(true);
  });
});
