import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_POLICY } from '../../../../src/xen/broker/policy';
import { createLocalExecutor } from '../../../../src/xen/runner/local';
import { ARGV_JSON_SCRIPT, makeTempDir, writeScript } from '../runner/fake-bin';
import { argvLogText, codeOf, startHarness, type Harness } from './harness';
import { qcow2Head } from '../../../fixtures/qcow2-head';

// Linked images through root's broker: an overlay is made only on a plain image of the pools (self-contained when
// qcow2), and configs, snapshots and copies accept a qcow2 disk with a backing file only when that file is such a base,
// named by its absolute path with its format declared.

let bin: string;
let etc: string;
let images: string;
let outside: string;
let argvLog: string;

beforeAll(() => {
  bin = makeTempDir();
  argvLog = path.join(makeTempDir('xenith-argv-'), 'log');
  writeScript(bin, 'qemu-img', `${ARGV_JSON_SCRIPT}require('node:fs').appendFileSync(${JSON.stringify(argvLog)}, 'qemu-img ' + process.argv.slice(2).join(' ') + '\\n');\n`);
  writeScript(bin, 'xl', ARGV_JSON_SCRIPT);
  etc = makeTempDir('xenith-etc-');
  mkdirSync(path.join(etc, 'save'));
  images = makeTempDir('xenith-img-');
  outside = makeTempDir('xenith-outside-');
  const at = (n: string): string => path.join(images, n);
  writeFileSync(at('base.qcow2'), qcow2Head({ size: 1024 }));
  writeFileSync(at('base.img'), Buffer.alloc(4096));
  writeFileSync(path.join(outside, 'secret'), 'top secret');
  writeFileSync(at('linked.qcow2'), qcow2Head({ size: 1024, backing: at('base.qcow2'), backingFormat: 'qcow2' }));
  writeFileSync(at('linked-raw.qcow2'), qcow2Head({ size: 1024, backing: at('base.img'), backingFormat: 'raw' }));
  // What a guest could write into its raw disk, or a hand-made image: each names a file root must not open.
  writeFileSync(at('undeclared.qcow2'), qcow2Head({ size: 1024, backing: at('base.qcow2') }));
  writeFileSync(at('relative.qcow2'), qcow2Head({ size: 1024, backing: 'base.qcow2', backingFormat: 'qcow2' }));
  writeFileSync(at('secret.qcow2'), qcow2Head({ size: 1024, backing: path.join(outside, 'secret'), backingFormat: 'raw' }));
  writeFileSync(at('dotdot.qcow2'), qcow2Head({ size: 1024, backing: `${images}/../${path.basename(outside)}/secret`, backingFormat: 'raw' }));
  writeFileSync(at('deep.qcow2'), qcow2Head({ size: 1024, backing: at('linked.qcow2'), backingFormat: 'qcow2' }));
  symlinkSync(path.join(outside, 'secret'), at('escape.img'));
  // A link inside the pools: qemu would open the name as the header says, following it.
  symlinkSync(at('base.img'), at('alias.img'));
  writeFileSync(at('via-alias.qcow2'), qcow2Head({ size: 1024, backing: at('alias.img'), backingFormat: 'raw' }));
  writeFileSync(at('via-link.qcow2'), qcow2Head({ size: 1024, backing: at('escape.img'), backingFormat: 'raw' }));
  // An external data file is refused even beside a good backing file.
  const data = qcow2Head({ size: 1024, backing: at('base.qcow2'), backingFormat: 'qcow2' });
  data.writeBigUInt64BE(4n, 72);
  writeFileSync(at('datafile.qcow2'), data);
});

function harness(): Harness {
  const policy = { ...DEFAULT_BROKER_POLICY, configDir: etc, autoDir: path.join(etc, 'auto'), saveDir: path.join(etc, 'save'), imageDirs: [images], bootDirs: [] };
  return startHarness({ executor: createLocalExecutor({ binDir: bin }), policy });
}

const log = (): string => argvLogText(argvLog);
const BAD = ['undeclared', 'relative', 'secret', 'dotdot', 'deep', 'via-link', 'via-alias', 'datafile'];

describe('linked images through the broker', () => {
  it('makes an overlay only as a new file on a plain base image of the pools', async () => {
    const h = harness();
    const at = (n: string): string => path.join(images, n);
    expect(await h.request('image.createOverlay', { path: at('clone.qcow2'), base: at('base.qcow2'), baseFormat: 'qcow2' })).toMatchObject({ ok: true });
    expect(log()).toContain(`qemu-img create -q -f qcow2 -F qcow2 -b ${images}/base.qcow2 -- ${images}/clone.qcow2`);
    expect(await h.request('image.createOverlay', { path: at('clone2.qcow2'), base: at('base.img'), baseFormat: 'raw' })).toMatchObject({ ok: true });
    const before = log();
    const refused = async (a: Record<string, unknown>, code: string): Promise<void> => expect(codeOf(await h.request('image.createOverlay', a))).toBe(code);
    await refused({ path: at('n1.qcow2'), base: path.join(outside, 'secret'), baseFormat: 'raw' }, 'PERMISSION');
    await refused({ path: at('n2.qcow2'), base: at('escape.img'), baseFormat: 'raw' }, 'PERMISSION');
    await refused({ path: at('n7.qcow2'), base: at('alias.img'), baseFormat: 'raw' }, 'PERMISSION');
    // A base that reads another file itself (depth two), or one declared qcow2 that is not.
    await refused({ path: at('n3.qcow2'), base: at('linked.qcow2'), baseFormat: 'qcow2' }, 'PERMISSION');
    await refused({ path: at('n4.qcow2'), base: at('base.img'), baseFormat: 'qcow2' }, 'PERMISSION');
    // Never over an existing file, never outside the pools, never its own base, no other options.
    await refused({ path: at('linked.qcow2'), base: at('base.qcow2'), baseFormat: 'qcow2' }, 'EXISTS');
    await refused({ path: path.join(outside, 'n.qcow2'), base: at('base.qcow2'), baseFormat: 'qcow2' }, 'PERMISSION');
    await refused({ path: at('n5.qcow2'), base: at('base.qcow2'), baseFormat: 'vmdk' }, 'INVALID_ARG');
    await refused({ path: at('n6.qcow2'), base: at('base.qcow2'), baseFormat: 'qcow2', options: 'backing_file=/etc/shadow' }, 'INVALID_ARG');
    expect(log()).toBe(before);
    for (const n of ['n1', 'n2', 'n3', 'n4', 'n6', 'n7']) expect(existsSync(at(`${n}.qcow2`))).toBe(false);
  });

  it('snapshots and copies an overlay on a base of the pools, and nothing else that names another file', async () => {
    const h = harness();
    const tag = 'xenith-0000abcd';
    for (const n of ['linked', 'linked-raw']) {
      expect(await h.request('image.snapshot', { path: path.join(images, `${n}.qcow2`), action: 'create', tag })).toMatchObject({ ok: true });
    }
    copyFileSync(path.join(images, 'base.img'), path.join(images, 'dst.img'));
    expect(await h.request('image.convert', { src: path.join(images, 'linked.qcow2'), dst: path.join(images, 'dst.img'), from: 'qcow2', to: 'raw' })).toMatchObject({ ok: true });
    // convert is a stream: the request answers when it starts, before the program has run.
    await expect.poll(log, { timeout: 15_000 }).toContain(`qemu-img convert -p -n -f qcow2 -O raw -- ${images}/linked.qcow2 ${images}/dst.img`);
    const before = log();
    for (const n of BAD) {
      expect(codeOf(await h.request('image.snapshot', { path: path.join(images, `${n}.qcow2`), action: 'create', tag })), n).toMatch(/INVALID_ARG|PERMISSION/);
      expect(codeOf(await h.request('image.convert', { src: path.join(images, `${n}.qcow2`), dst: path.join(images, 'dst.img'), from: 'qcow2', to: 'raw' })), n).toMatch(/INVALID_ARG|PERMISSION/);
    }
    expect(log()).toBe(before);
  });

  it('starts a config whose qcow2 disk is an overlay on a base of the pools, naming the field when the base is not one', async () => {
    const h = harness();
    const cfg = (n: string): { file: string } => {
      const file = path.join(etc, `${n}.cfg`);
      writeFileSync(file, `name = "lc"\nmemory = 64\ndisk = [ "format=qcow2,vdev=xvda,access=rw,target=${path.join(images, `${n}.qcow2`)}" ]\n`);
      return { file };
    };
    const ok = await h.request('domain.create', cfg('linked'));
    expect(ok['ok'], JSON.stringify(ok)).toBe(true);
    for (const n of BAD) {
      const r = await h.request('domain.create', cfg(n));
      expect(codeOf(r), n).toMatch(/INVALID_ARG|PERMISSION/);
      expect(JSON.stringify(r), n).toContain('disk');
    }
  });
});
