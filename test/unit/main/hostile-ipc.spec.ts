import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHub } from '../../../src/main/gateway/events';
import { HandlerRegistry } from '../../../src/main/gateway/registry';
import type { Services } from '../../../src/main/core/services';
import { registerHandlers } from '../../../src/main/ipc/index';
import { openTaskRecorder } from '../../../src/main/tasks/recorder';
import { TransferEnds } from '../../../src/main/transfer/ends';
import type { IpcResponse } from '../../../src/shared/ipc-errors';
import { createXenApi } from '../../../src/xen/ops/api';
import { createLocalRunner } from '../../../src/xen/runner/local';
import { createStatsService } from '../../../src/xen/stats/stats-service';
import { openHistoryStore } from '../../../src/main/history/history-store';
import { makeTempDir, writeScript } from '../xen/runner/fake-bin';

// An attacker holding the IPC surface (a compromised renderer, or a browser-mode client with the token) sends hostile
// names, paths, devices, MACs, bridges, sizes and config text through every channel that takes one, against the
// app's real handlers on a local toolstack whose programs only log their argv. Every value is refused with its field
// named, none reaches a command line, and no file outside the test's folders changes.

let root: string;
let log: string;
let registry: HandlerRegistry;
let close: () => Promise<void>;
const WEB_CFG = 'name = "web"\nmemory = 256\nkernel = "/var/lib/xen/boot/vmlinuz"\n';

const NAMES: unknown[] = [
  '', '-x', '--help', '-F', '.hidden', '..', '.', 'a b', 'a\tb', 'a;b', 'a&b', 'a|b', '$(id)', '`id`', '${IFS}', 'a\nb', 'a\rb', 'a\0b',
  'a'.repeat(65), '123', '0', '32767', 'é', 'naïve', 'a/b', '../etc', '/etc/passwd', 'a"b', "a'b", 'a\\b', 'a*', 'a?', '[a]', 'a=b', 'a,b',
  'x\u202e', '\u200b', '😀', 'a:b', 'a@b', '~root', null, 5, true, ['web'], { toString: 'web' },
];
const PATHS: unknown[] = [
  '', 'relative.img', 'images/a.img', '~/a.img', '/a/../etc/shadow', '/var/lib/xen/images/../../../etc/shadow', '/a/./b', '//etc/shadow', '/var/',
  '/a b.img', '/a,b.img', '/a=b.img', '/a"b', "/a'b", '/a\\b', '/a\nb', '/a\0b', '/a;rm -rf', '/$(id)', '/a`id`', '/a|b', '/a&b', '/a*', '/a?b',
  `/${'x'.repeat(5000)}`, 'file:/etc/shadow', '-rf', '/a\u202eb', null, 7, ['/a'],
];
const VDEVS: unknown[] = ['', 'xvd', 'xvdA', 'xvda;', 'xvd-a', '-x', 'hde', 'sdq', 'xvda16', 'hda64', 'vda', '../xvda', 'xvda b', 51712, null];
const MACS: unknown[] = ['', '00:16:3e', '00:16:3e:00:00', '00:16:3e:00:00:01:02', '00-16-3e-00-00-01', 'zz:16:3e:00:00:01', '00:16:3e:00:00:0g', ' 00:16:3e:00:00:01', '00:16:3e:00:00:01\n', 'ff;ff:ff:ff:ff:ff', '0016.3e00.0001', null, 5];
const BRIDGES: unknown[] = ['', 'a'.repeat(16), '-x', '.x', 'br 0', 'br;0', 'br/0', 'br\n0', 'br$(id)', null, 3];
const SIZES: unknown[] = [-1, 0, 1.5, 2 ** 60, Number.MAX_SAFE_INTEGER, '512', '1G', null, true, [], {}, -0.001];
const TEXTS = [
  `${WEB_CFG}memory = 256; bootloader = "/tmp/evil"\n`,
  `${WEB_CFG}bootloader = "pygrub"\nbootloader += "/tmp/evil"\n`,
  `${WEB_CFG}disk = [ "/etc/shadow,raw,xvda,rw" ] ; vif = [ "script=/tmp/evil" ]\n`,
  'name = "web"; name = "other"\n',
  `${WEB_CFG}memory += 1\n`,
];

/** A channel, valid args, and which part of them to replace with a hostile value. */
type Site = { channel: string; args: Record<string, unknown>; at: (string | number)[]; values: unknown[]; field: string };

function set(args: Record<string, unknown>, at: (string | number)[], v: unknown): Record<string, unknown> {
  const out = structuredClone(args);
  let o: Record<string | number, unknown> = out;
  for (const k of at.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[at[at.length - 1]!] = v;
  return out;
}

function sites(): Site[] {
  const plan = {
    type: 'pv', method: 'kernel', preset: 'other', name: 'newvm', memoryMiB: 256, maxMemMiB: 512, vcpus: 1, maxVcpus: 2,
    kernel: '/var/lib/xen/boot/vmlinuz', cmdline: 'console=hvc0', disks: [{ mode: 'new', path: '/var/lib/xen/images/newvm.img', sizeGiB: 1, format: 'raw', vdev: 'xvda' }],
    nics: [{ bridge: 'xenbr0', mac: '00:16:3e:01:02:03' }], vnc: false, startNow: false, autostart: false, openConsole: false, customise: false, dryRun: false,
  };
  const disk = { target: path.join(root, 'images/d.img'), format: 'raw', vdev: 'xvdb', access: 'rw' };
  const byName: [string, Record<string, unknown>][] = [
    ['domain:details', {}], ['domain:start', {}], ['domain:shutdown', {}], ['domain:reboot', {}], ['domain:destroy', {}], ['domain:pause', {}],
    ['domain:unpause', {}], ['domain:save', { file: '/var/lib/xen/save/web.save' }], ['domain:rename', { newName: 'web2' }], ['domain:delete', { disks: [] }],
    ['domain:autostart', { enabled: true }], ['domain:setMemory', { targetMiB: 256, apply: 'config' }], ['domain:setVcpus', { vcpus: 1, apply: 'config' }],
    ['domain:pinVcpu', { vcpu: 0, cpus: 'all' }], ['domain:setSched', { weight: 256 }], ['domain:attachDisk', { disk, apply: 'config' }],
    ['domain:createDisk', { disk, sizeGiB: 1, apply: 'config' }], ['domain:detachDisk', { vdev: 'xvdb', apply: 'config' }],
    ['domain:cdInsert', { vdev: 'hdc', file: '/var/lib/xen/iso/a.iso' }], ['domain:cdEject', { vdev: 'hdc' }], ['domain:attachNic', { nic: { bridge: 'xenbr0' }, apply: 'config' }],
    ['domain:detachNic', { mac: '00:16:3e:00:00:01', apply: 'config' }], ['domain:configGet', {}], ['domain:configCheck', { text: WEB_CFG }],
    ['domain:configSave', { text: WEB_CFG, expectedText: WEB_CFG }], ['console:open', { cols: 80, rows: 24 }], ['vnc:open', {}], ['window:detachConsole', { kind: 'text' }],
  ];
  const out: Site[] = byName.map(([channel, extra]) => ({ channel, args: { name: 'web', ...extra }, at: ['name'], values: NAMES, field: 'name' }));
  out.push(
    { channel: 'domain:rename', args: { name: 'web', newName: 'web2' }, at: ['newName'], values: NAMES, field: 'newName' },
    { channel: 'domains:bulk', args: { action: 'pause', names: ['web'] }, at: ['names', 0], values: NAMES, field: 'names.0' },
    { channel: 'wizard:preview', args: { plan }, at: ['plan', 'name'], values: NAMES, field: 'plan.name' },
    { channel: 'wizard:create', args: { plan, jobId: 'job-12345678' }, at: ['plan', 'name'], values: NAMES, field: 'plan.name' },
  );
  const paths: [string, Record<string, unknown>, (string | number)[], string][] = [
    ['domain:save', { name: 'web', file: '/var/lib/xen/save/web.save' }, ['file'], 'file'],
    ['domain:restore', { file: '/var/lib/xen/save/web.save' }, ['file'], 'file'],
    ['domain:delete', { name: 'web', disks: ['/var/lib/xen/images/web.img'] }, ['disks', 0], 'disks.0'],
    ['domain:attachDisk', { name: 'web', disk, apply: 'config' }, ['disk', 'target'], 'disk.target'],
    ['domain:createDisk', { name: 'web', disk, sizeGiB: 1, apply: 'config' }, ['disk', 'target'], 'disk.target'],
    ['domain:cdInsert', { name: 'web', vdev: 'hdc', file: '/var/lib/xen/iso/a.iso' }, ['file'], 'file'],
    ['files:list', { dir: '/var/lib/xen/images', filter: 'image' }, ['dir'], 'dir'],
    ['wizard:preview', { plan }, ['plan', 'kernel'], 'plan.kernel'],
    ['wizard:preview', { plan }, ['plan', 'disks', 0, 'path'], 'plan.disks.0.path'],
    ['wizard:create', { plan, jobId: 'job-12345678' }, ['plan', 'disks', 0, 'path'], 'plan.disks.0.path'],
  ];
  for (const [channel, args, at, field] of paths) out.push({ channel, args, at, values: PATHS, field });
  const vdevs: [string, Record<string, unknown>, (string | number)[], string][] = [
    ['domain:detachDisk', { name: 'web', vdev: 'xvdb', apply: 'config' }, ['vdev'], 'vdev'],
    ['domain:cdInsert', { name: 'web', vdev: 'hdc', file: '/var/lib/xen/iso/a.iso' }, ['vdev'], 'vdev'],
    ['domain:cdEject', { name: 'web', vdev: 'hdc' }, ['vdev'], 'vdev'],
    ['domain:attachDisk', { name: 'web', disk, apply: 'config' }, ['disk', 'vdev'], 'disk.vdev'],
    ['domain:createDisk', { name: 'web', disk, sizeGiB: 1, apply: 'config' }, ['disk', 'vdev'], 'disk.vdev'],
    ['wizard:preview', { plan }, ['plan', 'disks', 0, 'vdev'], 'plan.disks.0.vdev'],
  ];
  for (const [channel, args, at, field] of vdevs) out.push({ channel, args, at, values: VDEVS, field });
  out.push(
    { channel: 'domain:detachNic', args: { name: 'web', mac: '00:16:3e:00:00:01', apply: 'config' }, at: ['mac'], values: MACS, field: 'mac' },
    { channel: 'domain:attachNic', args: { name: 'web', nic: { mac: '00:16:3e:00:00:01' }, apply: 'config' }, at: ['nic', 'mac'], values: MACS, field: 'nic.mac' },
    { channel: 'wizard:preview', args: { plan }, at: ['plan', 'nics', 0, 'mac'], values: MACS, field: 'plan.nics.0.mac' },
    // A well-formed bridge the host does not have is refused too (the fake `ip` lists xenbr0 only).
    { channel: 'domain:attachNic', args: { name: 'web', nic: { bridge: 'xenbr0' }, apply: 'config' }, at: ['nic', 'bridge'], values: [...BRIDGES, 'nosuchbr', 'xenbr1'], field: 'nic.bridge' },
    { channel: 'wizard:preview', args: { plan }, at: ['plan', 'nics', 0, 'bridge'], values: BRIDGES, field: 'plan.nics.0.bridge' },
    { channel: 'domain:setMemory', args: { name: 'web', targetMiB: 256, apply: 'config' }, at: ['targetMiB'], values: SIZES, field: 'targetMiB' },
    { channel: 'domain:setMemory', args: { name: 'web', maxMiB: 256, apply: 'config' }, at: ['maxMiB'], values: SIZES, field: 'maxMiB' },
    { channel: 'domain:setVcpus', args: { name: 'web', vcpus: 1, apply: 'config' }, at: ['vcpus'], values: SIZES, field: 'vcpus' },
    // Sizes in GiB may be fractional (0.5 GiB is a disk); the rest of SIZES is refused there too.
    { channel: 'domain:createDisk', args: { name: 'web', disk, sizeGiB: 1, apply: 'config' }, at: ['sizeGiB'], values: SIZES.filter((v) => v !== 1.5), field: 'sizeGiB' },
    { channel: 'wizard:preview', args: { plan }, at: ['plan', 'memoryMiB'], values: SIZES, field: 'plan.memoryMiB' },
    { channel: 'domain:configSave', args: { name: 'web', text: WEB_CFG, expectedText: WEB_CFG }, at: ['text'], values: TEXTS, field: '' },
  );
  return out;
}

/** What an escape would touch, to compare before and after. */
function snapshot(): string {
  const facts = ['/etc/shadow', '/etc/passwd', '/etc/xen', '/var/lib/xen', '/var/log', '/root', '/tmp/evil'].map((p) => {
    if (!existsSync(p)) return `${p}: none`;
    const s = lstatSync(p);
    return `${p}: ${s.size} ${s.mtimeMs} ${s.isDirectory() ? readdirSync(p).join(',') : ''}`;
  });
  const ours = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).sort();
  return [...facts, ...ours(root).map((f) => `${f}: ${lstatSync(path.join(root, f)).mtimeMs}`)].join('\n');
}

beforeAll(async () => {
  root = makeTempDir('xenith-hostile-ipc-');
  for (const d of ['etc/xen/auto', 'images', 'save']) mkdirSync(path.join(root, d), { recursive: true });
  writeFileSync(path.join(root, 'etc/xen/web.cfg'), WEB_CFG);
  const bin = makeTempDir('xenith-hostile-ipc-bin-');
  log = path.join(makeTempDir('xenith-hostile-ipc-log-'), 'argv.log');
  writeFileSync(log, '');
  for (const p of ['xl', 'xentop', 'xenstore-read', 'xenstore-ls', 'xenstore-list', 'qemu-img', 'brctl']) writeScript(bin, p, `#!/bin/sh\necho "${p} $*" >> ${log}\n`);
  writeScript(bin, 'ip', `#!/bin/sh\necho "ip $*" >> ${log}\necho "3: xenbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000"\n`);
  const runner = createLocalRunner({ binDir: bin });
  const paths = { configDir: path.join(root, 'etc/xen'), autoDir: path.join(root, 'etc/xen/auto'), imageDir: path.join(root, 'images') };
  const api = createXenApi(runner, { configDir: paths.configDir, autoDir: paths.autoDir, imageDirs: [paths.imageDir] });
  const hub = new EventHub();
  const stats = createStatsService(runner);
  const history = await openHistoryStore(makeTempDir('xenith-hostile-ipc-history-'));
  const closers: (() => Promise<void> | void)[] = [];
  const services: Services = {
    runner, api, stats, history, hub, paths, choice: { kind: 'local', reason: 'test' } as Services['choice'], dataDir: path.join(root, 'data'),
    status: () => ({ kind: 'local', label: 'test', connection: 'connected' as const, healthy: true, message: 'ok' }), reportHealth: () => undefined, reportFailure: () => undefined, notifyChanged: () => undefined,
    clientOrigins: new Set(), detachConsole: () => undefined, onClose: (fn) => closers.push(fn), transfers: new TransferEnds(), fileDialogs: null,
    // The task log follows every call, hostile ones included; it lives outside `root`, which the snapshot compares.
    tasks: await openTaskRecorder(makeTempDir('xenith-hostile-ipc-tasks-'), () => undefined, () => 'test'),
  };
  registry = new HandlerRegistry();
  registerHandlers(registry, services);
  registry.observe(services.tasks);
  close = async () => {
    stats.stop();
    for (const fn of closers.reverse()) await fn();
    await history.close();
  };
});

afterAll(async () => {
  await close();
});

describe('the IPC surface', () => {
  it('has a handler for every contract channel, and a contract channel for every handler', () => {
    expect(registry.missing()).toEqual([]);
    expect(registry.extra()).toEqual([]);
  });
});

describe('the IPC surface under attack', () => {
  it('refuses every hostile name, path, device, MAC, bridge, size and config text, naming the field; nothing reaches a program', async () => {
    const before = snapshot();
    const all = sites();
    let sent = 0;
    const wrong: string[] = [];
    for (const site of all) {
      for (const v of site.values) {
        const args = set(site.args, site.at, v);
        const r = (await registry.invoke(site.channel, args, { clientId: 'attacker' })) as IpcResponse<unknown>;
        sent++;
        const f = r.ok ? undefined : r.error.detail?.['field'];
        const field = typeof f === 'string' ? f : undefined;
        const named = site.field === '' ? field !== undefined && field !== '' : field === site.field || (field?.startsWith(`${site.field}.`) ?? false);
        if (r.ok || r.error.code !== 'INVALID_ARG' || !named) wrong.push(`${site.channel} ${JSON.stringify(site.at)}=${JSON.stringify(v)?.slice(0, 60)} -> ${JSON.stringify(r).slice(0, 200)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(1500);
    // The only commands run: reading the host's bridges and the domain's current config, never with a hostile value.
    const ran = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect([...new Set(ran)].filter((l) => l !== 'ip -o link show type bridge')).toEqual([]);
    expect(snapshot()).toBe(before);
    expect(readFileSync(path.join(root, 'etc/xen/web.cfg'), 'utf8')).toBe(WEB_CFG);
    console.log(`hostile IPC: ${sent} values over ${new Set(all.map((s) => s.channel)).size} channels, all refused`);
  });

  it('still serves a good request through the same handlers, so the refusals are not a surface that refuses everything', async () => {
    const r = (await registry.invoke('domain:configGet', { name: 'web' }, { clientId: 'friend' })) as IpcResponse<{ text: string }>;
    expect(r).toMatchObject({ ok: true, value: { text: WEB_CFG } });
    const s = (await registry.invoke('domain:setMemory', { name: 'web', targetMiB: 300, apply: 'config' }, { clientId: 'friend' })) as IpcResponse<unknown>;
    expect(s.ok).toBe(true);
    expect(readFileSync(path.join(root, 'etc/xen/web.cfg'), 'utf8')).toMatch(/^memory = 300$/m);
  });
});
