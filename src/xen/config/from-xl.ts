import { XenError } from '../errors';
import { describeField, KNOWN_XL_OPTIONS, type ConfigProblem, type DomainConfig, type XlValue } from '../../shared/domain-config';
import { parseDiskSpec, type DiskSpec } from '../../shared/disk-spec';
import { parseVifSpecLenient, type VifSpec } from '../../shared/vif-spec';
import { SpecSyntaxError } from '../../shared/validate-helpers';

// From an xl config's values to the model. xl reads a config option by option and a value it cannot use costs that
// value, not the file (an old guide's `mac=00:16:3e:__random_three_mac_bytes__` is skipped with a message, the rest of
// the NIC kept). readXlModel does the same: every value that fits is kept, every one that does not is a problem that
// names its field. configFromXl is the strict reading that refuses the first such value.

/** A value of the wrong shape: the field it is in and why (a predicate, "is not a number"). */
class ShapeError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
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
  throw new ShapeError(field, `${JSON.stringify(v)} is not a number`);
}

function toText(field: string, v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw new ShapeError(field, 'is a list but should be a single value');
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
  throw new ShapeError(field, 'is not an xl value');
}

/** Collects problems (lenient) or throws the first (strict). */
type Report = (field: string, message: string) => void;

/** `f()`, or undefined with its shape problem reported. */
function guarded<T>(report: Report, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    report(e.field, e.message);
    return undefined;
  }
}

function readDisks(v: unknown, report: Report): DiskSpec[] {
  const out: DiskSpec[] = [];
  toList('disks', v).forEach((spec, i) => {
    try {
      out.push(parseDiskSpec(spec));
    } catch (e) {
      // xl refuses a disk it cannot parse; the other disks still show.
      if (e instanceof SpecSyntaxError) report(`disks[${i}]`, e.message);
      else throw e;
    }
  });
  return out;
}

function readVifs(v: unknown, report: Report): VifSpec[] {
  return toList('vifs', v).map((spec, i) => {
    const { vif, problems } = parseVifSpecLenient(spec);
    for (const p of problems) report(p.key === null ? `vifs[${i}]` : `vifs[${i}].${p.key}`, `${p.message} in "${spec}"`);
    return vif;
  });
}

/** The options every config has, with what xl defaults them to. */
function required(obj: Record<string, unknown>, report: Report): DomainConfig {
  const has = (k: string): boolean => obj[k] !== undefined;
  const num = (k: string): number | undefined => (has(k) ? guarded(report, () => toNumber(k, obj[k])) : undefined);
  const text = (k: string): string | undefined => (has(k) ? guarded(report, () => toText(k, obj[k])) : undefined);
  const builder = text('builder');
  const maxmem = num('maxmem');
  const maxvcpus = num('maxvcpus');
  const cfg: DomainConfig = {
    name: text('name') ?? '',
    type: (text('type') ?? (builder === 'hvm' ? 'hvm' : 'pv')) as DomainConfig['type'],
    memory: num('memory') ?? maxmem ?? 32,
    vcpus: num('vcpus') ?? maxvcpus ?? 1,
    disks: has('disk') ? (guarded(report, () => readDisks(obj['disk'], report)) ?? []) : [],
    vifs: has('vif') ? (guarded(report, () => readVifs(obj['vif'], report)) ?? []) : [],
  };
  if (maxmem !== undefined) cfg.maxmem = maxmem;
  if (maxvcpus !== undefined) cfg.maxvcpus = maxvcpus;
  return cfg;
}

/** How each optional option of the model is read from its xl value. */
const OPTIONAL: Record<string, (k: string, v: unknown) => unknown> = {
  uuid: toText, cpus: toText, kernel: toText, ramdisk: toText, cmdline: toText, extra: toText, root: toText,
  bootloader: toText, bootloader_args: toTextOrList, firmware: toText, boot: toText, vnclisten: toText,
  vncdisplay: toNumber, vncpasswd: toText, serial: toTextOrList, usbdevice: toTextOrList, vfb: toList,
  on_poweroff: toText, on_reboot: toText, on_crash: toText,
  vnc: (k, v) => toNumber(k, v) !== 0, vncunused: (k, v) => toNumber(k, v) !== 0, usb: (k, v) => toNumber(k, v) !== 0,
  nographic: (k, v) => toNumber(k, v) !== 0,
  viridian: (k, v) => (Array.isArray(v) ? toList(k, v) : toNumber(k, v) !== 0),
};

/** Reads the model from xl's values, reporting each value that does not fit instead of the model. */
function convert(obj: Record<string, unknown>, report: Report): DomainConfig {
  const cfg = required(obj, report);
  const target = cfg as unknown as Record<string, unknown>;
  for (const [k, read] of Object.entries(OPTIONAL)) {
    if (obj[k] === undefined) continue;
    const v = guarded(report, () => read(k, obj[k]));
    if (v !== undefined) target[k] = v;
  }
  const extra: Record<string, XlValue> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (KNOWN_XL_OPTIONS.includes(k) || v === undefined) continue;
    const checked = guarded(report, () => checkXlValue(k, v));
    if (checked !== undefined) extra[k] = checked;
  }
  if (Object.keys(extra).length > 0) cfg.extraOptions = extra;
  return cfg;
}

/**
 * Maps an xl config's values (parseXlConfig(...).toObject()) onto the model the way xl reads them: a value that does
 * not fit (a list where a number belongs, a vif's malformed mac) is left out and reported as a problem naming its
 * field ("vifs[0].mac"), and every other value is kept. It does not validate (validateDomainConfig does).
 */
export function readXlModel(obj: Record<string, unknown>): { config: DomainConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const config = convert(obj, (field, message) => {
    if (!problems.some((p) => p.field === field)) problems.push({ field, message: `${describeField(field)}: ${message}` });
  });
  return { config, problems };
}

/**
 * Maps an xl config's values onto the model, filling what xl itself defaults (type pv, or hvm for the old
 * `builder="hvm"`; memory = maxmem or 32 MiB; vcpus = maxvcpus or 1). Options the model does not know go to
 * extraOptions. Throws XenError INVALID_ARG naming the field of the first value of the wrong shape (readXlModel keeps
 * going instead); it does not validate (validateDomainConfig does).
 */
export function configFromXl(obj: Record<string, unknown>): DomainConfig {
  return convert(obj, (field, message) => {
    throw new XenError('INVALID_ARG', `${field}: ${message}`, { field });
  });
}
