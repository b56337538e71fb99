import { XenError } from '../errors';
import { KNOWN_XL_OPTIONS, type DomainConfig, type XlAction, type XlValue } from '../../shared/domain-config';
import { formatDiskSpec, parseDiskSpec, type DiskSpec } from '../../shared/disk-spec';
import { formatVifSpec, parseVifSpec, type VifSpec } from '../../shared/vif-spec';
import { plainEqual, SpecSyntaxError } from '../../shared/validate-helpers';
import { formatXlValue, parseXlConfig, type XlInput } from './xl-config';
import { XL_KEY_RE } from './xl-format';

/** The order renderXlConfig writes options in: identity, sizing, boot, devices, display, lifecycle. */
const ORDER = [
  'name', 'type', 'uuid', 'memory', 'maxmem', 'vcpus', 'maxvcpus', 'cpus', 'kernel', 'ramdisk', 'cmdline', 'root',
  'extra', 'bootloader', 'bootloader_args', 'firmware', 'boot', 'disk', 'vif', 'vfb', 'vnc', 'vnclisten', 'vncdisplay',
  'vncunused', 'vncpasswd', 'nographic', 'serial', 'usb', 'usbdevice', 'viridian', 'on_poweroff', 'on_reboot', 'on_crash',
] as const;
type XlKey = (typeof ORDER)[number];

/** The header line of every file renderXlConfig writes. */
export const XENITH_HEADER = '# Written by Xenith';

function invalid(field: string, message: string): XenError {
  return new XenError('INVALID_ARG', `${field}: ${message}`, { field });
}

function formatDisk(d: DiskSpec, i: number): string {
  try {
    return formatDiskSpec(d);
  } catch (e) {
    if (e instanceof SpecSyntaxError) throw invalid(`disks[${i}]`, e.message);
    throw e;
  }
}

function formatVif(v: VifSpec, i: number): string {
  try {
    return formatVifSpec(v);
  } catch (e) {
    if (e instanceof SpecSyntaxError) throw invalid(`vifs[${i}]`, e.message);
    throw e;
  }
}

/** The model's value for one xl option, as it is written (undefined when absent; empty device lists are absent). */
function optionValue(cfg: DomainConfig, key: XlKey): XlInput | undefined {
  if (key === 'disk') return cfg.disks.length > 0 ? cfg.disks.map(formatDisk) : undefined;
  if (key === 'vif') return cfg.vifs.length > 0 ? cfg.vifs.map(formatVif) : undefined;
  return cfg[key];
}

/** The model's value for one xl option in a form that compares by meaning (parsed disks, not their text). */
function semanticValue(cfg: DomainConfig, key: XlKey): unknown {
  if (key === 'disk') return cfg.disks;
  if (key === 'vif') return cfg.vifs;
  return cfg[key];
}

function checkExtraKeys(extra: Record<string, XlValue>): [string, XlValue][] {
  const entries = Object.entries(extra).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key] of entries) {
    if (!XL_KEY_RE.test(key)) throw invalid(`extraOptions.${key}`, 'is not an xl option name');
    if (KNOWN_XL_OPTIONS.includes(key)) throw invalid(`extraOptions.${key}`, 'must be set through its own field');
  }
  return entries;
}

function line(key: string, v: XlInput): string {
  const multi = Array.isArray(v) && v.length > 1;
  return `${key} = ${formatXlValue(v, { field: key, ...(multi ? { listIndent: '    ' } : {}) })}`;
}

/**
 * Writes a config file for the model: a header comment, then the options in a fixed order (ORDER, then extra
 * options sorted by name), lists of several items one item per line. Same model, same bytes. Every value is quoted
 * or refused by formatXlValue (XenError INVALID_ARG naming the field).
 */
export function renderXlConfig(cfg: DomainConfig): string {
  const lines = [XENITH_HEADER];
  for (const key of ORDER) {
    const v = optionValue(cfg, key);
    if (v !== undefined) lines.push(line(key, v));
  }
  for (const [key, v] of checkExtraKeys(cfg.extraOptions ?? {})) lines.push(line(key, v));
  return `${lines.join('\n')}\n`;
}

/** xl reads numbers with strtol(…, 0), so "128", "0x80" and "0200" all mean 128. */
function toNumber(field: string, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim();
    let n = Number.NaN;
    if (/^[+-]?0x[0-9a-f]+$/i.test(s)) n = (s.startsWith('-') ? -1 : 1) * parseInt(s.replace(/^[+-]?0x/i, ''), 16);
    else if (/^[+-]?0[0-7]+$/.test(s)) n = (s.startsWith('-') ? -1 : 1) * parseInt(s.replace(/^[+-]?0/, ''), 8);
    else if (/^[+-]?[0-9]+$/.test(s)) n = parseInt(s, 10);
    if (Number.isSafeInteger(n)) return n;
  }
  throw invalid(field, `${JSON.stringify(v)} is not a number`);
}

function toText(field: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw invalid(field, 'is a list but should be a single value');
}

function toTextOrList(field: string, v: unknown): string | string[] {
  return Array.isArray(v) ? v.map((item, i) => toText(`${field}[${i}]`, item)) : toText(field, v);
}

function toList(field: string, v: unknown): string[] {
  const items: unknown[] = Array.isArray(v) ? v : [v];
  return items.map((item, i) => toText(`${field}[${i}]`, item));
}

function checkXlValue(field: string, v: unknown): XlValue {
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map((item, i) => checkXlValue(`${field}[${i}]`, item));
  throw invalid(field, 'is not an xl value');
}

function specList<T>(field: 'disks' | 'vifs', v: unknown, parse: (s: string) => T): T[] {
  return toList(field, v).map((spec, i) => {
    try {
      return parse(spec);
    } catch (e) {
      if (e instanceof SpecSyntaxError) throw invalid(`${field}[${i}]`, e.message);
      throw e;
    }
  });
}

/**
 * Maps an xl config's values (parseXlConfig(...).toObject()) onto the model, filling what xl itself defaults
 * (type pv, or hvm for the old `builder="hvm"`; memory = maxmem or 32 MiB; vcpus = maxvcpus or 1). Options the model
 * does not know go to extraOptions. Throws XenError INVALID_ARG when a known option has the wrong shape; it does not
 * validate (validateDomainConfig does).
 */
export function configFromXl(obj: Record<string, unknown>): DomainConfig {
  const has = (k: string): boolean => obj[k] !== undefined;
  const num = (k: string): number | undefined => (has(k) ? toNumber(k, obj[k]) : undefined);
  const bool = (k: string): boolean | undefined => (has(k) ? toNumber(k, obj[k]) !== 0 : undefined);
  const text = (k: string): string | undefined => (has(k) ? toText(k, obj[k]) : undefined);

  const builder = has('builder') ? toText('builder', obj['builder']) : undefined;
  const maxmem = num('maxmem');
  const maxvcpus = num('maxvcpus');
  const cfg: DomainConfig = {
    name: text('name') ?? '',
    type: (text('type') ?? (builder === 'hvm' ? 'hvm' : 'pv')) as DomainConfig['type'],
    memory: num('memory') ?? maxmem ?? 32,
    vcpus: num('vcpus') ?? maxvcpus ?? 1,
    disks: has('disk') ? specList('disks', obj['disk'], parseDiskSpec) : [],
    vifs: has('vif') ? specList('vifs', obj['vif'], parseVifSpec) : [],
  };
  const optional: Partial<DomainConfig> = {
    uuid: text('uuid'),
    maxmem,
    maxvcpus,
    cpus: text('cpus'),
    kernel: text('kernel'),
    ramdisk: text('ramdisk'),
    cmdline: text('cmdline'),
    extra: text('extra'),
    root: text('root'),
    bootloader: text('bootloader'),
    bootloader_args: has('bootloader_args') ? toTextOrList('bootloader_args', obj['bootloader_args']) : undefined,
    firmware: text('firmware'),
    boot: text('boot'),
    vnc: bool('vnc'),
    vnclisten: text('vnclisten'),
    vncdisplay: num('vncdisplay'),
    vncunused: bool('vncunused'),
    vncpasswd: text('vncpasswd'),
    serial: has('serial') ? toTextOrList('serial', obj['serial']) : undefined,
    usb: bool('usb'),
    usbdevice: has('usbdevice') ? toTextOrList('usbdevice', obj['usbdevice']) : undefined,
    viridian: has('viridian') ? (Array.isArray(obj['viridian']) ? toList('viridian', obj['viridian']) : bool('viridian')) : undefined,
    on_poweroff: text('on_poweroff') as XlAction | undefined,
    on_reboot: text('on_reboot') as XlAction | undefined,
    on_crash: text('on_crash') as XlAction | undefined,
    nographic: bool('nographic'),
    vfb: has('vfb') ? toList('vfb', obj['vfb']) : undefined,
  };
  for (const [k, v] of Object.entries(optional)) {
    if (v !== undefined) (cfg as unknown as Record<string, unknown>)[k] = v;
  }
  const extra: Record<string, XlValue> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!KNOWN_XL_OPTIONS.includes(k) && v !== undefined) extra[k] = checkXlValue(k, v);
  }
  if (Object.keys(extra).length > 0) cfg.extraOptions = extra;
  return cfg;
}

/** A device list that reuses the file's own text for every entry that still means the same device. */
function reuseSpecs<T>(old: XlValue | undefined, items: readonly T[], parse: (s: string) => T, format: (t: T, i: number) => string): string[] {
  const oldItems = Array.isArray(old) ? old : [];
  return items.map((item, i) => {
    const prev = oldItems[i];
    if (typeof prev === 'string') {
      try {
        if (plainEqual(parse(prev), item)) return prev;
      } catch {
        // The old entry did not parse; write the new one canonically.
      }
    }
    return format(item, i);
  });
}

/**
 * Edits an existing config file to say what `cfg` says, touching only options whose meaning changed: their value
 * is replaced in place (comments, order and layout of everything else stay byte for byte), removed options lose
 * their line, new ones are appended. Unchanged disks and vifs keep their original spelling.
 */
export function updateXlConfigText(originalText: string, cfg: DomainConfig): string {
  const doc = parseXlConfig(originalText);
  let old: DomainConfig | null;
  try {
    old = configFromXl(doc.toObject());
  } catch {
    old = null; // The file's values do not fit the model: compare nothing, write every option.
  }
  for (const key of ORDER) {
    if (old !== null && plainEqual(semanticValue(old, key), semanticValue(cfg, key))) continue;
    if (key === 'disk' && cfg.disks.length > 0) {
      doc.set(key, reuseSpecs(doc.get(key), cfg.disks, parseDiskSpec, formatDisk));
    } else if (key === 'vif' && cfg.vifs.length > 0) {
      doc.set(key, reuseSpecs(doc.get(key), cfg.vifs, parseVifSpec, formatVif));
    } else {
      const v = optionValue(cfg, key);
      if (v === undefined) doc.delete(key);
      else doc.set(key, v);
    }
  }
  const newExtra = cfg.extraOptions ?? {};
  checkExtraKeys(newExtra);
  const oldExtra = old?.extraOptions ?? {};
  for (const key of Object.keys(oldExtra)) {
    if (!(key in newExtra)) doc.delete(key);
  }
  for (const [key, v] of Object.entries(newExtra)) {
    if (!plainEqual(oldExtra[key], v)) doc.set(key, v);
  }
  return doc.toString();
}
