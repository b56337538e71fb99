import { z } from 'zod';
import { bridgeProblem, domainNameProblem, plainNameProblem, rulePredicate } from './rules';
import { isValidVdev, vdevKey } from './disk-spec';
import { isUnicastMac, normaliseMac } from './vif-spec';
import { absPathProblem, findControlChar } from './validate-helpers';
import type { DomainConfig, XlValue } from './domain-config';

// The config model's schema: each option's rule and the rules that look at several options at once. Messages are
// predicates ("must be ..."); validateDomainConfig (domain-config.ts) puts the field's name in words in front.

/** Option names the model has a field for (`disk`/`vif` are the xl names of `disks`/`vifs`). */
export const KNOWN_XL_OPTIONS: readonly string[] = [
  'name', 'type', 'uuid', 'memory', 'maxmem', 'vcpus', 'maxvcpus', 'cpus', 'kernel', 'ramdisk', 'cmdline', 'extra',
  'root', 'bootloader', 'bootloader_args', 'firmware', 'boot', 'disk', 'vif', 'vnc', 'vnclisten', 'vncdisplay',
  'vncunused', 'vncpasswd', 'serial', 'usb', 'usbdevice', 'viridian', 'on_poweroff', 'on_reboot', 'on_crash',
  'nographic', 'vfb',
];

const MAX_MEMORY_MIB = 16 * 1024 * 1024; // 16 TiB: more than any host Xen runs on.
const MAX_VCPUS = 128; // HVM guests top out at 128 vCPUs; PV could go further but nobody needs it here.
const HVM_FIRMWARE = ['bios', 'uefi', 'seabios', 'rombios', 'ovmf'];
const PV_FIRMWARE = ['pvgrub32', 'pvgrub64'];
const ACTIONS = ['destroy', 'restart', 'rename-restart', 'preserve', 'coredump-destroy', 'coredump-restart', 'soft-reset'] as const;

// Messages are predicates ("must be ..."); validateDomainConfig puts the field's name in words in front of them.

/** Any text we write into the file: one line, no control characters. */
const text = (max = 1024) =>
  z
    .string({ error: 'must be text' })
    .max(max, `is longer than ${max} characters`)
    .refine((s) => findControlChar(s) === undefined, 'may not contain a newline, NUL or other control character');

const absPath = z.string({ error: 'must be text' }).superRefine((p, ctx) => {
  const problem = absPathProblem(p);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

const int = (min: number, max: number, unit = '') =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, min === 1 && unit === ' MiB' ? 'must be more than 0 MiB' : `must be at least ${min}${unit}`)
    .max(max, `must be at most ${max}${unit}`);

/** A domain's name in its config: the one name rule (rules.ts), and not the host domain's. */
const domainName = rulePredicate(domainNameProblem).refine((n) => n !== 'Domain-0', 'may not be "Domain-0", the name of the host domain');

/** A bridge or interface name (the one rule). */
const ifName = rulePredicate(bridgeProblem);

/** A hotplug script: a bare name looked up in Xen's script directory, or an absolute path. */
const scriptRef = z.string({ error: 'must be text' }).superRefine((s, ctx) => {
  if (plainNameProblem(s) === null) return;
  const problem = absPathProblem(s);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `must be a script name or an absolute path (it ${problem})` });
});

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const IP_LIST_RE = /^[0-9A-Fa-f.:/]+( [0-9A-Fa-f.:/]+)*$/;
const RATE_RE = /^[0-9]+(\.[0-9]+)?[GMK]?[Bb]\/s(@[0-9]+(us|ms|s)?)?$/;
const CPULIST_RE = /^(all|\^?(nodes?:)?[0-9]+(-[0-9]+)?)(,(all|\^?(nodes?:)?[0-9]+(-[0-9]+)?))*$/;
const HOST_RE = /^[A-Za-z0-9.:_-]{1,253}$/;

/** One disk of `disk = [...]`; the target is checked with the rest of the config (it depends on script and devtype). */
export const diskSpecSchema = z
  .object({
    target: text(4096),
    format: z.enum(['raw', 'qcow', 'qcow2', 'vhd', 'qed', 'empty'], { error: 'must be raw, qcow, qcow2, vhd, qed or empty' }),
    vdev: z.string({ error: 'must be text' }).refine(isValidVdev, 'must be a device name like xvda, hdc or sdb'),
    access: z.enum(['rw', 'ro'], { error: 'must be rw or ro' }),
    devtype: z.enum(['disk', 'cdrom'], { error: 'must be disk or cdrom' }).optional(),
    backend: domainName.optional(),
    backendtype: z.enum(['phy', 'tap', 'qdisk', 'standalone'], { error: 'must be phy, tap, qdisk or standalone' }).optional(),
    specification: z.enum(['xen', 'virtio'], { error: 'must be xen or virtio' }).optional(),
    script: scriptRef.optional(),
    directIoSafe: z.boolean().optional(),
    discard: z.boolean().optional(),
    trusted: z.boolean().optional(),
    grantUsage: z.boolean().optional(),
    colo: z.boolean().optional(),
    coloHost: z.string().regex(HOST_RE, 'must be a host name or address').optional(),
    coloPort: int(1, 65535).optional(),
    coloExport: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a plain export name').optional(),
    activeDisk: absPath.optional(),
    hiddenDisk: absPath.optional(),
  })
  .strict();

/** One network interface of `vif = [...]`. */
export const vifSpecSchema = z
  .object({
    mac: z
      .string({ error: 'must be text' })
      .refine((m) => normaliseMac(m) !== null, 'must be six hex pairs like 00:16:3e:12:34:56')
      .refine((m) => normaliseMac(m) === null || isUnicastMac(m), 'must be a unicast address (first byte even, not all zeros)')
      .optional(),
    bridge: ifName.optional(),
    model: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be a device model name like e1000, rtl8139 or virtio-net').optional(),
    type: z.enum(['ioemu', 'vif'], { error: 'must be ioemu or vif' }).optional(),
    vifname: ifName.optional(),
    script: scriptRef.optional(),
    ip: z.string().regex(IP_LIST_RE, 'must be IP addresses separated by single spaces').optional(),
    rate: z.string().regex(RATE_RE, 'must look like 10Mb/s, 250KB/s or 1MB/s@20ms').optional(),
    backend: domainName.optional(),
    gatewaydev: ifName.optional(),
    devid: int(0, 65535).optional(),
    mtu: int(68, 65535).optional(),
    trusted: z.boolean().optional(),
    other: z.record(z.string().regex(/^(vlan|forwarddev|accel|colo_[a-z0-9_]+)$/, 'is not a vif option'), text(256).refine((s) => !s.includes(','), 'may not contain ","')).optional(),
  })
  .strict();

const xlValueSchema: z.ZodType<XlValue> = z.lazy(() =>
  z.union([text(4096), z.number().int('must be a whole number').min(0, 'may not be negative').max(Number.MAX_SAFE_INTEGER), z.array(xlValueSchema).max(256, 'has too many items')], {
    error: 'must be text, a whole number or a list of them',
  }),
);

const stringOrList = (item: z.ZodType<string>) => z.union([item, z.array(item).max(64, 'has too many items')], { error: 'must be text or a list of text' });

/** Structure and per-field rules of a DomainConfig, plus the rules that tie fields together. */
export const domainConfigSchema = z
  .object(
    {
      name: domainName,
      type: z.enum(['pv', 'pvh', 'hvm'], { error: 'must be pv, pvh or hvm' }),
      uuid: z.string().regex(UUID_RE, 'must look like 01234567-89ab-cdef-0123-456789abcdef').optional(),
      memory: int(1, MAX_MEMORY_MIB, ' MiB'),
      maxmem: int(1, MAX_MEMORY_MIB, ' MiB').optional(),
      vcpus: int(1, MAX_VCPUS),
      maxvcpus: int(1, MAX_VCPUS).optional(),
      cpus: z.string().regex(CPULIST_RE, 'must be a CPU list like "all", "0-3,^1" or "nodes:0"').optional(),
      kernel: absPath.optional(),
      ramdisk: absPath.optional(),
      cmdline: text().optional(),
      extra: text().optional(),
      root: text(256).optional(),
      bootloader: scriptRef.optional(),
      bootloader_args: stringOrList(text(256)).optional(),
      firmware: z.string({ error: 'must be text' }).optional(),
      boot: z.string().regex(/^[acdn]{1,4}$/, 'must be letters from c (disk), d (cdrom), n (network), a (floppy)').optional(),
      disks: z.array(diskSpecSchema, { error: 'must be a list' }).max(64, 'has more than 64 disks'),
      vifs: z.array(vifSpecSchema, { error: 'must be a list' }).max(32, 'has more than 32 network interfaces'),
      vnc: z.boolean().optional(),
      vnclisten: z.string().regex(/^[A-Za-z0-9.:_-]{1,253}$/, 'must be an address such as 127.0.0.1 or 0.0.0.0').optional(),
      vncdisplay: int(0, 59635).optional(),
      vncunused: z.boolean().optional(),
      vncpasswd: text(64).optional(),
      serial: stringOrList(z.string().regex(/^[A-Za-z0-9_.:/,=@-]{1,256}$/, 'must be a qemu serial device such as pty')).optional(),
      usb: z.boolean().optional(),
      usbdevice: stringOrList(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be a USB device such as tablet or host:1234:5678')).optional(),
      viridian: z.union([z.boolean(), z.array(z.string().regex(/^!?[a-z_]{1,32}$/, 'must be a viridian group name'))], { error: 'must be on/off or a list of groups' }).optional(),
      on_poweroff: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }).optional(),
      on_reboot: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }).optional(),
      on_crash: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }).optional(),
      nographic: z.boolean().optional(),
      vfb: z.array(text(1024).refine((s) => !/["'\\]/.test(s), 'may not contain quotes or backslashes')).max(4).optional(),
      extraOptions: z.record(z.string(), xlValueSchema).optional(),
    },
    { error: 'must be an object with the domain\'s options' },
  )
  .strict()
  .superRefine((cfg, ctx) => {
    for (const p of crossFieldProblems(cfg as DomainConfig)) ctx.addIssue({ code: 'custom', message: p.message, path: p.path });
  });

interface PathProblem {
  path: (string | number)[];
  message: string;
}

type AddProblem = (path: (string | number)[], message: string) => void;

/** Rules that look at several fields at once (memory vs maxmem, type-specific options, duplicates). */
function crossFieldProblems(cfg: DomainConfig): PathProblem[] {
  const out: PathProblem[] = [];
  const add: AddProblem = (path, message) => {
    out.push({ path, message });
  };
  if (cfg.maxmem !== undefined && cfg.maxmem >= 1 && cfg.memory > cfg.maxmem) add(['memory'], `must not be more than the maximum memory (${cfg.maxmem} MiB)`);
  if (cfg.maxvcpus !== undefined && cfg.maxvcpus >= 1 && cfg.vcpus > cfg.maxvcpus) add(['vcpus'], `must not be more than the maximum vCPUs (${cfg.maxvcpus})`);

  const hvm = cfg.type === 'hvm';
  bootProblems(cfg, add);
  if (!hvm) {
    const hvmOnly: (keyof DomainConfig)[] = ['boot', 'vnc', 'vnclisten', 'vncdisplay', 'vncunused', 'vncpasswd', 'serial', 'usb', 'usbdevice', 'viridian', 'nographic'];
    for (const key of hvmOnly) {
      if (cfg[key] !== undefined) add([key], `only applies to HVM guests${key.startsWith('vnc') ? ' (PV and PVH guests use vfb)' : ''}`);
    }
  }

  // Zod only runs this once the shape is right, but stay safe if that ever changes.
  if (!Array.isArray(cfg.disks) || !Array.isArray(cfg.vifs)) return out;
  diskProblems(cfg.disks, hvm, add);
  vifProblems(cfg.vifs, hvm, add);

  for (const key of Object.keys(cfg.extraOptions ?? {})) {
    if (!/^[a-z][_0-9a-z]*$/.test(key)) add(['extraOptions', key], 'is not an xl option name (lower-case letters, digits and _)');
    else if (KNOWN_XL_OPTIONS.includes(key)) add(['extraOptions', key], `must be set through its own field, not as an extra option`);
  }
  return out;
}

/** How the guest boots: a kernel or bootloader where one is needed, options that go with a kernel, the firmware. */
function bootProblems(cfg: DomainConfig, add: AddProblem): void {
  const hvm = cfg.type === 'hvm';
  if (!hvm && cfg.kernel === undefined && cfg.bootloader === undefined && !(cfg.type === 'pv' && cfg.firmware !== undefined)) {
    add(['kernel'], `is required for a ${cfg.type.toUpperCase()} guest without a bootloader`);
  }
  if (cfg.ramdisk !== undefined && cfg.kernel === undefined) add(['ramdisk'], 'needs a kernel to go with it');
  if (cfg.cmdline !== undefined && cfg.extra !== undefined) add(['extra'], 'is ignored by xl when a kernel command line (cmdline) is set');
  if (cfg.cmdline !== undefined && cfg.root !== undefined) add(['root'], 'is ignored by xl when a kernel command line (cmdline) is set');
  if (cfg.firmware !== undefined) {
    const fw = cfg.firmware;
    if (hvm) {
      if (!HVM_FIRMWARE.includes(fw)) {
        const problem = absPathProblem(fw);
        if (problem !== null) add(['firmware'], `must be bios, uefi, seabios, rombios, ovmf or an absolute path (it ${problem})`);
      }
    } else if (cfg.type === 'pv') {
      if (!PV_FIRMWARE.includes(fw)) add(['firmware'], 'must be pvgrub32 or pvgrub64 for a PV guest');
    } else {
      add(['firmware'], 'is not available for PVH guests (use a kernel or a bootloader)');
    }
  }
}

/** Per disk, in order: a vdev no other disk uses (or emulates, in HVM), a target, and a format that fits the drive. */
function diskProblems(disks: DomainConfig['disks'], hvm: boolean, add: AddProblem): void {
  const vdevs = new Map<string, number>();
  disks.forEach((d, i) => {
    const key = vdevKey(d.vdev, hvm);
    const first = vdevs.get(key);
    if (first !== undefined) {
      const other = disks[first]?.vdev ?? '';
      add(['disks', i, 'vdev'], other === d.vdev ? `${d.vdev} is already used by disk ${first + 1}` : `${d.vdev} is the same emulated disk as ${other} (disk ${first + 1}) in an HVM guest`);
    } else vdevs.set(key, i);
    if (d.script !== undefined) {
      if (d.target === '') add(['disks', i, 'target'], 'is empty');
    } else if (!(d.target === '' && d.devtype === 'cdrom')) {
      const problem = absPathProblem(d.target);
      if (problem !== null) add(['disks', i, 'target'], problem);
    }
    if (d.devtype !== 'cdrom' && d.format === 'empty') add(['disks', i, 'format'], 'can only be empty for a CD drive');
  });
}

/** Network interfaces: no MAC used twice, and the emulated-NIC options only in an HVM guest. */
function vifProblems(vifs: DomainConfig['vifs'], hvm: boolean, add: AddProblem): void {
  const macs = new Map<string, number>();
  vifs.forEach((v, i) => {
    const mac = v.mac === undefined ? null : normaliseMac(v.mac);
    if (mac === null) return;
    const first = macs.get(mac);
    if (first !== undefined) add(['vifs', i, 'mac'], `${mac} is already used by network interface ${first + 1}`);
    else macs.set(mac, i);
  });
  if (!hvm) {
    vifs.forEach((v, i) => {
      if (v.model !== undefined) add(['vifs', i, 'model'], 'only applies to HVM guests');
      if (v.type !== undefined) add(['vifs', i, 'type'], 'only applies to HVM guests');
    });
  }
}
