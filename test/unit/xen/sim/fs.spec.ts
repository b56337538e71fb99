import { mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimFs, hostPathToLocal } from '../../../../src/xen/sim/fs';
import type { HostFs } from '../../../../src/xen/runner/types';

let root: string;
let fs: HostFs;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'xenith-simfs-'));
  fs = createSimFs(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('demo host files live under <stateDir>/root', () => {
  it('maps host paths and keeps .. inside the root', () => {
    expect(hostPathToLocal('/s/root', '/etc/xen/a.cfg')).toBe('/s/root/etc/xen/a.cfg');
    expect(hostPathToLocal('/s/root', '/etc/xen/../../../../etc/passwd')).toBe('/s/root/etc/passwd');
    expect(hostPathToLocal('/s/root', '//etc//xen/')).toBe('/s/root/etc/xen');
    expect(() => hostPathToLocal('/s/root', 'etc/xen/a.cfg')).toThrow('absolute');
    expect(() => hostPathToLocal('/s/root', '/etc/\0x')).toThrow('absolute');
  });

  it('writes exclusively, replaces, lists, stats and removes', async () => {
    // As on a real host, a new file needs its folder; only mkdirp makes one.
    await expect(fs.writeFileExclusive('/etc/xen/a.cfg', 'name = "a"\n')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await fs.mkdirp('/etc/xen');
    await fs.writeFileExclusive('/etc/xen/a.cfg', 'name = "a"\n');
    await expect(fs.writeFileExclusive('/etc/xen/a.cfg', 'x')).rejects.toMatchObject({ code: 'EXISTS' });
    await fs.replaceFile('/etc/xen/a.cfg', 'name = "b"\n');
    expect(await fs.readFile('/etc/xen/a.cfg')).toBe('name = "b"\n');
    expect(await fs.list('/etc/xen')).toEqual(['a.cfg']);
    expect(await fs.stat('/etc/xen/a.cfg')).toMatchObject({ isFile: true, isDirectory: false, size: 11 });
    expect(await fs.stat('/etc/xen/none')).toBeNull();
    await fs.remove('/etc/xen/a.cfg');
    await expect(fs.readFile('/etc/xen/a.cfg')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('autostart links keep host paths as their targets', async () => {
    await fs.mkdirp('/etc/xen');
    await fs.writeFileExclusive('/etc/xen/a.cfg', 'x');
    await fs.symlink('/etc/xen/a.cfg', '/etc/xen/auto/a.cfg');
    expect(await fs.readlink('/etc/xen/auto/a.cfg')).toBe('/etc/xen/a.cfg');
    // Stored relative, so reading through it stays in the sandbox rather than reaching this machine's /etc/xen.
    expect(readlinkSync(join(root, 'etc/xen/auto/a.cfg'))).toBe('../a.cfg');
    expect(await fs.readFile('/etc/xen/auto/a.cfg')).toBe('x');
    expect((await fs.stat('/etc/xen/auto/a.cfg'))?.isSymlink).toBe(true);
    expect(await fs.readlink('/etc/xen/a.cfg')).toBeNull();
    await expect(fs.symlink('relative', '/etc/xen/auto/b.cfg')).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('createSparse makes a really sparse file and refuses to overwrite', async () => {
    await expect(fs.createSparse('/var/lib/xen/images/x.img', 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await fs.mkdirp('/var/lib/xen/images');
    await fs.createSparse('/var/lib/xen/images/x.img', 4 * 1024 ** 3);
    const st = statSync(join(root, 'var/lib/xen/images/x.img'));
    expect(st.size).toBe(4 * 1024 ** 3);
    expect(st.blocks * 512).toBeLessThan(1024 * 1024);
    const hs = await fs.stat('/var/lib/xen/images/x.img');
    expect(hs?.allocated).toBeLessThan(hs?.size ?? 0);
    await expect(fs.createSparse('/var/lib/xen/images/x.img', 1)).rejects.toMatchObject({ code: 'EXISTS' });
    await expect(fs.createSparse('/var/lib/xen/images/y.img', -1)).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('reports free bytes and makes directories', async () => {
    await fs.mkdirp('/var/lib/xen/images/sub');
    expect((await fs.stat('/var/lib/xen/images/sub'))?.isDirectory).toBe(true);
    expect(await fs.freeBytes('/var/lib/xen/images/none/x.img')).toBeGreaterThan(0);
  });
});
