import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_POLICY } from '../../../../src/xen/broker/policy';
import { createLocalExecutor } from '../../../../src/xen/runner/local';
import { ARGV_JSON_SCRIPT, makeTempDir, writeScript } from '../runner/fake-bin';
import { argvLogText, codeOf, startHarness, type Harness } from './harness';
import { qcow2Head } from '../../../fixtures/qcow2-head';

// Snapshots through root's broker: qemu-img snapshot only on a self-contained qcow2 file of an image directory (its
// header read first), LVM snapshots and merges only in a pool's group, and the snapshot list only as the checked model
// at its one place in the save directory.

let bin: string;
let etc: string;
let images: string;
let argvLog: string;

beforeAll(() => {
  bin = makeTempDir();
  argvLog = path.join(makeTempDir('xenith-argv-'), 'log');
  for (const p of ['lvcreate', 'lvconvert', 'qemu-img']) {
    writeScript(bin, p, `${ARGV_JSON_SCRIPT}require('node:fs').appendFileSync(${JSON.stringify(argvLog)}, ${JSON.stringify(p)} + ' ' + process.argv.slice(2).join(' ') + '\\n');\n`);
  }
  etc = makeTempDir('xenith-etc-');
  mkdirSync(path.join(etc, 'save'));
  images = makeTempDir('xenith-img-');
  writeFileSync(path.join(images, 'good.qcow2'), qcow2Head({ size: 1024 }));
  writeFileSync(path.join(images, 'backed.qcow2'), qcow2Head({ size: 1024, backing: '/etc/shadow' }));
  writeFileSync(path.join(images, 'raw.img'), Buffer.alloc(1024));
  writeFileSync(path.join(images, 'a,b.qcow2'), qcow2Head({ size: 1024 }));
  symlinkSync(path.join(images, 'good.qcow2'), path.join(images, 'link.qcow2'));
});

function harness(): Harness {
  const policy = { ...DEFAULT_BROKER_POLICY, configDir: etc, autoDir: path.join(etc, 'auto'), saveDir: path.join(etc, 'save'), imageDirs: [images], bootDirs: [] };
  return startHarness({ executor: createLocalExecutor({ binDir: bin }), policy, pools: [{ name: 'vg0', kind: 'lvm', vg: 'vg0' }], poolsFile: path.join(makeTempDir('xenith-pools-'), 'pools.json') });
}

const log = (): string => argvLogText(argvLog);
const tag = 'xenith-0000abcd';

describe('snapshots through the broker', () => {
  it('runs qemu-img snapshot with the qcow2 driver named, only on a self-contained qcow2 file of an image directory', async () => {
    const h = harness();
    expect(await h.request('image.snapshot', { path: path.join(images, 'good.qcow2'), action: 'create', tag })).toMatchObject({ ok: true });
    expect(log()).toContain(`qemu-img snapshot -q -c ${tag} --image-opts -- driver=qcow2,file.driver=file,file.filename=${images}/good.qcow2`);
    const before = log();
    // A comma would start another --image-opts option: no path may hold one.
    expect(codeOf(await h.request('image.snapshot', { path: path.join(images, 'a,b.qcow2'), action: 'apply', tag }))).toBe('INVALID_ARG');
    // A raw disk's guest can write a qcow2 header naming any host file as its backing file: never opened as root.
    expect(codeOf(await h.request('image.snapshot', { path: path.join(images, 'backed.qcow2'), action: 'create', tag }))).toBe('INVALID_ARG');
    expect(codeOf(await h.request('image.snapshot', { path: path.join(images, 'raw.img'), action: 'create', tag }))).toBe('INVALID_ARG');
    expect(codeOf(await h.request('image.snapshot', { path: path.join(images, 'link.qcow2'), action: 'delete', tag }))).toBe('PERMISSION');
    expect(codeOf(await h.request('image.snapshot', { path: path.join(etc, 'x.qcow2'), action: 'create', tag }))).toBe('PERMISSION');
    expect(codeOf(await h.request('image.snapshot', { path: path.join(images, 'good.qcow2'), action: 'create', tag: 'mine' }))).toBe('INVALID_ARG');
    expect(log()).toBe(before);
  });

  it('copies a qcow2 source as it was at one of Xenith\'s snapshots (clone from a snapshot), and only a qcow2 one', async () => {
    const h = harness();
    writeFileSync(path.join(images, 'copy.qcow2'), '');
    const ok = await h.request('image.convert', { src: path.join(images, 'good.qcow2'), dst: path.join(images, 'copy.qcow2'), from: 'qcow2', to: 'qcow2', snapshot: tag });
    expect(codeOf(ok)).toBeUndefined();
    const raw = await h.request('image.convert', { src: path.join(images, 'raw.img'), dst: path.join(images, 'copy.qcow2'), from: 'raw', to: 'qcow2', snapshot: tag });
    expect(codeOf(raw)).toBe('INVALID_ARG');
    // Read as qcow2, a header naming a backing file would have root copy that file: refused whatever the caller says.
    const backed = await h.request('image.convert', { src: path.join(images, 'backed.qcow2'), dst: path.join(images, 'copy.qcow2'), from: 'qcow2', to: 'raw' });
    expect(codeOf(backed)).toBe('INVALID_ARG');
  });

  it('writes no config that declares qcow2 a file whose header names a backing file: Xen\'s qemu would open it as root', async () => {
    const h = harness();
    const cfg = (target: string) => ({ name: 'q', memory: 128, disk: [`format=qcow2,vdev=xvda,access=rw,target=${target}`] });
    const bad = await h.request('config.create', { path: path.join(etc, 'q.cfg'), values: cfg(path.join(images, 'backed.qcow2')) });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARG', detail: { field: 'disk[0]', rule: 'backing' } } });
    expect(await h.request('config.create', { path: path.join(etc, 'q.cfg'), values: cfg(path.join(images, 'good.qcow2')) })).toMatchObject({ ok: true });
  });

  it('takes and merges LVM snapshots only in a pool\'s volume group', async () => {
    const h = harness();
    expect(await h.request('lvm.snapshot', { vg: 'vg0', origin: 'web', name: 'web-snap-0000abcd', bytes: 1 << 30 })).toMatchObject({ ok: true });
    expect(await h.request('lvm.snapshot', { vg: 'vg0', origin: 'thin', name: 'thin-snap-0000abcd' })).toMatchObject({ ok: true });
    expect(await h.request('lvm.merge', { vg: 'vg0', name: 'web-snap-0000abcd' })).toMatchObject({ ok: true });
    expect(log()).toContain('lvcreate -q -y -s -n web-snap-0000abcd -L 1073741824b -- vg0/web');
    expect(log()).toContain('lvconvert -q -i 1 --merge -- vg0/web-snap-0000abcd');
    expect(log()).toContain('lvcreate -q -y -s -n thin-snap-0000abcd -kn -- vg0/thin');
    const before = log();
    expect(codeOf(await h.request('lvm.snapshot', { vg: 'rootvg', origin: 'root', name: 'root-snap-0000abcd' }))).toBe('PERMISSION');
    expect(codeOf(await h.request('lvm.merge', { vg: 'rootvg', name: 'root-snap' }))).toBe('PERMISSION');
    expect(codeOf(await h.request('lvm.snapshot', { vg: 'vg0', origin: '-f', name: 'x' }))).toBe('INVALID_ARG');
    expect(log()).toBe(before);
  });

  it('reads and writes a snapshot list only as the checked model, at its one place, never through a link', async () => {
    const h = harness();
    const dir = path.join(etc, 'save', 'xenith-snapshots', 'web');
    const file = path.join(dir, 'snapshots.json');
    expect(await h.request('fs.mkdirp', { path: dir })).toMatchObject({ ok: true });
    // Every folder made below the save directory is private: checkpoints hold guests' memory.
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.dirname(dir)).mode & 0o777).toBe(0o700);
    const meta = { version: 1, domain: 'web', current: null, snapshots: [] };
    expect(await h.request('snapshots.save', { path: file, meta })).toMatchObject({ ok: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(meta);
    expect(JSON.parse((await h.request('snapshots.read', { path: file }))['value'] as string)).toEqual(meta);
    expect(codeOf(await h.request('snapshots.save', { path: file, meta: { ...meta, domain: 'db' } }))).toBe('INVALID_ARG');
    expect(codeOf(await h.request('snapshots.save', { path: file, meta: { ...meta, extra: '/etc/shadow' } }))).toBe('INVALID_ARG');
    expect(codeOf(await h.request('snapshots.save', { path: path.join(etc, 'xenith-snapshots', 'web', 'snapshots.json'), meta }))).toBe('PERMISSION');
    expect(codeOf(await h.request('snapshots.read', { path: '/etc/passwd' }))).toBe('PERMISSION');
    // A link planted in its place is not followed; a file that is not a list is refused without quoting it.
    const other = path.join(etc, 'save', 'xenith-snapshots', 'db');
    mkdirSync(other);
    writeFileSync(path.join(etc, 'secret'), 'root:secret-hash:19000:0:99999:7:::\n');
    symlinkSync(path.join(etc, 'secret'), path.join(other, 'snapshots.json'));
    expect(codeOf(await h.request('snapshots.read', { path: path.join(other, 'snapshots.json') }))).toBe('PERMISSION');
    const third = path.join(etc, 'save', 'xenith-snapshots', 'mail');
    mkdirSync(third);
    writeFileSync(path.join(third, 'snapshots.json'), 'root:secret-hash:19000\n');
    const r = await h.request('snapshots.read', { path: path.join(third, 'snapshots.json') });
    expect(codeOf(r)).toBe('INVALID_ARG');
    expect(JSON.stringify(r)).not.toContain('secret-hash');
  });
});
