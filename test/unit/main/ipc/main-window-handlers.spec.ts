import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel, ArgsOf, ResultOf } from '../../../../src/shared/contract';
import type { IpcResponse } from '../../../../src/shared/ipc-errors';
import { HandlerRegistry } from '../../../../src/main/gateway/registry';
import type { Services } from '../../../../src/main/core/services';
import { registerDetailsHandlers } from '../../../../src/main/ipc/details';
import { registerDomainConfigHandlers } from '../../../../src/main/ipc/domain-config';
import { registerDomainHwHandlers } from '../../../../src/main/ipc/domain-hw';
import { createXenApi } from '../../../../src/xen/ops/api';
import { createDemoRunner, type DemoRunner } from '../../../../src/xen/sim/index';

let stateDir: string;
let demo: DemoRunner;
let registry: HandlerRegistry;
let changed: string[];

/** Where host path P lives on this machine. */
const local = (p: string): string => join(stateDir, 'root', p);

async function call<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<IpcResponse<ResultOf<C>>> {
  return (await registry.invoke(channel, args, { clientId: 't' })) as IpcResponse<ResultOf<C>>;
}

async function ok<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
  const r = await call(channel, args);
  if (!r.ok) throw new Error(`${channel} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}

async function failCode<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<string> {
  const r = await call(channel, args);
  if (r.ok) throw new Error(`${channel} unexpectedly succeeded`);
  return r.error.code;
}

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'xenith-mw-'));
  demo = createDemoRunner({ stateDir, speed: 20 });
  const api = createXenApi(demo, { configDir: '/etc/xen', autoDir: '/etc/xen/auto', imageDirs: ['/var/lib/xen/images'], pollIntervalMs: 20 });
  changed = [];
  const services = {
    runner: demo,
    api,
    paths: { configDir: '/etc/xen', autoDir: '/etc/xen/auto', imageDir: '/var/lib/xen/images' },
    notifyChanged: (c: { reason: string; names: string[] | null }) => changed.push(`${c.reason} [${c.names?.join(',') ?? '*'}]`),
  } as unknown as Services;
  registry = new HandlerRegistry();
  registerDomainHwHandlers(registry, services);
  registerDomainConfigHandlers(registry, services);
  registerDetailsHandlers(registry, services);
});

afterEach(async () => {
  await demo.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const cfgText = (name: string): string => readFileSync(local(`/etc/xen/${name}.cfg`), 'utf8');

describe('domain:details', () => {
  it('merges the config with what the running domain has attached, with sizes on the host', async () => {
    const d = await ok('domain:details', { name: 'db01' });
    expect(d.domid).not.toBeNull();
    expect(d.disks.map((x) => [x.vdev, x.target, x.inConfig, x.attached])).toEqual([
      ['xvda', '/var/lib/xen/images/db01.img', true, true],
      ['xvdb', '/var/lib/xen/images/db01-data.img', true, true],
      ['xvdc', '/var/lib/xen/images/db01-log.img', true, true],
    ]);
    expect(d.disks[1]?.sizeBytes).toBe(100 * 1024 ** 3);
    expect(d.nics).toHaveLength(2);
    expect(d.nics.every((n) => n.attached && n.inConfig && n.vifName?.startsWith(`vif${d.domid}.`))).toBe(true);
    expect(d.vcpus.length).toBeGreaterThan(0);
    expect(d.hostCpus).toBeGreaterThan(0);
  });

  it('describes a stopped domain from its config alone', async () => {
    const d = await ok('domain:details', { name: 'test-pvh' });
    expect(d.domid).toBeNull();
    expect(d.vcpus).toEqual([]);
    expect(d.disks.map((x) => [x.vdev, x.attached])).toEqual([['xvda', false]]);
  });

  it('answers NOT_FOUND for a domain that does not exist', async () => {
    await expect(failCode('domain:details', { name: 'nope' })).resolves.toBe('NOT_FOUND');
  });
});

describe('memory and vCPUs', () => {
  it('writes the config model for next boot and keeps the file’s comments', async () => {
    await ok('domain:setMemory', { name: 'mail01', targetMiB: 768, maxMiB: 1536, apply: 'config' });
    const t = cfgText('mail01');
    expect(t).toMatch(/^memory = 768$/m);
    expect(t).toMatch(/^maxmem = 1536$/m);
    expect(t).toContain('# mail01: created by the Xenith demo host');
    expect(changed).toContain('memory mail01 [mail01]');
  });

  it('refuses a live change on a stopped domain, in words, and changes nothing', async () => {
    const before = cfgText('test-pvh');
    await expect(failCode('domain:setVcpus', { name: 'test-pvh', vcpus: 1, apply: 'both' })).resolves.toBe('INVALID_ARG');
    expect(cfgText('test-pvh')).toBe(before);
  });

  it('refuses a target above the maximum before running anything', async () => {
    await expect(failCode('domain:setMemory', { name: 'web01', targetMiB: 4096, maxMiB: 2048, apply: 'live' })).resolves.toBe('INVALID_ARG');
  });

  it('sets vCPUs live and in the config', async () => {
    await ok('domain:setVcpus', { name: 'web01', vcpus: 3, apply: 'both' });
    expect(cfgText('web01')).toMatch(/^vcpus = 3$/m);
    const d = await ok('domain:details', { name: 'web01' });
    expect(d.vcpus.filter((v) => v.state !== 'offline')).toHaveLength(3);
  });
});

describe('disks', () => {
  it('creates a sparse image, attaches it now and in the config, and never overwrites', async () => {
    const disk = { target: '/var/lib/xen/images/web01-new.img', format: 'raw', vdev: 'xvdb', access: 'rw' } as const;
    await ok('domain:createDisk', { name: 'web01', disk, sizeGiB: 1, apply: 'both' });
    expect((await demo.fs.stat(disk.target))?.size).toBe(1024 ** 3);
    expect(cfgText('web01')).toContain('web01-new.img');
    const d = await ok('domain:details', { name: 'web01' });
    expect(d.disks.find((x) => x.vdev === 'xvdb')).toMatchObject({ inConfig: true, attached: true });
    await expect(failCode('domain:createDisk', { name: 'web01', disk: { ...disk, vdev: 'xvdc' }, sizeGiB: 1, apply: 'config' })).resolves.toBe('EXISTS');
  });

  it('refuses a device the config already has before creating anything', async () => {
    const disk = { target: '/var/lib/xen/images/ghost.img', format: 'raw', vdev: 'xvda', access: 'rw' } as const;
    await expect(failCode('domain:createDisk', { name: 'web01', disk, sizeGiB: 1, apply: 'config' })).resolves.toBe('EXISTS');
    expect(await demo.fs.stat(disk.target)).toBeNull();
  });

  it('removes the image it created when the live attach fails, and leaves the config alone', async () => {
    const before = cfgText('web01');
    // The running web01 already has xvda: the image is made, then the hot-plug fails.
    const disk = { target: '/var/lib/xen/images/ghost.img', format: 'raw', vdev: 'xvda', access: 'rw' } as const;
    const r = await call('domain:createDisk', { name: 'web01', disk, sizeGiB: 1, apply: 'live' });
    expect(r.ok).toBe(false);
    expect(await demo.fs.stat(disk.target)).toBeNull();
    expect(cfgText('web01')).toBe(before);
  });

  it('makes a new disk as a logical volume of an LVM pool, and removes that volume when the live attach fails', async () => {
    const lvs = async (): Promise<string> => (await demo.run('lvm.lvs', {})).stdout;
    await ok('domain:createDisk', { name: 'test-pvh', disk: { target: '/dev/vg0/test-pvh-data', format: 'raw', vdev: 'xvdb', access: 'rw' }, sizeGiB: 2, apply: 'config' });
    expect(cfgText('test-pvh')).toContain('/dev/vg0/test-pvh-data');
    expect(await lvs()).toContain('"lv_name":"test-pvh-data"');
    await expect(failCode('domain:createDisk', { name: 'test-pvh', disk: { target: '/dev/vg0/x', format: 'qcow2', vdev: 'xvdc', access: 'rw' }, sizeGiB: 2, apply: 'config' })).resolves.toBe('INVALID_ARG');
    // The running web01 already has xvda: the volume is made, then the hot-plug fails, and the volume goes.
    const before = cfgText('web01');
    const r = await call('domain:createDisk', { name: 'web01', disk: { target: '/dev/vg0/ghost', format: 'raw', vdev: 'xvda', access: 'rw' }, sizeGiB: 1, apply: 'live' });
    expect(r.ok).toBe(false);
    expect(await lvs()).not.toContain('"lv_name":"ghost"');
    expect(cfgText('web01')).toBe(before);
  });

  it('an HVM guest\'s xvda (the same disk as its hda) is refused, naming the field, before anything is made or attached', async () => {
    const before = cfgText('win-desktop');
    const disk = { target: '/var/lib/xen/images/win-extra.img', format: 'raw', vdev: 'xvda', access: 'rw' } as const;
    const r = await call('domain:createDisk', { name: 'win-desktop', disk, sizeGiB: 1, apply: 'both' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARG', detail: { field: 'disk.vdev' } } });
    expect(!r.ok && r.error.message).toMatch(/xvda/);
    // Nothing half-applied: no image, nothing attached now, the config as it was.
    expect(await demo.fs.stat(disk.target)).toBeNull();
    const d = await ok('domain:details', { name: 'win-desktop' });
    expect(d.disks.map((x) => x.vdev).sort()).toEqual(['hda', 'hdc']);
    expect(cfgText('win-desktop')).toBe(before);
  });

  it('a config edit that fails after the live attach undoes the attach and keeps nothing it made', async () => {
    const disk = { target: '/var/lib/xen/images/web01-late.img', format: 'raw', vdev: 'xvdb', access: 'rw' } as const;
    // The config changes on disk between the check and the write (another editor): the write is refused.
    const realWrite = demo.fs.replaceFile.bind(demo.fs);
    demo.fs.replaceFile = async (p, t) => {
      if (p === '/etc/xen/web01.cfg') throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      return realWrite(p, t);
    };
    try {
      const r = await call('domain:createDisk', { name: 'web01', disk, sizeGiB: 1, apply: 'both' });
      expect(r.ok).toBe(false);
    } finally {
      demo.fs.replaceFile = realWrite;
    }
    const d = await ok('domain:details', { name: 'web01' });
    expect(d.disks.some((x) => x.vdev === 'xvdb')).toBe(false);
    expect(await demo.fs.stat(disk.target)).toBeNull();
  });

  it('refuses a disk another domain uses read-write, naming it, and changes nothing', async () => {
    const before = cfgText('web01');
    const running = await call('domain:attachDisk', { name: 'web01', disk: { target: '/var/lib/xen/images/mail01.img', format: 'raw', vdev: 'xvdb', access: 'rw' }, apply: 'both' });
    expect(running).toMatchObject({ ok: false, error: { code: 'IN_USE', detail: { domain: 'mail01', field: 'disk.target', running: true } } });
    expect(!running.ok && running.error.message).toMatch(/^\/var\/lib\/xen\/images\/mail01\.img is used read-write by running domain mail01 as xvda/);
    // Read-only here does not help while mail01 writes it.
    const ro = await call('domain:attachDisk', { name: 'web01', disk: { target: '/var/lib/xen/images/mail01.img', format: 'raw', vdev: 'xvdb', access: 'ro' }, apply: 'config' });
    expect(ro).toMatchObject({ ok: false, error: { code: 'IN_USE' } });
    // A stopped domain's disk is still its own: its config would start it on the same file.
    const stopped = await call('domain:attachDisk', { name: 'web01', disk: { target: '/var/lib/xen/images/test-pvh.img', format: 'raw', vdev: 'xvdb', access: 'rw' }, apply: 'config' });
    expect(stopped).toMatchObject({ ok: false, error: { code: 'IN_USE', detail: { domain: 'test-pvh', running: false } } });
    expect(cfgText('web01')).toBe(before);
    await expect(failCode('domain:cdInsert', { name: 'win-desktop', vdev: 'hdc', file: '/var/lib/xen/images/mail01.img' })).resolves.toBe('IN_USE');
  });

  it('lets two domains share a disk when both only read it', async () => {
    const iso = '/var/lib/xen/iso/debian-12.7.0-amd64-netinst.iso';
    await ok('domain:attachDisk', { name: 'web01', disk: { target: iso, format: 'raw', vdev: 'xvdd', access: 'ro', devtype: 'cdrom' }, apply: 'config' });
    expect(cfgText('web01')).toContain(iso);
    // But not read-write.
    await expect(failCode('domain:attachDisk', { name: 'db01', disk: { target: iso, format: 'raw', vdev: 'xvdd', access: 'rw' }, apply: 'config' })).resolves.toBe('IN_USE');
  });

  it('detaches from the config only', async () => {
    await ok('domain:detachDisk', { name: 'db01', vdev: 'xvdc', apply: 'config' });
    expect(cfgText('db01')).not.toContain('db01-log.img');
    const d = await ok('domain:details', { name: 'db01' });
    // Still attached to the running domain until it next boots (its target comes from the backend's xenstore keys).
    expect(d.disks.find((x) => x.vdev === 'xvdc')).toMatchObject({ inConfig: false, attached: true });
  });
});

describe('network interfaces', () => {
  it('refuses a bridge the host does not have, naming the field and the bridges it has, and changes nothing', async () => {
    const before = cfgText('web01');
    const r = await call('domain:attachNic', { name: 'web01', nic: { bridge: 'nosuchbr' }, apply: 'both' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_ARG', detail: { field: 'nic.bridge' } } });
    expect(!r.ok && r.error.message).toBe('nic.bridge: the host has no bridge "nosuchbr" (it has xenbr0, xenbr1)');
    expect(cfgText('web01')).toBe(before);
  });

  it('uses one MAC for the live interface and the config, and detaches both', async () => {
    await ok('domain:attachNic', { name: 'web01', nic: { bridge: 'xenbr1' }, apply: 'both' });
    const d = await ok('domain:details', { name: 'web01' });
    const added = d.nics.find((n) => n.bridge === 'xenbr1');
    expect(added).toMatchObject({ inConfig: true, attached: true });
    expect(cfgText('web01')).toContain(added?.mac ?? 'missing');
    await ok('domain:detachNic', { name: 'web01', mac: added?.mac ?? '', apply: 'both' });
    const after = await ok('domain:details', { name: 'web01' });
    expect(after.nics.find((n) => n.mac === added?.mac)).toBeUndefined();
  });
});

describe('config options over the model (domain:configPatch)', () => {
  it('sets and removes options, keeps the file\'s comments, and refuses a bad value naming its field', async () => {
    const view = await ok('domain:configGet', { name: 'web01' });
    await ok('domain:configPatch', { name: 'web01', patch: { kernel: '/var/lib/xen/boot/vmlinuz-new', ramdisk: null, on_crash: 'preserve' }, expectedText: view.text });
    const text = cfgText('web01');
    expect(text).toMatch(/^kernel = "\/var\/lib\/xen\/boot\/vmlinuz-new"$/m);
    expect(text).not.toMatch(/^ramdisk/m);
    expect(text).toMatch(/^on_crash = "preserve"$/m);
    expect(text).toContain('# web01: created by the Xenith demo host');
    const bad = await call('domain:configPatch', { name: 'web01', patch: { on_crash: 'explode', vncdisplay: -1 }, expectedText: text });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARG' } });
    expect(!bad.ok && bad.error.message).toMatch(/on_crash|vncdisplay/);
    // Only the options a form may change: identity, disks and NICs have their own channels.
    await expect(failCode('domain:configPatch', { name: 'web01', patch: { name: 'other' } as never, expectedText: text })).resolves.toBe('INVALID_ARG');
    // Read as something else than what is on disk now: refused, nothing lost.
    await expect(failCode('domain:configPatch', { name: 'web01', patch: { kernel: '/x' }, expectedText: view.text })).resolves.toBe('EXISTS');
    expect(cfgText('web01')).toBe(text);
  });
});

describe('the config text', () => {
  it('checks syntax, fields and the name, with a diff against the saved file', async () => {
    const view = await ok('domain:configGet', { name: 'mail01' });
    const good = await ok('domain:configCheck', { name: 'mail01', text: view.text.replace('memory = 512', 'memory = 640') });
    expect(good.ok).toBe(true);
    expect(good.diff).toContain('-memory = 512\n+memory = 640');
    const bad = await ok('domain:configCheck', { name: 'mail01', text: `${view.text}vcpus = [\n` });
    expect(bad.ok).toBe(false);
    expect(bad.problems[0]?.line).toBeGreaterThan(0);
    const renamed = await ok('domain:configCheck', { name: 'mail01', text: view.text.replace('name = "mail01"', 'name = "other"') });
    expect(renamed.problems[0]?.field).toBe('name');
    const invalid = await ok('domain:configCheck', { name: 'mail01', text: view.text.replace('memory = 512', 'memory = 0') });
    expect(invalid.ok).toBe(false);
  });

  it('saves only over the text it was read as', async () => {
    const view = await ok('domain:configGet', { name: 'mail01' });
    const text = view.text.replace('memory = 512', 'memory = 640');
    await expect(failCode('domain:configSave', { name: 'mail01', text, expectedText: `${view.text}# stale` })).resolves.toBe('EXISTS');
    await ok('domain:configSave', { name: 'mail01', text, expectedText: view.text });
    expect(cfgText('mail01')).toBe(text);
  });
});

describe('files:list', () => {
  it('lists directories first, then the files the filter keeps', async () => {
    const l = await ok('files:list', { dir: '/var/lib/xen', filter: 'image' });
    expect(l.parent).toBe('/var/lib');
    expect(l.entries.filter((e) => e.kind === 'dir').map((e) => e.name)).toContain('images');
    const imgs = await ok('files:list', { dir: '/var/lib/xen/images', filter: 'image' });
    expect(imgs.entries.length).toBeGreaterThan(3);
    expect(imgs.entries.every((e) => e.name.endsWith('.img'))).toBe(true);
    const isos = await ok('files:list', { dir: '/var/lib/xen/images', filter: 'iso' });
    expect(isos.entries).toEqual([]);
    await expect(failCode('files:list', { dir: '/no/such/dir', filter: 'any' })).resolves.toBe('NOT_FOUND');
  });
});
