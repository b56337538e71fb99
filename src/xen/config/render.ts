import { XenError } from '../errors';
import { KNOWN_XL_OPTIONS, type DomainConfig, type XlValue } from '../../shared/domain-config';
import { configFromXl } from './from-xl';
import { formatDiskSpec, parseDiskSpec, type DiskSpec } from '../../shared/disk-spec';
import { formatVifSpec, parseVifSpec, type VifSpec } from '../../shared/vif-spec';
import { plainEqual, SpecSyntaxError } from '../../shared/validate-helpers';
import { formatXlValue, parseXlConfig, type XlInput } from './xl-config';
import { XL_KEY_RE } from './xl-format';

export { configFromXl, readXlModel } from './from-xl';

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
