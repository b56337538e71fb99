import { describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { FakeFs, FakeRunner, rejection } from './fakes';

const MiB = 1024 * 1024;

describe('createImage', () => {
  it('creates a sparse raw file through the host fs, running nothing', async () => {
    const runner = new FakeRunner(new FakeFs());
    const r = await createXenApi(runner).createImage('/var/lib/xen/images/web.img', { sizeBytes: 64 * MiB });
    expect(r.path).toBe('/var/lib/xen/images/web.img');
    expect(runner.fs.written).toEqual(['/var/lib/xen/images/web.img']);
    expect(runner.calls).toEqual([]);
  });

  it('creates qcow2 with qemu-img on a name it claimed first (qemu-img itself would overwrite)', async () => {
    const runner = new FakeRunner(new FakeFs()).use(() => '');
    await createXenApi(runner, { imageDirs: ['/srv/images/'] }).createImage('/srv/images/db.qcow2', { sizeBytes: 10 * 1024 * MiB, format: 'qcow2' });
    expect(runner.fs.written).toEqual(['/srv/images/db.qcow2']);
    expect(runner.argvs).toEqual([['qemu-img', 'create', '-q', '-f', 'qcow2', '--', '/srv/images/db.qcow2', String(10 * 1024 * MiB)]]);
  });

  it('removes the file it claimed when qemu-img fails, and only that file', async () => {
    const fs = new FakeFs({ '/var/lib/xen/images/keep.img': 'x' });
    const runner = new FakeRunner(fs).use(() => ({ stderr: 'qemu-img: No space left on device\n', exitCode: 1 }));
    const err = await rejection(createXenApi(runner).createImage('/var/lib/xen/images/db.qcow2', { sizeBytes: 64 * MiB, format: 'qcow2' }));
    expect(err).toMatchObject({ code: 'XL_FAILED', message: 'qemu-img: No space left on device' });
    expect(fs.removed).toEqual(['/var/lib/xen/images/db.qcow2']);
    expect(await fs.stat('/var/lib/xen/images/db.qcow2')).toBeNull();
    expect(await fs.stat('/var/lib/xen/images/keep.img')).not.toBeNull();
  });

  it('refuses paths outside the image directories, existing files and silly sizes, before touching anything', async () => {
    const runner = new FakeRunner(new FakeFs({ '/var/lib/xen/images/old.img': 'x' }));
    const api = createXenApi(runner);
    for (const [p, size, code] of [
      ['/etc/xen/evil.img', 64 * MiB, 'INVALID_ARG'],
      ['/var/lib/xen/imagesX/x.img', 64 * MiB, 'INVALID_ARG'],
      ['/var/lib/xen/images/../x.img', 64 * MiB, 'INVALID_ARG'],
      ['/var/lib/xen/images/old.img', 64 * MiB, 'EXISTS'],
      ['/var/lib/xen/images/tiny.img', 1, 'INVALID_ARG'],
      ['/var/lib/xen/images/frac.img', 1.5, 'INVALID_ARG'],
      ['/var/lib/xen/images/ragged.img', MiB + 1, 'INVALID_ARG'],
    ] as const) {
      expect((await rejection(api.createImage(p, { sizeBytes: size }))).code).toBe(code);
    }
    expect(runner.fs.written).toEqual([]);
    expect(runner.calls).toEqual([]);
  });
});
