import { mkdtemp, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WizardPlan } from '../../../src/shared/wizard-plan';
import { XenError } from '../../../src/xen/errors';
import { parseXlConfig } from '../../../src/xen/config/xl-config';
import { configFromXl } from '../../../src/xen/config/render';
import { createXenApi } from '../../../src/xen/ops/api';
import type { Runner, RunResult } from '../../../src/xen/runner/types';
import { buildCommand } from '../../../src/xen/commands/build';
import { createDemoRunner, type DemoRunner } from '../../../src/xen/sim/index';
import { createFromPlan, type PhaseReport } from '../../../src/xen/wizard/create';
import type { WizardDeps } from '../../../src/xen/wizard/deps';
import { uniqueMac, wizardOptions } from '../../../src/xen/wizard/options';
import { planToConfig } from '../../../src/xen/wizard/plan-config';
import { previewPlan } from '../../../src/xen/wizard/preview';

const paths = { configDir: '/etc/xen', autoDir: '/etc/xen/auto', imageDir: '/var/lib/xen/images' };

let stateDir: string;
let demo: DemoRunner;
/** Where host path P lives on this machine. */
const local = (p: string): string => join(stateDir, 'root', p);

/** Deps over `runner` (the demo host, or a wrapper around it that fails on purpose). */
function depsOver(runner: Runner): WizardDeps {
  return { api: createXenApi(runner, { ...paths, pollIntervalMs: 20 }), runner, paths };
}

/** The demo runner with `run` replaced for some commands. */
function wrapRun(inner: Runner, hook: (program: string, args: readonly string[], passOn: () => Promise<RunResult>) => Promise<RunResult> | null): Runner {
  return {
    kind: inner.kind,
    label: inner.label,
    fs: inner.fs,
    run: (op, args, o) => {
      // The hook sees the argv the command table builds, as xl would.
      const c = buildCommand(op, args);
      return hook(c.program, c.argv, () => inner.run(op, args, o)) ?? inner.run(op, args, o);
    },
    stream: (p, a) => inner.stream(p, a),
    pty: (p, a, s) => inner.pty(p, a, s),
    close: () => inner.close(),
  };
}

async function put(hostPath: string, content: string | Buffer): Promise<void> {
  await mkdir(join(local(hostPath), '..'), { recursive: true });
  await writeFile(local(hostPath), content);
}

async function exists(hostPath: string): Promise<boolean> {
  return (await demo.fs.stat(hostPath)) !== null;
}

function pvPlan(over: Partial<WizardPlan> = {}): WizardPlan {
  return {
    type: 'pv',
    method: 'kernel',
    preset: 'debian',
    name: 'wiz1',
    memoryMiB: 256,
    maxMemMiB: 512,
    vcpus: 1,
    maxVcpus: 2,
    kernel: '/var/lib/xen/boot/vmlinuz',
    ramdisk: '/var/lib/xen/boot/initrd.gz',
    cmdline: 'console=hvc0 root=/dev/xvda',
    disks: [{ mode: 'new', path: '/var/lib/xen/images/wiz1.img', sizeGiB: 2, format: 'raw', vdev: 'xvda' }],
    nics: [{ bridge: 'xenbr0', mac: '00:16:3e:71:72:73' }],
    vnc: false,
    startNow: true,
    autostart: false,
    openConsole: false,
    customise: false,
    dryRun: true,
    ...over,
  };
}

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'xenith-wizard-'));
  demo = createDemoRunner({ stateDir, speed: 50 });
  await put('/var/lib/xen/boot/vmlinuz', 'kernel');
  await put('/var/lib/xen/boot/initrd.gz', 'initrd');
  await put('/var/lib/xen/iso/debian.iso', 'iso');
});

afterEach(async () => {
  await demo.close();
  await rm(stateDir, { recursive: true, force: true });
});

describe('wizard:options', () => {
  it('reports guest types, bridges, host figures, presets, used names and MACs and a fresh MAC', async () => {
    const d = depsOver(demo);
    const o = await wizardOptions(d);
    expect(o.guestTypes.map((t) => [t.type, t.available])).toEqual([['hvm', true], ['pv', true], ['pvh', true]]);
    expect(o.bridges).toEqual(['xenbr0', 'xenbr1']);
    expect(o.hostCpus).toBe(8);
    expect(o.freeMemMiB).toBeGreaterThan(0);
    // The demo host has qemu-img 7.2, as the test host does, so qcow2 is offered.
    expect(o.qemuImg).toBe(true);
    expect(o.imageDir).toBe('/var/lib/xen/images');
    expect(o.configDir).toBe('/etc/xen');
    expect(o.presets.find((p) => p.id === 'windows')).toMatchObject({ viridian: true });
    // Every seeded domain's name and every MAC of its config (running or not) is taken.
    const domains = await d.api.listDomains();
    for (const dom of domains) expect(o.usedNames).toContain(dom.name);
    const cfgText = await readFile(local(domains.find((x) => !x.isDom0 && x.configPath)?.configPath ?? '/none'), 'utf8');
    const mac = /mac=([0-9a-f:]{17})/.exec(cfgText)?.[1];
    expect(mac).toBeDefined();
    expect(o.usedMacs).toContain(mac);
    expect(o.suggestedMac).toMatch(/^00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2}$/);
    expect(o.usedMacs).not.toContain(o.suggestedMac);
  });

  it('takes MACs of running domains that have no config file', async () => {
    const d = depsOver(demo);
    const running = (await d.api.listDomains()).find((x) => !x.isDom0 && x.domid !== null && x.configPath);
    expect(running).toBeDefined();
    const cfgPath = running?.configPath ?? '';
    const mac = /mac=([0-9a-f:]{17})/.exec(await readFile(local(cfgPath), 'utf8'))?.[1] ?? '';
    await demo.fs.remove(cfgPath);
    const o = await wizardOptions(d);
    expect(o.usedMacs).toContain(mac);
    expect(o.usedNames).toContain(running?.name);
  });

  it('never suggests a used MAC', () => {
    let n = 0;
    // The first two draws collide with used MACs; the third is free.
    const rand = (): Uint8Array => new Uint8Array([n, n++, 1]);
    expect(uniqueMac(['00:16:3e:00:00:01', '00:16:3E:01:01:01'], rand)).toBe('00:16:3e:02:02:01');
  });
});

describe('wizard:preview', () => {
  it('renders the exact config for a PV direct-kernel plan', async () => {
    const p = await previewPlan(depsOver(demo), pvPlan());
    expect(p.problems).toEqual([]);
    expect(p.ok).toBe(true);
    expect(p.configPath).toBe('/etc/xen/wiz1.cfg');
    expect(p.text).toBe(
      [
        '# Written by Xenith',
        'name = "wiz1"',
        'type = "pv"',
        'memory = 256',
        'maxmem = 512',
        'vcpus = 1',
        'maxvcpus = 2',
        'kernel = "/var/lib/xen/boot/vmlinuz"',
        'ramdisk = "/var/lib/xen/boot/initrd.gz"',
        'cmdline = "console=hvc0 root=/dev/xvda"',
        'disk = [ "/var/lib/xen/images/wiz1.img,raw,xvda,rw" ]',
        'vif = [ "mac=00:16:3e:71:72:73,bridge=xenbr0" ]',
        'on_poweroff = "destroy"',
        'on_reboot = "restart"',
        'on_crash = "destroy"',
        '',
      ].join('\n'),
    );
  });

  it('maps an HVM ISO plan onto a CD drive, boot order, serial, VNC with a tablet and viridian for Windows', () => {
    const cfg = planToConfig(
      pvPlan({ type: 'hvm', method: 'iso', preset: 'windows', iso: '/var/lib/xen/iso/win.iso', kernel: undefined, ramdisk: undefined, cmdline: undefined, vnc: true, nics: [{ bridge: 'xenbr1', mac: '00:16:3e:00:00:09', model: 'e1000' }] }),
    );
    expect(cfg.disks[1]).toEqual({ target: '/var/lib/xen/iso/win.iso', format: 'raw', vdev: 'hdc', access: 'ro', devtype: 'cdrom' });
    expect(cfg).toMatchObject({ boot: 'dc', serial: 'pty', vnc: true, usb: true, usbdevice: ['tablet'], viridian: true });
    expect(cfg.vifs).toEqual([{ mac: '00:16:3e:00:00:09', bridge: 'xenbr1', model: 'e1000' }]);
    expect(cfg.kernel).toBeUndefined();
  });

  it('refuses an existing file as the new image, naming Disk 1 path', async () => {
    await put('/var/lib/xen/images/wiz1.img', 'precious');
    const p = await previewPlan(depsOver(demo), pvPlan());
    expect(p.ok).toBe(false);
    expect(p.problems).toContainEqual({ field: 'disks[0].path', message: 'Disk 1 path /var/lib/xen/images/wiz1.img already exists; the wizard never overwrites a file (choose another name)' });
  });

  it('refuses missing sources and images, a missing directory, a taken name and an absurd size', async () => {
    const seeded = (await demo.fs.list('/etc/xen')).find((f) => f.endsWith('.cfg'))?.slice(0, -4) ?? '';
    const p = await previewPlan(
      depsOver(demo),
      pvPlan({
        name: seeded,
        kernel: '/var/lib/xen/boot/nope',
        disks: [
          { mode: 'existing', path: '/var/lib/xen/images/missing.img', format: 'raw', vdev: 'xvda' },
          { mode: 'new', path: '/nowhere/x.img', sizeGiB: 1, format: 'raw', vdev: 'xvdb' },
          { mode: 'new', path: '/var/lib/xen/images/huge.img', sizeGiB: 16384, format: 'raw', vdev: 'xvdc' },
        ],
      }),
    );
    const by = Object.fromEntries(p.problems.map((x) => [x.field, x.message]));
    expect(by['name']).toBe(`Name "${seeded}" is already used by another domain`);
    expect(by['kernel']).toBe('Kernel /var/lib/xen/boot/nope does not exist');
    expect(by['disks[0].path']).toBe('Disk 1 path /var/lib/xen/images/missing.img does not exist');
    expect(by['disks[1].path']).toBe('Disk 2 path must be directly in /var/lib/xen/images or /var/lib/xen/isos (a storage pool), where Xenith creates images');
    expect(by['disks[2].sizeGiB']).toMatch(/^Disk 3 size needs 16384\.0 GiB in \/var\/lib\/xen\/images, which has [0-9.]+ GiB free$/);
  });

  it('refuses a MAC a seeded domain uses and warns about memory overcommit', async () => {
    const o = await wizardOptions(depsOver(demo));
    const taken = o.usedMacs[0] ?? '';
    const p = await previewPlan(depsOver(demo), pvPlan({ memoryMiB: 1024 * 1024, maxMemMiB: 1024 * 1024, nics: [{ bridge: 'xenbr0', mac: taken }] }));
    expect(p.problems).toContainEqual({ field: 'nics[0].mac', message: `Network interface 1 MAC address ${taken} is already used by another domain` });
    expect(p.warnings.join(' ')).toMatch(/^Memory: 1048576 MiB is more than the host's \d+ MiB free/);
  });

  it('refuses an existing disk another domain uses, naming it, and lets an ISO be shared read-only', async () => {
    const iso = '/var/lib/xen/iso/debian-12.7.0-amd64-netinst.iso';
    const p = await previewPlan(
      depsOver(demo),
      pvPlan({
        disks: [
          { mode: 'existing', path: '/var/lib/xen/images/mail01.img', format: 'raw', vdev: 'xvda' },
          { mode: 'existing', path: '/var/lib/xen/images/test-pvh.img', format: 'raw', vdev: 'xvdb' },
        ],
      }),
    );
    const by = Object.fromEntries(p.problems.map((x) => [x.field, x.message]));
    expect(by['disks[0].path']).toMatch(/^Disk 1 path \/var\/lib\/xen\/images\/mail01\.img is used read-write by running domain mail01 as xvda;/);
    expect(by['disks[1].path']).toMatch(/is used read-write by domain test-pvh \(in its config\)/);
    expect(p.ok).toBe(false);
    // The installer ISO win-desktop reads is fine to read here too.
    const hvm = await previewPlan(depsOver(demo), pvPlan({ type: 'hvm', method: 'iso', iso, kernel: undefined, ramdisk: undefined, cmdline: undefined, vnc: true }));
    expect(hvm.problems.filter((x) => x.field === 'iso')).toEqual([]);
  });

  it('refuses a bridge the host does not have', async () => {
    const p = await previewPlan(depsOver(demo), pvPlan({ nics: [{ bridge: 'xenbr0', mac: '00:16:3e:71:72:73' }, { bridge: 'br-nope', mac: '00:16:3e:71:72:74' }] }));
    expect(p.problems).toContainEqual({ field: 'nics[1].bridge', message: 'Network interface 2 bridge br-nope is not a bridge on this host (it has xenbr0, xenbr1)' });
    expect(p.problems.some((x) => x.field === 'nics[0].bridge')).toBe(false);
  });

  it('creates nothing when a disk is in use: the refusal comes before any file is made', async () => {
    const plan = pvPlan({ disks: [{ mode: 'new', path: '/var/lib/xen/images/wiz1.img', sizeGiB: 1, format: 'raw', vdev: 'xvda' }, { mode: 'existing', path: '/var/lib/xen/images/mail01.img', format: 'raw', vdev: 'xvdb' }] });
    const err = await createFromPlan(depsOver(demo), plan).then(
      () => null,
      (e: unknown) => e as XenError,
    );
    expect(err?.detail).toMatchObject({ phase: 'validate', field: 'disks[1].path', removed: [] });
    expect(await exists('/var/lib/xen/images/wiz1.img')).toBe(false);
    expect(await exists('/etc/xen/wiz1.cfg')).toBe(false);
  });
});

describe('wizard:create', () => {
  it('creates the image, writes the previewed config, checks it and starts the domain, reporting each phase', async () => {
    const d = depsOver(demo);
    const preview = await previewPlan(d, pvPlan());
    const seen: PhaseReport[] = [];
    const r = await createFromPlan(d, pvPlan(), (p) => seen.push(p));
    expect(r).toEqual({ name: 'wiz1', configPath: '/etc/xen/wiz1.cfg', created: ['/var/lib/xen/images/wiz1.img', '/etc/xen/wiz1.cfg'], started: true });
    expect(seen.map((p) => `${p.phase}:${p.state}`)).toEqual([
      'validate:running', 'validate:done', 'disks:running', 'disks:done', 'config:running', 'config:done', 'check:running', 'check:done', 'start:running', 'start:done',
    ]);
    expect(await readFile(local('/etc/xen/wiz1.cfg'), 'utf8')).toBe(preview.text);
    expect((await demo.fs.stat('/var/lib/xen/images/wiz1.img'))?.size).toBe(2 * 1024 ** 3);
    const dom = (await d.api.listDomains()).find((x) => x.name === 'wiz1');
    expect(dom?.domid).not.toBeNull();
    // Read back: the config parses to what was planned.
    const back = configFromXl(parseXlConfig(await readFile(local('/etc/xen/wiz1.cfg'), 'utf8')).toObject() as Record<string, unknown>);
    expect(back).toMatchObject({ name: 'wiz1', type: 'pv', memory: 256, maxmem: 512, vcpus: 1, maxvcpus: 2, kernel: '/var/lib/xen/boot/vmlinuz', cmdline: 'console=hvc0 root=/dev/xvda' });
    expect(back.vifs[0]?.mac).toBe('00:16:3e:71:72:73');
  });

  it('makes the default image directory stock Debian lacks, saying so in the review first', async () => {
    await rename(local('/var/lib/xen/images'), local('/var/lib/xen/images-seeded'));
    const d = depsOver(demo);
    const preview = await previewPlan(d, pvPlan());
    expect(preview.problems).toEqual([]);
    expect(preview.warnings).toContain('Storage: /var/lib/xen/images does not exist yet; Xenith creates it for the new disk images.');
    const r = await createFromPlan(d, pvPlan());
    expect(r.created).toEqual(['/var/lib/xen/images/wiz1.img', '/etc/xen/wiz1.cfg']);
    expect((await demo.fs.stat('/var/lib/xen/images'))?.isDirectory).toBe(true);
    // Any other pool's missing directory is still refused by name.
    await rm(local('/var/lib/xen/isos'), { recursive: true });
    const other = await previewPlan(d, pvPlan({ name: 'wiz2', disks: [{ mode: 'new', path: '/var/lib/xen/isos/wiz2.img', sizeGiB: 1, format: 'raw', vdev: 'xvda' }] }));
    expect(other.problems).toContainEqual({ field: 'disks[0].path', message: 'Disk 1 path is in /var/lib/xen/isos, which is not an existing directory' });
  });

  it('customise before start writes the config and autostart link but does not start', async () => {
    const d = depsOver(demo);
    const r = await createFromPlan(d, pvPlan({ customise: true, autostart: true }));
    expect(r.started).toBe(false);
    expect(r.created).toEqual(['/var/lib/xen/images/wiz1.img', '/etc/xen/wiz1.cfg', '/etc/xen/auto/wiz1.cfg']);
    expect(await demo.fs.readlink('/etc/xen/auto/wiz1.cfg')).toBe('/etc/xen/wiz1.cfg');
    expect((await d.api.listDomains()).find((x) => x.name === 'wiz1')?.state).toBe('stopped');
  });

  it('a failure at xl create shows xl\'s error, removes exactly what it made and leaves a pre-existing image untouched', async () => {
    const precious = randomBytes(64 * 1024);
    await put('/var/lib/xen/images/data.img', precious);
    // An unrelated file in the same directory, and a config of another domain: neither may be touched.
    await put('/var/lib/xen/images/other.img', 'other');
    const stderr = 'Parsing config from /etc/xen/wiz1.cfg\nlibxl: error: libxl_create.c:1720:domcreate_rebuild_done: Domain 9:cannot (re-)build domain: -3\n';
    const failing = wrapRun(demo, (program, args) =>
      program === 'xl' && args[0] === 'create' && !args.includes('-n')
        ? Promise.reject(new XenError('XL_FAILED', 'libxl: error: cannot (re-)build domain: -3', { argv: ['xl', ...args], exitCode: 3, stderr }))
        : null,
    );
    const d = depsOver(failing);
    const plan = pvPlan({
      autostart: true,
      disks: [
        { mode: 'new', path: '/var/lib/xen/images/wiz1.img', sizeGiB: 1, format: 'raw', vdev: 'xvda' },
        { mode: 'existing', path: '/var/lib/xen/images/data.img', format: 'raw', vdev: 'xvdb' },
      ],
    });
    const seen: PhaseReport[] = [];
    const err = await createFromPlan(d, plan, (p) => seen.push(p)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(XenError);
    const xe = err as XenError;
    expect(xe.code).toBe('XL_FAILED');
    expect(xe.message).toBe('libxl: error: cannot (re-)build domain: -3');
    expect(xe.detail).toMatchObject({ stderr, exitCode: 3, phase: 'start', removed: ['/etc/xen/auto/wiz1.cfg', '/etc/xen/wiz1.cfg', '/var/lib/xen/images/wiz1.img'], left: [] });
    expect(seen.slice(-3).map((p) => `${p.phase}:${p.state}`)).toEqual(['start:failed', 'cleanup:running', 'cleanup:done']);
    expect(await exists('/var/lib/xen/images/wiz1.img')).toBe(false);
    expect(await exists('/etc/xen/wiz1.cfg')).toBe(false);
    expect(await exists('/etc/xen/auto/wiz1.cfg')).toBe(false);
    expect(await readFile(local('/var/lib/xen/images/data.img'))).toEqual(precious);
    expect(await readFile(local('/var/lib/xen/images/other.img'), 'utf8')).toBe('other');
  });

  it('makes a new disk as a logical volume in an LVM pool, and removes that volume when xl create fails', async () => {
    const lvPlan = (name: string, path: string, over: Partial<WizardPlan['disks'][number]> = {}): WizardPlan =>
      pvPlan({ name, disks: [{ mode: 'new', path, sizeGiB: 2, format: 'raw', vdev: 'xvda', ...over } as WizardPlan['disks'][number]] });
    const d = depsOver(demo);
    const refused = async (p: WizardPlan, field: string): Promise<string | undefined> => (await previewPlan(d, p)).problems.find((x) => x.field === field)?.message;
    expect(await refused(lvPlan('wiz-a', '/dev/vg0/scratch'), 'disks[0].path')).toBe('Disk 1 path /dev/vg0/scratch already exists; the wizard never overwrites a volume (choose another name)');
    expect(await refused(lvPlan('wiz-a', '/dev/rootvg/wiz-a'), 'disks[0].path')).toMatch(/^Disk 1 path must be \/dev\/VG\/NAME in an LVM storage pool \(vg0\)/);
    expect(await refused(lvPlan('wiz-a', '/dev/vg0/wiz-a', { format: 'qcow2' }), 'disks[0].format')).toBe('Disk 1 format is a logical volume, which holds raw data: choose raw');
    expect((await previewPlan(d, lvPlan('wiz-lv', '/dev/vg0/wiz-lv'))).problems).toEqual([]);
    const r = await createFromPlan(d, lvPlan('wiz-lv', '/dev/vg0/wiz-lv'));
    expect(r.created).toEqual(['/dev/vg0/wiz-lv', '/etc/xen/wiz-lv.cfg']);
    const vol = (await d.api.storageOverview()).volumes.find((v) => v.path === '/dev/vg0/wiz-lv');
    expect(vol).toMatchObject({ format: 'lv', virtualBytes: 2 * 1024 ** 3, users: [{ domain: 'wiz-lv', vdev: 'xvda', access: 'rw', running: true }] });
    const failing = wrapRun(demo, (program, args) =>
      program === 'xl' && args[0] === 'create' && !args.includes('-n') ? Promise.reject(new XenError('XL_FAILED', 'libxl: error: cannot (re-)build domain: -3', { argv: ['xl', ...args], exitCode: 3 })) : null,
    );
    const err = await createFromPlan(depsOver(failing), { ...lvPlan('wiz-lv2', '/dev/vg0/wiz-lv2'), nics: [{ bridge: 'xenbr0', mac: '00:16:3e:71:72:74' }] }).then(() => null, (e: unknown) => e as XenError);
    expect(err?.detail).toMatchObject({ phase: 'start', removed: ['/etc/xen/wiz-lv2.cfg', '/dev/vg0/wiz-lv2'], left: [] });
    expect((await d.api.storageOverview()).volumes.some((v) => v.path === '/dev/vg0/wiz-lv2')).toBe(false);
  });

  it('a config file appearing after the check is never overwritten, and the images made are removed', async () => {
    const racing: Runner = {
      ...demo,
      fs: {
        ...demo.fs,
        writeFileExclusive: async (p, text) => {
          if (p === '/etc/xen/wiz1.cfg') await put(p, 'name = "someone-else"\n');
          return demo.fs.writeFileExclusive(p, text);
        },
      },
    };
    const err = await createFromPlan(depsOver(racing), pvPlan()).then(
      () => null,
      (e: unknown) => e as XenError,
    );
    expect(err?.code).toBe('EXISTS');
    expect(err?.detail['phase']).toBe('config');
    expect(await readFile(local('/etc/xen/wiz1.cfg'), 'utf8')).toBe('name = "someone-else"\n');
    expect(await exists('/var/lib/xen/images/wiz1.img')).toBe(false);
  });

  it('refuses an invalid plan before touching anything', async () => {
    await put('/var/lib/xen/images/wiz1.img', 'precious');
    const err = await createFromPlan(depsOver(demo), pvPlan()).then(
      () => null,
      (e: unknown) => e as XenError,
    );
    expect(err?.code).toBe('INVALID_ARG');
    expect(err?.detail['field']).toBe('disks[0].path');
    expect(await readFile(local('/var/lib/xen/images/wiz1.img'), 'utf8')).toBe('precious');
    expect(await exists('/etc/xen/wiz1.cfg')).toBe(false);
  });

  it('makes qcow2 images with qemu-img on a file it claimed first, and removes it when qemu-img fails', async () => {
    const calls: string[][] = [];
    const withQemu = wrapRun(demo, (program, args) => {
      if (program !== 'qemu-img') return null;
      calls.push([...args]);
      if (args[0] === '--version') return Promise.resolve({ stdout: 'qemu-img version 7.2.0\n', stderr: '', exitCode: 0 });
      return Promise.reject(new XenError('XL_FAILED', 'qemu-img: Could not create: No space left on device', { exitCode: 1, stderr: 'qemu-img: No space left on device\n' }));
    });
    const plan = pvPlan({ disks: [{ mode: 'new', path: '/var/lib/xen/images/wiz1.qcow2', sizeGiB: 1.5, format: 'qcow2', vdev: 'xvda' }] });
    const err = await createFromPlan(depsOver(withQemu), plan).then(
      () => null,
      (e: unknown) => e as XenError,
    );
    expect(calls).toContainEqual(['create', '-q', '-f', 'qcow2', '--', '/var/lib/xen/images/wiz1.qcow2', String(1.5 * 1024 ** 3)]);
    expect(err?.message).toBe('qemu-img: Could not create: No space left on device');
    expect(err?.detail).toMatchObject({ phase: 'disks', removed: ['/var/lib/xen/images/wiz1.qcow2'] });
    expect(await exists('/var/lib/xen/images/wiz1.qcow2')).toBe(false);
    expect(await exists('/etc/xen/wiz1.cfg')).toBe(false);
  });
});

describe('guest types the host cannot run', () => {
  it('are offered disabled with the reason from virt_caps', async () => {
    const pvOnly = wrapRun(demo, (program, args, passOn) =>
      program === 'xl' && args[0] === 'info'
        ? passOn().then((r) => ({ ...r, stdout: r.stdout.replace(/^virt_caps\s*:.*$/m, 'virt_caps              : pv gnttab-v1 gnttab-v2') }))
        : null,
    );
    const o = await wizardOptions(depsOver(pvOnly));
    expect(o.guestTypes).toEqual([
      { type: 'hvm', available: false, reason: 'HVM needs hardware virtualisation (virt_caps "hvm" with "hap" or "shadow").' },
      { type: 'pv', available: true, reason: expect.stringMatching(/^Paravirtualised/) as unknown as string },
      { type: 'pvh', available: false, reason: 'PVH needs hardware virtualisation (virt_caps "hvm" with "hap" or "shadow").' },
    ]);
  });
});

describe('the wizard IPC handlers', () => {
  it('send job:progress to the calling client only, and refetch the domain list after create', async () => {
    const { HandlerRegistry } = await import('../../../src/main/gateway/registry');
    const { EventHub } = await import('../../../src/main/gateway/events');
    const { registerWizardHandlers } = await import('../../../src/main/ipc/wizard');
    const hub = new EventHub();
    const got: Record<string, string[]> = { a: [], b: [] };
    hub.addClient('a', (event, payload) => got['a']?.push(`${event}:${JSON.stringify(payload)}`));
    hub.addClient('b', (event, payload) => got['b']?.push(`${event}:${JSON.stringify(payload)}`));
    const changed: string[] = [];
    const d = depsOver(demo);
    const services = { api: d.api, runner: demo, paths, hub, notifyChanged: (c: { reason: string }) => changed.push(c.reason) } as unknown as Parameters<typeof registerWizardHandlers>[1];
    const r = new HandlerRegistry();
    registerWizardHandlers(r, services);
    const res = await r.invoke('wizard:create', { plan: pvPlan(), jobId: 'job-abcdef12' }, { clientId: 'a' });
    expect(res).toMatchObject({ ok: true, value: { name: 'wiz1', started: true } });
    expect(got['b']).toEqual([]);
    expect(got['a']?.[0]).toBe('job:progress:{"jobId":"job-abcdef12","phase":"validate","state":"running","message":"Checking the plan against the host…"}');
    expect(got['a']?.at(-1)).toMatch(/^job:progress:\{"jobId":"job-abcdef12","phase":"start","state":"done"/);
    expect(changed).toEqual(['wizard']);
    // A hostile plan never reaches the handler: the gateway refuses it and names the field.
    const bad = await r.invoke('wizard:preview', { plan: { ...pvPlan(), cmdline: 'x"\nbootloader="/bin/sh' } }, { clientId: 'a' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARG', detail: { field: 'plan.cmdline' } } });
    // A failure comes back coded, with xl's detail and what was removed.
    const again = await r.invoke('wizard:create', { plan: pvPlan({ nics: [] }), jobId: 'job-abcdef13' }, { clientId: 'a' });
    expect(again).toMatchObject({ ok: false, error: { code: 'INVALID_ARG' } });
  });
});

describe('an xl create that times out', () => {
  it('keeps the files when the domain exists after all (its disks are in use)', async () => {
    const slow = wrapRun(demo, (program, args, passOn) =>
      program === 'xl' && args[0] === 'create' && !args.includes('-n')
        ? passOn().then(() => Promise.reject(new XenError('TIMEOUT', 'xl timed out after 180000 ms', { argv: ['xl', ...args] })))
        : null,
    );
    const err = await createFromPlan(depsOver(slow), pvPlan()).then(
      () => null,
      (e: unknown) => e as XenError,
    );
    expect(err?.code).toBe('TIMEOUT');
    expect(err?.detail).toMatchObject({ phase: 'start', removed: [] });
    expect(await exists('/var/lib/xen/images/wiz1.img')).toBe(true);
    expect(await exists('/etc/xen/wiz1.cfg')).toBe(true);
  });

  it('keeps the files and says what to check when xl list cannot tell either (outcome unknown)', async () => {
    const messages: string[] = [];
    const slow = wrapRun(demo, (program, args) =>
      program === 'xl' && ((args[0] === 'create' && !args.includes('-n')) || (args[0] === 'list' && args[1] === 'wiz1'))
        ? Promise.reject(new XenError('TIMEOUT', `xl ${args[0]} timed out`, {}))
        : null,
    );
    const err = await createFromPlan(depsOver(slow), pvPlan(), (p) => messages.push(p.message)).then(
      () => null,
      (e: unknown) => e as XenError,
    );
    expect(err?.code).toBe('TIMEOUT');
    expect(err?.detail).toMatchObject({ phase: 'start', removed: [] });
    expect((err?.detail['left'] as { message: string }[]).map((l) => l.message)).toEqual([
      'kept: whether the domain exists is unknown',
      'kept: whether the domain exists is unknown',
    ]);
    expect(messages.at(-1)).toMatch(/could not tell whether wiz1 was created \(xl list timed out\), so its files are kept: .*Check with "xl list wiz1"/);
    expect(await exists('/var/lib/xen/images/wiz1.img')).toBe(true);
    expect(await exists('/etc/xen/wiz1.cfg')).toBe(true);
  });

  it('removes the files when the domain does not exist', async () => {
    const slow = wrapRun(demo, (program, args) =>
      program === 'xl' && args[0] === 'create' && !args.includes('-n') ? Promise.reject(new XenError('TIMEOUT', 'xl timed out', {})) : null,
    );
    const err = await createFromPlan(depsOver(slow), pvPlan()).then(
      () => null,
      (e: unknown) => e as XenError,
    );
    expect(err?.detail).toMatchObject({ phase: 'start', removed: ['/etc/xen/wiz1.cfg', '/var/lib/xen/images/wiz1.img'] });
    expect(await exists('/var/lib/xen/images/wiz1.img')).toBe(false);
  });
});
