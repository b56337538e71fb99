import type { OsPreset, WizardOptions } from '../../../shared/contract-types';
import type { DomainType } from '../../../shared/dto';
import { normaliseMac, randomXenMac } from '../../../shared/vif-spec';
import { checkPlan, nextDiskVdev, WIZARD_STEPS, type PlanProblem, type WizardMethod, type WizardStepId } from '../../../shared/wizard-plan';

/** One disk as the form holds it: a new image (directory + file name) or an existing path. */
export interface DiskDraft {
  key: number;
  mode: 'new' | 'existing';
  dir: string;
  file: string;
  /** The user typed a file name: stop deriving it from the domain name. */
  fileTouched: boolean;
  path: string;
  sizeGiB: string;
  format: 'raw' | 'qcow2' | 'vhd';
  vdev: string;
}

/** One NIC as the form holds it. */
export interface NicDraft {
  key: number;
  bridge: string;
  mac: string;
  model: '' | 'e1000' | 'rtl8139' | 'virtio-net';
}

/** The whole form: strings where a person types, so half-typed numbers survive until checked. */
export interface Draft {
  type: DomainType;
  method: WizardMethod;
  preset: OsPreset['id'];
  name: string;
  memoryMiB: string;
  maxMemMiB: string;
  vcpus: string;
  maxVcpus: string;
  iso: string;
  kernel: string;
  ramdisk: string;
  cmdline: string;
  disks: DiskDraft[];
  nics: NicDraft[];
  vnc: boolean;
  startNow: boolean;
  autostart: boolean;
  openConsole: boolean;
  customise: boolean;
  dryRun: boolean;
}

let nextKey = 1;
/** A key for a new list row (React keys; never sent). */
export function newKey(): number {
  return nextKey++;
}

/** The first install method each type offers. */
export const DEFAULT_METHOD: Record<DomainType, WizardMethod> = { hvm: 'iso', pv: 'kernel', pvh: 'kernel' };

/** A MAC no domain uses and no other NIC of the draft has. */
export function freshMac(opts: WizardOptions, nics: readonly NicDraft[]): string {
  const taken = new Set([...opts.usedMacs, ...nics.map((n) => normaliseMac(n.mac) ?? n.mac)]);
  if (!taken.has(opts.suggestedMac)) return opts.suggestedMac;
  for (let i = 0; i < 1000; i++) {
    const m = randomXenMac();
    if (!taken.has(m)) return m;
  }
  return randomXenMac();
}

/** A name like "debian-1" that no domain uses yet. */
export function suggestName(preset: string, used: readonly string[]): string {
  for (let i = 1; i < 10000; i++) {
    const n = `${preset}-${i}`;
    if (!used.includes(n)) return n;
  }
  return `${preset}-${Date.now()}`;
}

/** The default file name of new disk `i` of domain `name`. */
export function diskFileName(name: string, index: number, vdev: string, format: DiskDraft['format'], dir = ''): string {
  // A logical volume (/dev/VG/NAME) has no file extension.
  const ext = dir.startsWith('/dev/') ? '' : format === 'qcow2' ? '.qcow2' : '.img';
  return index === 0 ? `${name}${ext}` : `${name}-${vdev}${ext}`;
}

/** A new-image disk row for the draft. */
export function newDisk(d: Pick<Draft, 'name' | 'disks' | 'type' | 'method'>, dir: string, sizeGiB: number): DiskDraft {
  const vdev = nextDiskVdev(d.disks.map((x) => x.vdev), d.type === 'hvm' && d.method === 'iso');
  return { key: newKey(), mode: 'new', dir, file: diskFileName(d.name, d.disks.length, vdev, 'raw'), fileTouched: false, path: '', sizeGiB: String(sizeGiB), format: 'raw', vdev };
}

/** The starting draft: an HVM guest (or the first type the host runs), the "other" preset, one disk, one NIC. */
export function initialDraft(opts: WizardOptions): Draft {
  const type = (opts.guestTypes.find((t) => t.available)?.type ?? 'hvm') as DomainType;
  const preset = opts.presets.find((p) => p.id === 'debian') ?? opts.presets[0];
  const name = suggestName(preset?.id ?? 'vm', opts.usedNames);
  const base: Draft = {
    type,
    method: DEFAULT_METHOD[type],
    preset: preset?.id ?? 'other',
    name,
    memoryMiB: String(preset?.memoryMiB ?? 1024),
    maxMemMiB: String(preset?.memoryMiB ?? 1024),
    vcpus: String(Math.min(preset?.vcpus ?? 1, opts.hostCpus)),
    maxVcpus: String(Math.min(preset?.vcpus ?? 1, opts.hostCpus)),
    iso: '',
    kernel: '',
    ramdisk: '',
    cmdline: 'console=hvc0',
    disks: [],
    nics: [],
    vnc: true,
    startNow: true,
    autostart: false,
    openConsole: false,
    customise: false,
    dryRun: true,
  };
  base.disks = [newDisk(base, opts.imageDir, preset?.diskGiB ?? 10)];
  base.nics = [{ key: newKey(), bridge: opts.bridges[0] ?? 'xenbr0', mac: opts.suggestedMac, model: '' }];
  return base;
}

/** Applies an OS preset: memory, vCPUs (within the host's), the first new disk's size. */
export function applyPreset(d: Draft, p: OsPreset, hostCpus: number): Draft {
  const vcpus = String(Math.max(1, Math.min(p.vcpus, hostCpus)));
  return {
    ...d,
    preset: p.id,
    memoryMiB: String(p.memoryMiB),
    maxMemMiB: String(p.memoryMiB),
    vcpus,
    maxVcpus: vcpus,
    disks: d.disks.map((x, i) => (i === 0 && x.mode === 'new' ? { ...x, sizeGiB: String(p.diskGiB) } : x)),
  };
}

/** Keeps derived file names in step with the domain name and each disk's device and format. */
export function withDerivedFiles(d: Draft): Draft {
  return { ...d, disks: d.disks.map((x, i) => (x.mode === 'new' && !x.fileTouched ? { ...x, file: diskFileName(d.name, i, x.vdev, x.format, x.dir) } : x)) };
}

/** A typed number: '' and junk become NaN, which the plan schema refuses with the field's name. */
function num(s: string): number {
  return s.trim() === '' ? Number.NaN : Number(s);
}

function joinDir(dir: string, file: string): string {
  return dir.endsWith('/') ? `${dir}${file}` : `${dir}/${file}`;
}

/** The host path a disk row stands for. */
export function diskPath(x: DiskDraft): string {
  return x.mode === 'new' ? joinDir(x.dir, x.file) : x.path;
}

/** The plan the draft describes; only the fields its method uses (checkPlan refuses the rest). */
export function draftToPlan(d: Draft): unknown {
  const hvm = d.type === 'hvm';
  return {
    type: d.type,
    method: d.method,
    preset: d.preset,
    name: d.name.trim(),
    memoryMiB: num(d.memoryMiB),
    maxMemMiB: num(d.maxMemMiB),
    vcpus: num(d.vcpus),
    maxVcpus: num(d.maxVcpus),
    ...(d.method === 'iso' ? { iso: d.iso.trim() } : {}),
    ...(d.method === 'kernel' ? { kernel: d.kernel.trim() } : {}),
    ...(d.method === 'kernel' && d.ramdisk.trim() !== '' ? { ramdisk: d.ramdisk.trim() } : {}),
    ...(d.method === 'kernel' && d.cmdline.trim() !== '' ? { cmdline: d.cmdline.trim() } : {}),
    disks: d.disks.map((x) =>
      x.mode === 'new'
        ? { mode: 'new', path: diskPath(x), sizeGiB: num(x.sizeGiB), format: x.format === 'vhd' ? 'raw' : x.format, vdev: x.vdev }
        : { mode: 'existing', path: x.path.trim(), format: x.format, vdev: x.vdev },
    ),
    nics: d.nics.map((n) => ({ bridge: n.bridge.trim(), mac: n.mac.trim(), ...(hvm && n.model !== '' ? { model: n.model } : {}) })),
    vnc: hvm && d.vnc,
    startNow: d.startNow && !d.customise,
    autostart: d.autostart,
    openConsole: d.openConsole && d.startNow && !d.customise,
    customise: d.customise,
    dryRun: d.dryRun,
  };
}

/** The plan fields step `id` shows (the boot disk of pygrub/disk installs is chosen on the Source step). */
export function fieldOnStep(field: string, id: WizardStepId, d: Draft): boolean {
  const bootDiskOnSource = d.method === 'pygrub' || d.method === 'disk';
  if (bootDiskOnSource && /^disks(\[0\](\.|$)|$)/.test(field)) return id === 'source';
  const head = /^[A-Za-z]+/.exec(field)?.[0] ?? '';
  const step = WIZARD_STEPS.find((s) => (s.fields as readonly string[]).includes(head));
  return (step?.id ?? 'finish') === id;
}

/** Problems the draft has on step `id`, checked in the renderer with the shared rules (main checks them again). */
export function stepProblems(d: Draft, id: WizardStepId, opts: WizardOptions): PlanProblem[] {
  return checkPlan(draftToPlan(d), { usedNames: opts.usedNames, usedMacs: opts.usedMacs, hostCpus: opts.hostCpus, qemuImg: opts.qemuImg }).filter((p) => fieldOnStep(p.field, id, d));
}

/**
 * Fits the disk list to the install method: booting an existing disk (pygrub, HVM disk) makes disk 1 an existing
 * image; going back to a method that installs replaces an empty existing disk 1 with a new image again.
 */
export function adaptDisksToMethod(d: Draft, opts: WizardOptions): Draft {
  const first = d.disks[0];
  const bootsDisk = d.method === 'pygrub' || d.method === 'disk';
  if (bootsDisk && first?.mode !== 'existing') {
    const rest = first !== undefined && first.mode === 'new' && !first.fileTouched ? d.disks.slice(1) : d.disks;
    return { ...d, disks: [{ key: newKey(), mode: 'existing', dir: opts.imageDir, file: '', fileTouched: false, path: '', sizeGiB: '', format: 'raw', vdev: 'xvda' }, ...rest.map((x, i) => ({ ...x, vdev: i === 0 && x.vdev === 'xvda' ? 'xvdb' : x.vdev }))] };
  }
  if (!bootsDisk && first?.mode === 'existing' && first.path.trim() === '') {
    const rest = d.disks.slice(1);
    const preset = opts.presets.find((p) => p.id === d.preset);
    return withDerivedFiles({ ...d, disks: [{ ...newDisk({ ...d, disks: [] }, opts.imageDir, preset?.diskGiB ?? 10) }, ...rest] });
  }
  return d;
}

/** The value at a plan field such as "disks[1].path" (undefined when absent). */
export function valueAtField(plan: unknown, field: string): unknown {
  let cur = plan;
  for (const seg of field.split(/[.[\]]+/).filter((s) => s !== '')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}
