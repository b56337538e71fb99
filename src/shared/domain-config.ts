import type { z } from 'zod';
import type { DiskSpec } from './disk-spec';
import { normaliseMac, type VifSpec } from './vif-spec';
import { domainConfigSchema } from './domain-config-schema';

export type { DiskSpec } from './disk-spec';
export type { VifSpec } from './vif-spec';
export { KNOWN_XL_OPTIONS, diskSpecSchema, domainConfigSchema, vifSpecSchema } from './domain-config-schema';

/** A value in an xl.cfg file: xl keeps every atom as text, numbers are the ones written bare. */
export type XlValue = string | number | XlValue[];

/** What xl does when a guest powers off, reboots or crashes. */
export type XlAction =
  | 'destroy'
  | 'restart'
  | 'rename-restart'
  | 'preserve'
  | 'coredump-destroy'
  | 'coredump-restart'
  | 'soft-reset';

/**
 * A domain's configuration, one field per xl.cfg option and named as that option (memory and maxmem in MiB).
 * `disks`/`vifs` are the parsed `disk`/`vif` lists; options the model does not know are kept in `extraOptions`.
 */
export interface DomainConfig {
  name: string;
  type: 'pv' | 'pvh' | 'hvm';
  uuid?: string;
  memory: number;
  maxmem?: number;
  vcpus: number;
  maxvcpus?: number;
  /** Host CPU list (`"0-3,^1"`, `"all"`, `"nodes:0"`). */
  cpus?: string;
  kernel?: string;
  ramdisk?: string;
  cmdline?: string;
  extra?: string;
  root?: string;
  bootloader?: string;
  bootloader_args?: string | string[];
  /** HVM: bios, uefi, seabios, rombios, ovmf or a path; PV: pvgrub32 or pvgrub64. */
  firmware?: string;
  /** HVM boot order: letters c (disk), d (cdrom), n (network), a (floppy). */
  boot?: string;
  disks: DiskSpec[];
  vifs: VifSpec[];
  vnc?: boolean;
  vnclisten?: string;
  vncdisplay?: number;
  vncunused?: boolean;
  vncpasswd?: string;
  serial?: string | string[];
  usb?: boolean;
  usbdevice?: string | string[];
  viridian?: boolean | string[];
  on_poweroff?: XlAction;
  on_reboot?: XlAction;
  on_crash?: XlAction;
  nographic?: boolean;
  /** PV framebuffer specs (`vfb = [ "vnc=1,vnclisten=..." ]`). */
  vfb?: string[];
  extraOptions?: Record<string, XlValue>;
}

/** One problem found by validateDomainConfig: `field` is a path such as "memory" or "disks[1].target". */
export interface ConfigProblem {
  field: string;
  message: string;
}

/** Facts from outside the config that some rules need. */
export interface ValidateContext {
  /** Names of the other domains (running or defined); the config's name must not be one of them. */
  existingNames?: readonly string[];
  /** MACs used by other domains. */
  existingMacs?: readonly string[];
  /** Host CPU count: vcpus may not exceed it. */
  maxHostCpus?: number;
}

/** Result of validateDomainConfig. */
export type ValidateResult = { ok: true; value: DomainConfig } | { ok: false; errors: ConfigProblem[] };


const LABELS: Record<string, string> = {
  name: 'Name', type: 'Guest type', uuid: 'UUID', memory: 'Memory', maxmem: 'Maximum memory', vcpus: 'vCPUs',
  maxvcpus: 'Maximum vCPUs', cpus: 'CPU affinity', kernel: 'Kernel', ramdisk: 'Ramdisk', cmdline: 'Kernel command line',
  extra: 'Extra kernel arguments', root: 'Root device', bootloader: 'Bootloader', bootloader_args: 'Bootloader arguments',
  firmware: 'Firmware', boot: 'Boot order', disks: 'Disks', vifs: 'Network interfaces', vnc: 'VNC',
  vnclisten: 'VNC listen address', vncdisplay: 'VNC display', vncunused: 'VNC unused-display search', vncpasswd: 'VNC password',
  serial: 'Serial port', usb: 'USB', usbdevice: 'USB devices', viridian: 'Viridian', on_poweroff: 'Action on power-off',
  on_reboot: 'Action on reboot', on_crash: 'Action on crash', nographic: 'No-graphics', vfb: 'Framebuffers',
  extraOptions: 'Extra options',
};
const DISK_LABELS: Record<string, string> = { target: 'path', vdev: 'device name', coloHost: 'COLO host', coloPort: 'COLO port', coloExport: 'COLO export', activeDisk: 'active disk', hiddenDisk: 'hidden disk', directIoSafe: 'direct-io-safe flag', grantUsage: 'grant usage' };
const VIF_LABELS: Record<string, string> = { mac: 'MAC address', vifname: 'interface name', ip: 'IP address', gatewaydev: 'gateway device', devid: 'device id', mtu: 'MTU', other: 'option' };

/** Turns a path like ['disks', 1, 'target'] into the field string "disks[1].target". */
function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** The field in words: "Memory", "Disk 2 path", "Network interface 1 MAC address", "Option \"sdl\"". */
function labelOf(path: readonly PropertyKey[]): string {
  const [head, second, third, fourth] = path;
  if (head === undefined) return 'The config';
  if ((head === 'disks' || head === 'vifs') && typeof second === 'number') {
    const what = head === 'disks' ? 'Disk' : 'Network interface';
    if (third === undefined) return `${what} ${second + 1}`;
    const names = head === 'disks' ? DISK_LABELS : VIF_LABELS;
    const sub = names[String(third)] ?? String(third);
    return `${what} ${second + 1} ${sub}${fourth === undefined ? '' : ` "${String(fourth)}"`}`;
  }
  if (head === 'extraOptions' && second !== undefined) return `Option "${String(second)}"`;
  const label = LABELS[String(head)] ?? `Option "${String(head)}"`;
  return typeof second === 'number' ? `${label} item ${second + 1}` : label;
}

/** A field path in words: "vifs[0].mac" -> "Network interface 1 MAC address", "memory" -> "Memory". */
export function describeField(field: string): string {
  const path: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) path.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return labelOf(path);
}

/** The raw value at `path` in the unvalidated input (to tell a missing field from a wrong one). */
function rawAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const seg of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_type' && rawAt(input, issue.path) === undefined) return 'is required';
  if (issue.code === 'unrecognized_keys') return 'is not a known option';
  return issue.message;
}

/**
 * Checks a config against every rule: structure, each field, the rules tying fields together and, with `ctx`, the
 * host (unique name and MACs, vCPUs within the host's CPUs). Each problem names its field as a path and in words.
 */
export function validateDomainConfig(cfg: unknown, ctx: ValidateContext = {}): ValidateResult {
  const parsed = domainConfigSchema.safeParse(cfg);
  const errors: ConfigProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // An unknown key is reported on itself, so the UI can point at it.
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const path of paths) {
        const field = fieldOf(path);
        // One message per field: the first rule it breaks is the one worth reading.
        if (!errors.some((e) => e.field === field)) errors.push({ field, message: `${labelOf(path)} ${issueMessage(issue, cfg)}` });
      }
    }
    return { ok: false, errors };
  }
  const value = parsed.data as DomainConfig;
  if (ctx.existingNames?.includes(value.name)) {
    errors.push({ field: 'name', message: `Name "${value.name}" is already used by another domain` });
  }
  const taken = new Set((ctx.existingMacs ?? []).map((m) => normaliseMac(m)).filter((m) => m !== null));
  value.vifs.forEach((v, i) => {
    const mac = v.mac === undefined ? null : normaliseMac(v.mac);
    if (mac !== null && taken.has(mac)) {
      errors.push({ field: `vifs[${i}].mac`, message: `${labelOf(['vifs', i, 'mac'])} ${mac} is already used by another domain` });
    }
  });
  if (ctx.maxHostCpus !== undefined && value.vcpus > ctx.maxHostCpus) {
    errors.push({ field: 'vcpus', message: `vCPUs must not be more than the host's ${ctx.maxHostCpus} CPUs` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}

/**
 * Options of the model a form may change in place with domain:configPatch (next boot). Identity, disks and NICs have
 * their own channels; the raw editor changes anything, as whole text.
 */
export const PATCHABLE_KEYS = [
  'kernel', 'ramdisk', 'cmdline', 'extra', 'root', 'bootloader', 'bootloader_args', 'firmware', 'boot',
  'on_poweroff', 'on_reboot', 'on_crash', 'vnc', 'vnclisten', 'vncdisplay', 'vncunused', 'vncpasswd', 'vfb', 'nographic', 'serial',
] as const satisfies readonly (keyof DomainConfig)[];
export type PatchableKey = (typeof PATCHABLE_KEYS)[number];

/** A change to some options: a value sets one, null removes it. Values are checked by the model's own schema. */
export type ConfigPatch = { [K in PatchableKey]?: DomainConfig[K] | null };

/** The model with `patch` applied (null removes an option); validate the result before writing it. */
export function applyConfigPatch(cfg: DomainConfig, patch: ConfigPatch): DomainConfig {
  const next: Record<string, unknown> = { ...cfg };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else if (v !== undefined) next[k] = v;
  }
  return next as unknown as DomainConfig;
}
