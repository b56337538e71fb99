import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_POLICY, type BrokerPolicy } from '../../../../src/xen/broker/policy';
import { createLocalExecutor } from '../../../../src/xen/runner/local';
import { ARGV_JSON_SCRIPT, makeTempDir, writeScript } from '../runner/fake-bin';
import { argvLogText, codeOf, startHarness, type Harness } from './harness';

// The storage pools are part of root's policy: volumes may be made, grown and removed only inside a pool, a new volume
// group only on a disk dom0 does not use, and the pools file is written by the broker from checked pools alone.

let bin: string;
let etc: string;
let images: string;
let other: string;
let poolsFile: string;
let argvLog: string;

beforeAll(() => {
  bin = makeTempDir();
  argvLog = path.join(makeTempDir('xenith-argv-'), 'log');
  // Every storage program records its argv, so a refused request is seen to have run nothing.
  for (const p of ['lvcreate', 'lvremove', 'lvextend', 'vgcreate', 'vgs', 'lvs', 'lsblk', 'df', 'qemu-img', 'mount', 'umount', 'findmnt']) {
    writeScript(bin, p, `${ARGV_JSON_SCRIPT}require('node:fs').appendFileSync(${JSON.stringify(argvLog)}, ${JSON.stringify(p)} + ' ' + process.argv.slice(2).join(' ') + '\\n');\n`);
  }
  etc = makeTempDir('xenith-etc-');
  images = makeTempDir('xenith-img-');
  other = makeTempDir('xenith-other-');
  writeFileSync(path.join(other, 'x.img'), '');
  poolsFile = path.join(makeTempDir('xenith-etc-xenith-'), 'sub', 'pools.json');
});

function policy(): BrokerPolicy {
  return { ...DEFAULT_BROKER_POLICY, configDir: etc, autoDir: path.join(etc, 'auto'), saveDir: path.join(etc, 'save'), imageDirs: [images], bootDirs: [] };
}

function harness(withPools = true): Harness {
  const pools = withPools ? [{ name: 'vg0', kind: 'lvm' as const, vg: 'vg0' }, { name: 'nas', kind: 'nfs' as const, server: 'nas.lan', export: '/srv/xen', path: `${images}/nas` }] : null;
  return startHarness({ executor: createLocalExecutor({ binDir: bin }), policy: policy(), pools, poolsFile });
}

const log = (): string => argvLogText(argvLog);

describe('the broker and storage pools', () => {
  it('runs LVM commands only in a volume group that is a pool, and never anything the table does not build', async () => {
    const h = harness();
    const made = await h.request("lvm.lvcreate", { vg: "vg0", name: "web", bytes: 1 << 30 });
    expect(made, JSON.stringify(made)).toMatchObject({ ok: true });
    const before = log();
    expect(codeOf(await h.request('lvm.lvcreate', { vg: 'rootvg', name: 'web', bytes: 1 << 30 }))).toBe('PERMISSION');
    expect(codeOf(await h.request('lvm.lvremove', { vg: 'rootvg', name: 'swap' }))).toBe('PERMISSION');
    expect(codeOf(await h.request('lvm.lvextend', { vg: 'rootvg', name: 'root', bytes: 1 << 30 }))).toBe('PERMISSION');
    expect(codeOf(await h.request('lvm.lvremove', { vg: 'vg0', name: '-f' }))).toBe('INVALID_ARG');
    expect(codeOf(await h.request('lvm.lvcreate', { vg: 'vg0', name: 'x', bytes: 1 << 30, thinPool: '../y' }))).toBe('INVALID_ARG');
    expect(codeOf(await h.request('lvm.vgcreate', { vg: 'vg9', device: '/dev/null' }))).toBe('PERMISSION');
    expect(codeOf(await h.request('lvm.vgcreate', { vg: 'vg9', device: '/etc/passwd' }))).toBe('INVALID_ARG');
    expect(codeOf(await h.request('storage.df', { paths: ['relative'] }))).toBe('INVALID_ARG');
    expect(codeOf(await h.request('image.resize', { path: path.join(other, 'x.img'), format: 'raw', bytes: 1 << 30 }))).toBe('PERMISSION');
    expect(log()).toBe(before);
  });

  it('mounts only a pool\'s export at that pool\'s mount point, and unmounts only pool mount points', async () => {
    const h = harness();
    const ok = await h.request('nfs.mount', { server: 'nas.lan', export: '/srv/xen', path: `${images}/nas` });
    expect(ok, JSON.stringify(ok)).toMatchObject({ ok: true });
    expect(log()).toContain(`mount -t nfs -o nosuid,nodev,noexec -- nas.lan:/srv/xen ${images}/nas`);
    const before = log();
    expect(codeOf(await h.request('nfs.mount', { server: 'evil.lan', export: '/srv/xen', path: `${images}/nas` }))).toBe('PERMISSION');
    expect(codeOf(await h.request('nfs.mount', { server: 'nas.lan', export: '/srv/xen', path: '/etc' }))).toBe('PERMISSION');
    expect(codeOf(await h.request('nfs.mount', { server: '-oexec', export: '/srv/xen', path: `${images}/nas` }))).toBe('INVALID_ARG');
    expect(codeOf(await h.request('nfs.umount', { path: '/' }))).toBe('PERMISSION');
    expect(codeOf(await h.request('nfs.umount', { path: '/proc' }))).toBe('PERMISSION');
    // fstab: only a pool's own entry, built by root (this test host's /etc/fstab is never reached).
    expect(codeOf(await h.request('fstab.nfs', { path: '/', present: true }))).toBe('PERMISSION');
    expect(codeOf(await h.request('fstab.nfs', { path: `${images}/nas`, present: true, line: 'x / ext4' }))).toBe('INVALID_ARG');
    expect(log()).toBe(before);
    expect((await h.request('nfs.umount', { path: `${images}/nas` }))['ok']).toBe(true);
  });

  it('writes the pools file only from checked pools, never beyond root\'s image directories, links or volume groups', async () => {
    const h = harness(false);
    expect(codeOf(await h.request('pools.read', {}))).toBe('NOT_FOUND');
    for (const bad of [[{ name: 'etc', kind: 'dir', path: '/etc' }], [{ name: 'r', kind: 'dir', path: '/' }], [{ name: 'x', kind: 'dir', path: 'rel' }], [{ name: 'x', kind: 'nfs' }], 'text']) {
      expect(codeOf(await h.request('pools.save', { pools: bad })), JSON.stringify(bad)).toMatch(/INVALID_ARG|PERMISSION/);
    }
    // Outside the image directories root listed, a link out of them, a volume group root did not name, an NFS mount
    // over an image directory itself: all refused, and the file is never written.
    symlinkSync(other, path.join(images, 'link'));
    for (const bad of [
      { name: 'other', kind: 'dir', path: other },
      { name: 'link', kind: 'dir', path: path.join(images, 'link') },
      { name: 'root', kind: 'lvm', vg: 'rootvg' },
      { name: 'over', kind: 'nfs', server: 'nas.lan', export: '/x', path: images },
    ]) {
      expect(codeOf(await h.request('pools.save', { pools: [bad] })), bad.name).toBe('PERMISSION');
    }
    expect(existsSync(poolsFile)).toBe(false);
    expect(codeOf(await h.request('pools.save', { pools: [{ name: 'a', kind: 'dir', path: images }, { name: 'a', kind: 'lvm', vg: 'v' }] }))).toBe('EXISTS');
    mkdirSync(path.join(images, 'sub'), { recursive: true });
    expect((await h.request('pools.save', { pools: [{ name: 'sub', kind: 'dir', path: path.join(images, 'sub') }] }))['ok']).toBe(true);
    expect(JSON.parse(readFileSync(poolsFile, 'utf8'))).toEqual({ version: 1, pools: [{ name: 'sub', kind: 'dir', path: path.join(images, 'sub') }] });
    expect(statSync(poolsFile).mode & 0o022).toBe(0);
    expect(JSON.parse((await h.request('pools.read', {}))['value'] as string)).toMatchObject({ pools: [{ name: 'sub' }] });
  });

  it('lets qemu-img act only on plain files of a pool, never through a link planted there', async () => {
    const h = harness();
    writeFileSync(path.join(images, 'plain.img'), '');
    symlinkSync('/etc/passwd', path.join(images, 'evil.img'));
    const before = log();
    expect(codeOf(await h.request('image.resize', { path: path.join(images, 'evil.img'), format: 'raw', bytes: 1 << 30 }))).toBe('PERMISSION');
    expect(codeOf(await h.request('image.convert', { src: path.join(images, 'evil.img'), dst: path.join(images, 'plain.img'), from: 'raw', to: 'raw' }))).toBe('PERMISSION');
    expect(codeOf(await h.request('image.convert', { src: path.join(images, 'plain.img'), dst: path.join(images, 'evil.img'), from: 'raw', to: 'raw' }))).toBe('PERMISSION');
    // /dev/VG/LV must be a logical volume of that group, not /dev/shm or another name under /dev.
    expect(codeOf(await h.request('image.convert', { src: '/dev/vg0/x', dst: path.join(images, 'plain.img'), from: 'raw', to: 'raw' }))).toBe('PERMISSION');
    expect(log()).toBe(before);
    expect((await h.request('image.resize', { path: path.join(images, 'plain.img'), format: 'raw', bytes: 1 << 30 }))['ok']).toBe(true);
  });
});

describe('the broker policy file and the pools', () => {
  it('refuses a pools file with unknown content', async () => {
    const { parsePoolsFile } = await import('../../../../src/xen/storage/pools-file');
    expect(() => parsePoolsFile('{"version":1,"pools":[{"name":"x","kind":"dir","path":"/usr/lib"}]}')).toThrow(/may not be an image directory/);
    expect(() => parsePoolsFile('{"version":1,"pools":[],"extra":1}')).toThrow();
    expect(() => parsePoolsFile('nope')).toThrow(/not JSON/);
    expect(() => parsePoolsFile(`{"version":1,"pools":[{"name":"x","kind":"dir","path":"${other}/sub/"}]}`)).toThrow(/written plainly/);
    mkdirSync(path.join(other, 'sub'), { recursive: true });
    expect(parsePoolsFile(`{"version":1,"pools":[{"name":"x","kind":"dir","path":"${other}/sub"}]}`)).toEqual([{ name: 'x', kind: 'dir', path: `${other}/sub` }]);
  });
});
