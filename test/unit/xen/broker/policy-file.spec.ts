import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_POLICY, loadBrokerPolicy, parseBrokerPolicy } from '../../../../src/xen/broker/policy';
import { checkPoolsForRoot } from '../../../../src/xen/broker/pool-policy';
import { makeTempDir } from '../runner/fake-bin';

const uid = process.getuid?.() ?? 0;

function policyDir(text: string, mode = 0o644): string {
  const dir = path.join(makeTempDir('xenith-policy-'), 'xenith');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  const file = path.join(dir, 'broker.conf');
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

describe('the broker policy file', () => {
  it('reads repeatable keys, the first use replacing the default, and keeps the rest at their defaults', () => {
    const p = parseBrokerPolicy('# images\nimage_dir = /srv/xen/images\nimage_dir = /srv/xen/iso/\nbootloader = pygrub\n');
    expect(p).toEqual({ ...DEFAULT_BROKER_POLICY, imageDirs: ['/srv/xen/images', '/srv/xen/iso'], bootloaders: ['pygrub'] });
  });

  it('refuses unknown keys, bad lines and relative paths, naming the line', () => {
    expect(() => parseBrokerPolicy('image_dir = /srv\nimagedir = /x\n')).toThrow('line 2: unknown key "imagedir"');
    expect(() => parseBrokerPolicy('boot_dir\n')).toThrow('line 1: expected "key = value"');
    expect(() => parseBrokerPolicy('boot_dir = boot\n')).toThrow('line 1: "boot" is not an absolute path');
    expect(() => parseBrokerPolicy('bootloader = /bin/../tmp/x\n')).toThrow('line 1');
    expect(() => parseBrokerPolicy('bootloader = $(id)\n')).toThrow('is not a program name or an absolute path');
  });

  it('refuses an image directory holding (or inside) the save, config or boot directories: the caller would write what root obeys', () => {
    expect(() => parseBrokerPolicy('image_dir = /var/lib/xen\n')).toThrow('image_dir /var/lib/xen overlaps /var/lib/xen/save');
    expect(() => parseBrokerPolicy('image_dir = /etc/xen\n')).toThrow(/overlaps \/etc\/xen/);
    expect(parseBrokerPolicy('image_dir = /var/lib/xen/images\n').imageDirs).toEqual(['/var/lib/xen/images']);
  });

  it('refuses a pool over or inside the save directory even where an image directory would allow it', async () => {
    const wide = { ...DEFAULT_BROKER_POLICY, imageDirs: ['/var/lib/xen'] };
    await expect(checkPoolsForRoot([{ name: 's', kind: 'dir', path: '/var/lib/xen/save/x' }], wide, new Set())).rejects.toMatchObject({ code: 'PERMISSION', message: expect.stringContaining('overlaps /var/lib/xen/save') as string });
    await expect(checkPoolsForRoot([{ name: 'n', kind: 'nfs', server: 'nas.lan', export: '/x', path: '/var/lib/xen/save' }], wide, new Set())).rejects.toMatchObject({ code: 'PERMISSION' });
  });

  it('uses the defaults when there is no file', async () => {
    expect(await loadBrokerPolicy(path.join(makeTempDir(), 'none.conf'), uid)).toBe(DEFAULT_BROKER_POLICY);
  });

  it('loads a file only its owner can write; refuses one others can write, a link, or a writable directory', async () => {
    const good = policyDir('image_dir = /srv/img\n');
    expect((await loadBrokerPolicy(good, uid)).imageDirs).toEqual(['/srv/img']);
    await expect(loadBrokerPolicy(good, uid + 1)).rejects.toMatchObject({ code: 'PERMISSION' });
    await expect(loadBrokerPolicy(policyDir('image_dir = /srv/img\n', 0o666), uid)).rejects.toThrow(/writable only by root/);
    const link = path.join(path.dirname(good), 'link.conf');
    symlinkSync(good, link);
    await expect(loadBrokerPolicy(link, uid)).rejects.toThrow(/must be a regular file/);
    chmodSync(path.dirname(good), 0o777);
    await expect(loadBrokerPolicy(good, uid)).rejects.toThrow(/xenith must be owned by root and writable only by root/);
  });
});
