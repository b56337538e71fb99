import type { XlValue } from '../../shared/domain-config';
import { plainNameProblem } from '../../shared/rules';
import { parseDiskSpec, type DiskSpec } from '../../shared/disk-spec';
import { parseVifSpec } from '../../shared/vif-spec';
import { SpecSyntaxError } from '../../shared/validate-helpers';
import { isValidDomainName } from '../ops/validate';
import { XenError } from '../errors';
import { parseXlConfig, type XlStatement } from './xl-config';
import { formatXlValue } from './xl-format';

/**
 * What root may be made to do by a config Xenith writes or starts. Keys that make xl (as root) read, write or run
 * something are checked here as a whole, on the values xl would act on; the paths they name are returned for the
 * caller (the broker) to resolve against its policy on the host.
 */

/** One refusal: the config key, the rule it broke, and words for a person. */
export interface ConfigRefusal {
  field: string;
  rule: string;
  message: string;
}

/** A host path the config makes root open, and how. */
export interface ConfigFileUse {
  /** The key (and list index) that names it, e.g. `disk[1]`, `kernel`. */
  field: string;
  path: string;
  /** disk: a guest disk image or block device; boot: a kernel, ramdisk or firmware file root reads; share: a 9p share. */
  kind: 'disk' | 'boot' | 'share';
  access: 'rw' | 'ro';
  /** A disk's declared format: qemu, as root, opens what a qcow2 header names (a backing or data file). */
  format?: string;
}

/** A config checked as a whole: its canonical text, the values xl will act on, and the host files it names. */
export interface CheckedConfig {
  /** One `key = value` statement per line, no `+=`, no comments: exactly what was checked. */
  text: string;
  values: Record<string, XlValue>;
  files: ConfigFileUse[];
}

/** The part of the root policy that is about config values rather than directories. */
export interface ConfigRules {
  /** Bootloaders a config may name: absolute paths, or plain names xl looks up itself (pygrub). */
  bootloaders: readonly string[];
}

/** Keys that hand root a program, its arguments, raw host memory, I/O ports or host devices: never allowed. */
const REFUSED_KEYS: Readonly<Record<string, string>> = {
  device_model_override: 'names a program root would run',
  device_model_stubdomain_override: 'names a program root would run',
  device_model_args: 'passes arguments to the device model root runs',
  device_model_args_pv: 'passes arguments to the device model root runs',
  device_model_args_hvm: 'passes arguments to the device model root runs',
  stubdomain_kernel: 'names a kernel for the device-model domain',
  stubdomain_ramdisk: 'names a ramdisk for the device-model domain',
  stubdomain_cmdline: 'passes a command line to the device-model domain',
  bios_path_override: 'names a firmware file root would load',
  firmware_override: 'names a firmware file root would load',
  iomem: 'gives the guest raw host memory',
  ioports: 'gives the guest host I/O ports',
  irqs: 'gives the guest host interrupts',
  dtdev: 'gives the guest a host device-tree device',
  usbdev: 'gives the guest a host USB device',
  // pci = ["…,seize=1"] even takes the device from dom0's own driver (its disk controller, its NIC).
  pci: 'gives the guest a host PCI device',
  gfx_passthru: "gives the guest the host's graphics card",
  xauthority: 'names a file root would read',
};

/** Keys whose value is a host file root reads when the domain starts. */
const BOOT_FILE_KEYS = ['kernel', 'ramdisk', 'device_tree', 'acpi_firmware', 'smbios_firmware', 'pvshim_path'] as const;

/** The only consoles a config may ask for: a pty (what Xenith's console opens), a VGA console, or none. */
const SERIAL_OK = /^(pty|vc|null|none)$/;
/** pygrub's own options that only choose what to boot; --output* would make root write a file. */
const BOOTLOADER_ARG_OK = /^(-q|--quiet|--(entry|kernel|ramdisk|args)=[^\n]*)$/;
/** A hotplug script named the way xl looks it up in /etc/xen/scripts: a plain file name. */
const KEYMAP = /^[a-z]{2,3}(-[a-z]{2,3})?$/;

class Refusals {
  readonly list: ConfigRefusal[] = [];
  add(field: string, rule: string, message: string): void {
    this.list.push({ field, rule, message: `${field}: ${message}` });
  }
  throwIfAny(): void {
    const first = this.list[0];
    if (first === undefined) return;
    throw new XenError('INVALID_ARG', first.message, { field: first.field, rule: first.rule, refusals: this.list });
  }
}

const asList = (v: XlValue | undefined): XlValue[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Parses text as xl does; a syntax error becomes INVALID_ARG on `config` with xl's line and column. */
function parseValues(text: string): { statements: readonly XlStatement[]; values: Record<string, XlValue> } {
  try {
    const doc = parseXlConfig(text);
    return { statements: doc.statements(), values: doc.toObject() };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new XenError('INVALID_ARG', `config: ${msg}`, { field: 'config', rule: 'syntax' });
  }
}

/**
 * Refuses text whose statements are not one `key = value` per line: a second statement on a line (after `;`) or an
 * appending `+=`. xl honours both, so a reviewer reading the file line by line, or a check that looks at the first
 * statement of a line, could miss what xl acts on. Every config Xenith writes is held to this on every host.
 */
export function assertPlainStatements(text: string): void {
  const { statements } = parseValues(text);
  const r = new Refusals();
  const lines = new Set<number>();
  for (const s of statements) {
    if (s.op === '+=') r.add(s.key, 'no-append', `line ${s.line} appends with "+=": write the whole value with "="`);
    else if (lines.has(s.line)) r.add(s.key, 'one-per-line', `line ${s.line} holds a second statement: put each on its own line`);
    lines.add(s.line);
  }
  r.throwIfAny();
}

/** Renders values canonically: one `key = value` per line in first-appearance order. */
export function renderCanonical(values: Record<string, XlValue>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} = ${formatXlValue(v, { field: k })}\n`)
    .join('');
}

function checkBootloader(values: Record<string, XlValue>, rules: ConfigRules, r: Refusals): void {
  const bl = values['bootloader'];
  if (bl !== undefined && (typeof bl !== 'string' || !rules.bootloaders.includes(bl))) {
    r.add('bootloader', 'bootloader-allowlist', `${JSON.stringify(bl)} is not an allowed bootloader (allowed: ${rules.bootloaders.join(', ')})`);
  }
  const args = values['bootloader_args'];
  asList(args).forEach((a, i) => {
    if (typeof a !== 'string' || !BOOTLOADER_ARG_OK.test(a)) {
      r.add(Array.isArray(args) ? `bootloader_args[${i}]` : 'bootloader_args', 'bootloader-args', `${JSON.stringify(a)} is not a bootloader option Xenith allows (--entry=, --kernel=, --ramdisk=, --args=, -q)`);
    }
  });
}

function checkConsoles(values: Record<string, XlValue>, r: Refusals): void {
  const serial = values['serial'];
  asList(serial).forEach((s, i) => {
    if (typeof s !== 'string' || !SERIAL_OK.test(s)) {
      r.add(Array.isArray(serial) ? `serial[${i}]` : 'serial', 'serial', `${JSON.stringify(s)} is not allowed: use pty, vc, null or none`);
    }
  });
  asList(values['channel']).forEach((c, i) => {
    // A socket channel makes root create a socket at a path of the config's choosing.
    if (typeof c !== 'string' || !/(^|,)\s*connection\s*=\s*pty\s*(,|$)/.test(c) || /(^|,)\s*path\s*=/.test(c)) {
      r.add(`channel[${i}]`, 'channel', 'only connection=pty channels are allowed');
    }
  });
  const keymap = values['keymap'];
  if (keymap !== undefined && (typeof keymap !== 'string' || !KEYMAP.test(keymap))) r.add('keymap', 'keymap', `${JSON.stringify(keymap)} is not a keymap name like en-us`);
  asList(values['vfb']).forEach((v, i) => {
    if (typeof v === 'string' && /(^|,)\s*(xauthority|keymap\s*=\s*[^,]*[/.])/.test(v)) r.add(`vfb[${i}]`, 'vfb', 'may not name files (xauthority) or a keymap path');
  });
  const usbdevice = values['usbdevice'];
  asList(usbdevice).forEach((u, i) => {
    if (typeof u !== 'string' || !/^(tablet|mouse|keyboard)$/.test(u)) {
      r.add(Array.isArray(usbdevice) ? `usbdevice[${i}]` : 'usbdevice', 'usbdevice', `${JSON.stringify(u)} is not allowed: tablet, mouse or keyboard`);
    }
  });
}

function diskUse(field: string, d: DiskSpec): ConfigFileUse | null {
  // A disk with a script names something the script interprets (an iSCSI IQN, a DRBD resource), not a host path.
  if (d.target === '' || d.script !== undefined) return null;
  return { field, path: d.target, kind: 'disk', access: d.access === 'ro' || d.devtype === 'cdrom' ? 'ro' : 'rw', ...(d.format !== undefined ? { format: d.format } : {}) };
}

function diskSpecUse(field: string, spec: XlValue, r: Refusals): ConfigFileUse | null {
  if (typeof spec !== 'string') return (r.add(field, 'disk-spec', 'must be a disk specification string'), null);
  let d: DiskSpec;
  try {
    d = parseDiskSpec(spec);
  } catch (e) {
    return (r.add(field, 'disk-spec', e instanceof SpecSyntaxError ? e.message : String(e)), null);
  }
  if (d.script !== undefined && plainNameProblem(d.script) !== null) return (r.add(field, 'script-name', 'script must be a plain name from /etc/xen/scripts'), null);
  if (d.activeDisk !== undefined || d.hiddenDisk !== undefined) return (r.add(field, 'disk-colo', 'COLO disk files are not allowed'), null);
  // qcow (v1) and QED images name backing files Xenith does not read: root's qemu would open whatever they say.
  if (d.format === 'qcow' || d.format === 'qed') return (r.add(field, 'disk-format', `format=${d.format} images can make root's qemu read another file; convert the image to qcow2 or raw`), null);
  const use = diskUse(field, d);
  if (use !== null && (!use.path.startsWith('/') || use.path.split('/').includes('..'))) {
    return (r.add(field, 'absolute-path', `target ${JSON.stringify(use.path)} must be an absolute path without ".."`), null);
  }
  return use;
}

/** The host file one disk specification makes root open (null for an empty drive or a script's target); throws INVALID_ARG. */
export function diskFileUse(spec: string, field = 'disk'): ConfigFileUse | null {
  const r = new Refusals();
  const use = diskSpecUse(field, spec, r);
  r.throwIfAny();
  return use;
}

function checkDisks(values: Record<string, XlValue>, r: Refusals, files: ConfigFileUse[]): void {
  asList(values['disk']).forEach((spec, i) => {
    const use = diskSpecUse(`disk[${i}]`, spec, r);
    if (use !== null) files.push(use);
  });
}

function checkVifs(values: Record<string, XlValue>, r: Refusals): void {
  asList(values['vif']).forEach((spec, i) => {
    const field = `vif[${i}]`;
    if (typeof spec !== 'string') return r.add(field, 'vif-spec', 'must be a vif specification string');
    try {
      const v = parseVifSpec(spec);
      if (v.script !== undefined && plainNameProblem(v.script) !== null) r.add(field, 'script-name', 'script must be a plain name from /etc/xen/scripts');
    } catch (e) {
      r.add(field, 'vif-spec', e instanceof SpecSyntaxError ? e.message : String(e));
    }
  });
}

function checkBootFiles(values: Record<string, XlValue>, r: Refusals, files: ConfigFileUse[]): void {
  const keys: string[] = [...BOOT_FILE_KEYS];
  // firmware is a name (bios, uefi, pvgrub64...) unless it holds a "/", when xl loads it as a file.
  if (typeof values['firmware'] === 'string' && values['firmware'].includes('/')) keys.push('firmware');
  for (const key of keys) {
    const v = values[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !v.startsWith('/') || v.split('/').includes('..')) {
      r.add(key, 'absolute-path', `${JSON.stringify(v)} must be an absolute path without ".."`);
      continue;
    }
    files.push({ field: key, path: v, kind: 'boot', access: 'ro' });
  }
  asList(values['p9']).forEach((spec, i) => {
    const m = typeof spec === 'string' ? /(?:^|,)\s*path\s*=\s*([^,]*)/.exec(spec) : null;
    const p = m?.[1]?.trim();
    if (p === undefined || !p.startsWith('/') || p.split('/').includes('..')) return r.add(`p9[${i}]`, 'absolute-path', 'a 9p share needs an absolute path=');
    files.push({ field: `p9[${i}]`, path: p, kind: 'share', access: 'rw' });
  });
}

/**
 * Checks a whole config the way root would act on it: parsed as xl parses it, the values xl would use (last
 * assignment wins, `+=` appended), each key that makes root read, write or run something held to its rule. Returns
 * the canonical text to write (so what is written is exactly what was checked) and the host files it names; throws
 * INVALID_ARG naming the first field and rule, with every refusal in detail.refusals.
 */
export function checkConfigForRoot(text: string, rules: ConfigRules): CheckedConfig {
  const { values } = parseValues(text);
  const r = new Refusals();
  const files: ConfigFileUse[] = [];
  const name = values['name'];
  if (typeof name !== 'string' || !isValidDomainName(name)) {
    r.add('name', 'domain-name', 'must be 1-64 letters, digits, "_", "." or "-", not starting with "-" or "."');
  }
  for (const [key, why] of Object.entries(REFUSED_KEYS)) if (key in values) r.add(key, 'refused-key', `${why}; Xenith does not allow it`);
  checkBootloader(values, rules, r);
  checkConsoles(values, r);
  checkDisks(values, r, files);
  checkVifs(values, r);
  checkBootFiles(values, r, files);
  r.throwIfAny();
  return { text: renderCanonical(values), values, files };
}
