import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRun, createGuards } from '../../../../src/xen/broker/allowlist';
import { DEFAULT_BROKER_POLICY } from '../../../../src/xen/broker/policy';
import { buildCommand } from '../../../../src/xen/commands/build';
import { COMMANDS, type CommandArgs, type CommandName } from '../../../../src/xen/commands/table';
import { createDemoExecutor, type DemoExecutor } from '../../../../src/xen/sim/index';
import { makeTempDir } from '../runner/fake-bin';
import { qcow2Head } from '../../../fixtures/qcow2-head';

// One command table, read by every runner: these tests hold the table, the broker's policy checks and the demo host
// to each other, so none can drift from the others.

let etc: string;
let images: string;
let demo: DemoExecutor;

beforeAll(() => {
  etc = makeTempDir('xenith-table-etc-');
  mkdirSync(path.join(etc, 'save'));
  writeFileSync(path.join(etc, 'web.cfg'), 'name = "web"\nmemory = 128\n');
  writeFileSync(path.join(etc, 'save', 'web.save'), 'x');
  images = makeTempDir('xenith-table-img-');
  writeFileSync(path.join(images, 'web.img'), '');
  writeFileSync(path.join(images, 'cd.iso'), '');
  writeFileSync(path.join(images, 'copy.img'), '');
  // A qcow2 header (magic, version 3, 1 GiB): the broker reads it before qemu-img snapshot touches the file.
  writeFileSync(path.join(images, 'snap.qcow2'), qcow2Head());
  writeFileSync(path.join(images, 'base.qcow2'), qcow2Head());
  demo = createDemoExecutor({ stateDir: makeTempDir('xenith-table-demo-'), speed: 50 });
});

afterAll(async () => {
  await demo.close();
});

/** A block device of this machine for vgcreate's check (nothing attached to it; the broker reads no real /proc here). */
const BLOCK_DEVICE = '/dev/loop0';

/** One real use of every command; TypeScript makes this list whole. */
function samples(): { [K in CommandName]: CommandArgs<K> } {
  return {
    'host.info': {},
    'host.dmesg': {},
    'host.bridges': {},
    'net.links': {},
    'net.addrs': {},
    'net.neighbours': {},
    'domains.list': {},
    'domains.listLong': {},
    'domain.list': { dom: 'web' },
    'domains.uptime': { dom: '0' },
    'domains.vcpuList': {},
    'domains.schedCredit2': { dom: 'web' },
    'domain.networkList': { dom: 'web' },
    'domain.blockList': { dom: 'web' },
    'xenstore.read': { key: '/local/domain/0/name' },
    'xenstore.list': { path: '/local/domain/0' },
    'qemuImg.version': {},
    'config.dryRun': { file: path.join(etc, 'web.cfg') },
    'config.dryRunValues': { values: { name: 'web', memory: 128, disk: [`${images}/web.img,raw,xvda,rw`], vif: ['mac=00:16:3e:00:00:01,bridge=xenbr0'] } },
    'domain.create': { file: path.join(etc, 'web.cfg'), paused: true },
    'domain.shutdown': { dom: 'web', wait: true, force: false },
    'domain.reboot': { dom: 'web' },
    'domain.destroy': { dom: 'web' },
    'domain.pause': { dom: 'web' },
    'domain.unpause': { dom: 'web' },
    'domain.save': { dom: 'web', file: path.join(etc, 'save', 'new.save') },
    'domain.restore': { file: path.join(etc, 'save', 'web.save'), paused: true },
    'domain.rename': { dom: 'web', newName: 'web2' },
    'domain.sysrq': { dom: 'web', key: 's' },
    'domain.memSet': { dom: 'web', mib: 256 },
    'domain.memMax': { dom: 'web', mib: 512 },
    'domain.vcpuSet': { dom: 'web', count: 2 },
    'domain.vcpuPin': { dom: 'web', vcpu: 'all', hard: '0-1' },
    'domain.schedSet': { dom: 'web', weight: 512, cap: 0 },
    'domain.blockAttach': { dom: 'web', spec: `${images}/web.img,raw,xvdb,rw` },
    'domain.blockDetach': { dom: 'web', vdev: 'xvdb' },
    'domain.cdInsert': { dom: 'web', vdev: 'hdc', file: `${images}/cd.iso` },
    'domain.cdEject': { dom: 'web', vdev: 'hdc' },
    'domain.networkAttach': { dom: 'web', spec: 'mac=00:16:3e:00:00:01,bridge=xenbr0' },
    'domain.networkDetach': { dom: 'web', device: '1' },
    'image.createQcow2': { path: `${images}/new.qcow2`, bytes: 1 << 30 },
    'image.createOverlay': { path: `${images}/linked.qcow2`, base: `${images}/base.qcow2`, baseFormat: 'qcow2' },
    'image.resize': { path: `${images}/web.img`, format: 'raw', bytes: 2 * 2 ** 30 },
    'image.convert': { src: `${images}/web.img`, dst: `${images}/copy.img`, from: 'raw', to: 'raw' },
    'image.snapshot': { path: `${images}/snap.qcow2`, action: 'create', tag: 'xenith-0000abcd' },
    'storage.df': { paths: [images, etc] },
    'storage.blockDevices': {},
    'lvm.vgs': {},
    'lvm.lvs': {},
    'lvm.lvcreate': { vg: 'vg0', name: 'web-disk', bytes: 1 << 30 },
    'lvm.lvremove': { vg: 'vg0', name: 'web-disk' },
    'lvm.lvextend': { vg: 'vg0', name: 'web-disk', bytes: 2 * 2 ** 30 },
    'lvm.lvreduce': { vg: 'vg0', name: 'web-disk', bytes: 2 ** 30 },
    'lvm.vgcreate': { vg: 'vg1', device: BLOCK_DEVICE },
    'lvm.snapshot': { vg: 'vg0', origin: 'build-cache', name: 'build-cache-snap-0000abcd', bytes: 1 << 30 },
    'lvm.merge': { vg: 'vg0', name: 'build-cache-snap-0000abcd' },
    'nfs.mounts': {},
    'nfs.mount': { server: 'nas.example.lan', export: '/srv/xen', path: `${images}/nas` },
    'nfs.umount': { path: `${images}/nas` },
    'stats.xentop': { delayS: 1 },
    'console.open': { dom: 'web', type: 'serial', index: 0 },
  };
}

describe('the command table', () => {
  it('builds an argv for every command from its sample, and refuses extra or missing arguments naming the field', () => {
    const all = samples();
    for (const op of Object.keys(COMMANDS) as CommandName[]) {
      const c = buildCommand(op, all[op]);
      expect(c.argv.length, op).toBeGreaterThan(0);
      expect(() => buildCommand(op, { ...all[op], injected: '--help' }), op).toThrow(/injected/);
    }
    let missing: unknown = null;
    try {
      buildCommand('domain.pause', {});
    } catch (e) {
      missing = e;
    }
    expect(missing).toMatchObject({ code: 'INVALID_ARG', detail: { field: 'dom' } });
    expect(() => buildCommand('xl', {})).toThrow(/not an operation/);
    expect(() => buildCommand('toString', {})).toThrow(/not an operation/);
  });

  it('names domains by the one name rule: never a leading "-" or ".", never all digits, never reserved domids', () => {
    for (const dom of ['-x', '.hidden', 'a b', 'a;b', '', 'x'.repeat(65), '32752', '99999']) {
      expect(() => buildCommand('domain.pause', { dom }), dom).toThrow();
    }
    for (const dom of ['web', 'web-01.example', '_x', '0', '32751']) expect(buildCommand('domain.pause', { dom }).argv).toEqual(['pause', dom]);
  });

  it('asks only for what root\'s broker allows: every command passes the broker\'s own checks', async () => {
    const noUse = makeTempDir('xenith-table-proc-');
    const guards = createGuards(
      { ...DEFAULT_BROKER_POLICY, configDir: etc, autoDir: path.join(etc, 'auto'), saveDir: path.join(etc, 'save'), imageDirs: [images], bootDirs: [], vgs: ['vg0'], nfs: [{ source: 'nas.example.lan:/srv/xen', path: `${images}/nas` }] },
      { procDir: noUse, sysDir: noUse },
    );
    const all = samples();
    for (const op of Object.keys(COMMANDS) as CommandName[]) {
      const c = buildCommand(op, all[op]);
      // vgcreate is checked against a real block device; where this machine has none the refusal must say so.
      if (op === 'lvm.vgcreate' && !existsSync(BLOCK_DEVICE)) await expect(checkRun(c.program, c.argv, guards)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      else await expect(checkRun(c.program, c.argv, guards), op).resolves.toBeTruthy();
    }
  });

  it('is understood by the demo host: no command the app runs is unknown to it', async () => {
    const all = samples();
    for (const op of Object.keys(COMMANDS) as CommandName[]) {
      const c = buildCommand(op, all[op]);
      if (c.mode !== 'run') continue;
      const r = await demo.run(c.program, c.argv, { allowFailure: true });
      expect(`${op}: ${r.stderr}`).not.toMatch(/not implemented|not available on the demo host|[Uu]nknown command|[Uu]sage:/);
    }
  });
});
