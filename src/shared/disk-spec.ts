import { describeControlChar, findControlChar, SpecSyntaxError } from './validate-helpers';

/** Image formats xl knows; `empty` is an empty removable drive. */
export type DiskFormat = 'raw' | 'qcow' | 'qcow2' | 'vhd' | 'qed' | 'empty';
/** Guest access to a disk. */
export type DiskAccess = 'rw' | 'ro';
/** Backend implementations xl can be asked for. */
export type DiskBackendType = 'phy' | 'tap' | 'qdisk' | 'standalone';

/** One entry of xl.cfg's `disk = [...]`, per xl-disk-configuration(5). Flags use camelCase of their xl names. */
export interface DiskSpec {
  /** Host path (or script-specific target); '' for an empty CD drive. */
  target: string;
  format: DiskFormat;
  /** Device as the guest sees it: xvda, hdc, sda... */
  vdev: string;
  access: DiskAccess;
  devtype?: 'disk' | 'cdrom';
  /** Backend domain name (driver domain). */
  backend?: string;
  backendtype?: DiskBackendType;
  specification?: 'xen' | 'virtio';
  /** Block hotplug script, e.g. block-iscsi. */
  script?: string;
  /** `direct-io-safe`. */
  directIoSafe?: boolean;
  /** `discard` / `no-discard`. */
  discard?: boolean;
  /** `trusted` / `untrusted`. */
  trusted?: boolean;
  /** `grant_usage=1|0`. */
  grantUsage?: boolean;
  /** COLO settings (unstable in Xen). */
  colo?: boolean;
  coloHost?: string;
  coloPort?: number;
  coloExport?: string;
  activeDisk?: string;
  hiddenDisk?: string;
}

const FORMATS: readonly string[] = ['raw', 'qcow', 'qcow2', 'vhd', 'qed', 'empty'];
const BACKENDTYPES: readonly string[] = ['phy', 'tap', 'qdisk', 'standalone'];

/** Flags that stand alone in a spec, with what they set. */
const FLAGS: Record<string, (d: Draft) => void> = {
  cdrom: (d) => (d.devtype = 'cdrom'),
  'direct-io-safe': (d) => (d.directIoSafe = true),
  discard: (d) => (d.discard = true),
  'no-discard': (d) => (d.discard = false),
  colo: (d) => (d.colo = true),
  'no-colo': (d) => (d.colo = false),
  trusted: (d) => (d.trusted = true),
  untrusted: (d) => (d.trusted = false),
};

type StringKey = 'backend' | 'script' | 'coloHost' | 'coloExport' | 'activeDisk' | 'hiddenDisk';
const STRING_KEYS: Record<string, StringKey> = {
  backend: 'backend',
  script: 'script',
  'colo-host': 'coloHost',
  'colo-export': 'coloExport',
  'active-disk': 'activeDisk',
  'hidden-disk': 'hiddenDisk',
};

interface Draft extends Partial<Omit<DiskSpec, 'access'>> {
  access?: DiskAccess;
  hadDeprecatedPrefix?: boolean;
}

function fail(spec: string, message: string): never {
  throw new SpecSyntaxError(`disk spec ${JSON.stringify(spec)}: ${message}`, spec);
}

function parseFormat(spec: string, d: Draft, v: string): void {
  const f = v === '' ? 'raw' : v;
  if (!FORMATS.includes(f)) fail(spec, `unknown format "${v}" (raw, qcow, qcow2, vhd, qed or empty)`);
  if (d.format !== undefined && d.format !== f) fail(spec, 'format given twice');
  d.format = f as DiskFormat;
}

function parseAccess(spec: string, v: string): DiskAccess {
  if (v === 'r' || v === 'ro') return 'ro';
  if (v === 'rw' || v === 'w' || v === '') return 'rw';
  return fail(spec, `unknown access "${v}" (ro, r, rw or w)`);
}

function saveString(spec: string, d: Draft, key: 'target' | 'vdev' | StringKey, v: string): void {
  const prev = d[key];
  if (prev !== undefined && prev !== '') fail(spec, `${key} given twice`);
  d[key] = v;
}

/** Splits `vdev:devtype` (deprecated syntax); false when there is no colon. */
function vdevAndDevtype(spec: string, d: Draft, v: string): boolean {
  const colon = v.lastIndexOf(':');
  if (colon === -1) return false;
  saveString(spec, d, 'vdev', v.slice(0, colon));
  const t = v.slice(colon + 1);
  if (t === 'cdrom') d.devtype = 'cdrom';
  else if (t === 'disk') d.devtype = 'disk';
  else fail(spec, `unknown device type "${t}"`);
  return true;
}

/** `key=value[,]` at the start of `rest`: the value (comma excluded) and the length consumed. */
function keyValue(rest: string, key: string): { value: string; length: number } | null {
  if (!rest.startsWith(`${key}=`)) return null;
  const from = key.length + 1;
  const comma = rest.indexOf(',', from);
  return comma === -1 ? { value: rest.slice(from), length: rest.length } : { value: rest.slice(from, comma), length: comma + 1 };
}

/** A flag word at the start of `rest`, followed by a comma or the end. */
function flagAt(rest: string): { name: string; length: number } | null {
  for (const name of Object.keys(FLAGS)) {
    if (rest === name) return { name, length: name.length };
    if (rest.startsWith(`${name},`)) return { name, length: name.length + 1 };
  }
  return null;
}

/** Handles one deprecated `prefix:` at the start of `rest`; returns its length or 0. */
function deprecatedPrefix(spec: string, d: Draft, rest: string): number {
  const m = /^([a-z][a-z0-9]*):/.exec(rest);
  if (!m) return 0;
  const word = m[1] as string;
  const next = rest[m[0].length];
  if (/^(raw|qcow2?|vhd)$/.test(word)) {
    parseFormat(spec, d, word);
  } else if (/^(iscsi|e?nbd|drbd)$/.test(word)) {
    saveString(spec, d, 'script', `block-${word}`);
  } else if (/^(tapdisk|tap2?|aio|ioemu|file|phy)$/.test(word)) {
    // Prefixes xend needed; xl strips and ignores them.
  } else if (next === undefined || !/[a-z0-9]/.test(next)) {
    fail(spec, `unknown prefix "${word}:"`);
  } else {
    return 0; // "hdc:cdrom": a vdev with a device type, handled as a positional parameter.
  }
  d.hadDeprecatedPrefix = true;
  return m[0].length;
}

function positional(spec: string, d: Draft, v: string): void {
  if (d.target === undefined) {
    d.target = v;
  } else if (!d.hadDeprecatedPrefix && d.format === undefined) {
    if (d.target === '' && vdevAndDevtype(spec, d, v)) d.format = 'empty';
    else parseFormat(spec, d, v);
  } else if (d.vdev === undefined) {
    if (!vdevAndDevtype(spec, d, v)) saveString(spec, d, 'vdev', v);
  } else if (d.access === undefined) {
    d.access = parseAccess(spec, v);
  } else {
    fail(spec, `too many positional parameters at "${v}"`);
  }
}

/**
 * Parses one disk spec the way xl's disk lexer (libxlu_disk_l.l) does: positional `target,format,vdev,access`,
 * `key=value` parameters, flags, deprecated prefixes (`phy:`, `file:`, `raw:`, `tap:aio:`...), and `target=` which
 * takes the rest of the string. Throws SpecSyntaxError.
 */
export function parseDiskSpec(spec: string): DiskSpec {
  const d: Draft = {};
  let pos = 0;
  while (pos < spec.length) {
    const rest = spec.slice(pos);
    const ws = /^[ \t\n]+/.exec(rest);
    if (ws) {
      pos += ws[0].length;
      continue;
    }
    if (rest.startsWith('target=')) {
      const t = rest.slice('target='.length);
      saveString(spec, d, 'target', t.endsWith(',') ? t.slice(0, -1) : t);
      break;
    }
    const consumed = namedParameter(spec, d, rest) || flagLength(d, rest) || deprecatedPrefix(spec, d, rest);
    if (consumed > 0) {
      pos += consumed;
      continue;
    }
    const m = /^[^=,]*,|^[^=,]+/.exec(rest);
    if (!m) fail(spec, `bad syntax at "${rest}"`);
    positional(spec, d, m[0].endsWith(',') ? m[0].slice(0, -1) : m[0]);
    pos += m[0].length;
  }
  return finish(spec, d);
}

function flagLength(d: Draft, rest: string): number {
  const f = flagAt(rest);
  if (!f) return 0;
  (FLAGS[f.name] as (d: Draft) => void)(d);
  return f.length;
}

/** Named `key=value` parameters and what each sets (xl's names, with its checks). */
function namedHandlers(spec: string, d: Draft): Record<string, (v: string) => void> {
  const handlers: Record<string, (v: string) => void> = {
    format: (v) => parseFormat(spec, d, v),
    access: (v) => (d.access = parseAccess(spec, v)),
    vdev: (v) => saveString(spec, d, 'vdev', v),
    devtype: (v) => {
      if (v !== 'cdrom' && v !== 'disk') fail(spec, `unknown devtype "${v}" (cdrom or disk)`);
      d.devtype = v;
    },
    backendtype: (v) => {
      if (!BACKENDTYPES.includes(v)) fail(spec, `unknown backendtype "${v}"`);
      if (d.backendtype !== undefined && d.backendtype !== v) fail(spec, 'backendtype given twice');
      d.backendtype = v as DiskBackendType;
    },
    specification: (v) => {
      if (v !== 'xen' && v !== 'virtio') fail(spec, `unknown specification "${v}"`);
      d.specification = v;
    },
    grant_usage: (v) => {
      if (v !== '0' && v !== '1') fail(spec, 'grant_usage must be 0 or 1');
      d.grantUsage = v === '1';
    },
    'colo-port': (v) => {
      const port = Number.parseInt(v, 10);
      if (!(port > 0)) fail(spec, `bad colo-port "${v}"`);
      d.coloPort = port;
    },
  };
  for (const [name, key] of Object.entries(STRING_KEYS)) handlers[name] = (v) => saveString(spec, d, key, v);
  return handlers;
}

function namedParameter(spec: string, d: Draft, rest: string): number {
  const m = /^([a-z][-_a-z0-9]*)=/.exec(rest);
  if (!m) return 0;
  const name = m[1] as string;
  const handler = namedHandlers(spec, d)[name];
  if (handler === undefined) fail(spec, `unknown parameter "${name}"`);
  const kv = keyValue(rest, name) as { value: string; length: number };
  handler(kv.value);
  return kv.length;
}

/** Defaults and checks applied after the scan, as xlu_disk_parse does them. */
function finish(spec: string, d: Draft): DiskSpec {
  if (d.vdev === undefined || d.vdev === '') fail(spec, 'no vdev (the device name the guest sees, e.g. xvda)');
  const cdrom = d.devtype === 'cdrom';
  const target = d.target ?? '';
  if (target === '' && !cdrom) fail(spec, 'no target (and the device is not a removable cdrom)');
  const out: DiskSpec = {
    target,
    // xl makes every cdrom read-only and turns one without a medium into an empty drive.
    format: cdrom && target === '' ? 'empty' : (d.format ?? 'raw'),
    vdev: d.vdev,
    access: cdrom ? 'ro' : (d.access ?? 'rw'),
  };
  for (const key of OPTIONAL_KEYS) {
    const v = d[key];
    if (v !== undefined) (out as unknown as Record<string, unknown>)[key] = v;
  }
  return out;
}

const OPTIONAL_KEYS = [
  'devtype',
  'backend',
  'backendtype',
  'specification',
  'script',
  'directIoSafe',
  'discard',
  'trusted',
  'grantUsage',
  'colo',
  'coloHost',
  'coloPort',
  'coloExport',
  'activeDisk',
  'hiddenDisk',
] as const;

/** True when `target` can be written positionally (no comma, `=`, blank or prefix look-alike). */
function positionalSafe(target: string): boolean {
  return (
    /^[^,=\s]+$/.test(target) && !/^[a-z][a-z0-9]*:/.test(target) && flagAt(target) === null && target !== 'target'
  );
}

function checkValue(name: string, v: string, allowComma = false): string {
  const ctl = findControlChar(v);
  if (ctl !== undefined) throw new SpecSyntaxError(`disk ${name} contains ${describeControlChar(ctl)}`, v);
  if (!allowComma && /[,]/.test(v)) throw new SpecSyntaxError(`disk ${name} may not contain ","`, v);
  return v;
}

/**
 * Formats a disk as the canonical xl spec: `target,format,vdev,access` followed by any other parameters, or with
 * `target=` last when the path holds characters the positional form cannot carry. An empty drive has no target.
 * Throws SpecSyntaxError for values that cannot be written (control characters, commas in parameters, bad vdev).
 */
export function formatDiskSpec(d: DiskSpec): string {
  const vdev = checkValue('vdev', d.vdev);
  if (!/^[A-Za-z0-9]+$/.test(vdev)) throw new SpecSyntaxError(`disk vdev "${vdev}" is not a device name`, vdev);
  if (!FORMATS.includes(d.format)) throw new SpecSyntaxError(`unknown disk format "${String(d.format)}"`, d.format);
  if (d.access !== 'rw' && d.access !== 'ro') throw new SpecSyntaxError(`unknown disk access "${String(d.access)}"`, d.access);
  const target = checkValue('target', d.target, true);
  if (target === '' && d.devtype !== 'cdrom') throw new SpecSyntaxError('disk has no target and is not a cdrom', target);
  const positionalTarget = target !== '' && positionalSafe(target);
  const parts = positionalTarget
    ? [target, d.format, vdev, d.access]
    : [...(target === '' ? [] : [`format=${d.format}`]), `vdev=${vdev}`, `access=${d.access}`];
  if (d.devtype !== undefined) parts.push(`devtype=${d.devtype}`);
  if (d.backendtype !== undefined) parts.push(`backendtype=${d.backendtype}`);
  if (d.backend !== undefined) parts.push(`backend=${checkValue('backend', d.backend)}`);
  if (d.specification !== undefined) parts.push(`specification=${d.specification}`);
  if (d.script !== undefined) parts.push(`script=${checkValue('script', d.script)}`);
  if (d.directIoSafe === true) parts.push('direct-io-safe');
  if (d.discard !== undefined) parts.push(d.discard ? 'discard' : 'no-discard');
  if (d.trusted !== undefined) parts.push(d.trusted ? 'trusted' : 'untrusted');
  if (d.grantUsage !== undefined) parts.push(`grant_usage=${d.grantUsage ? 1 : 0}`);
  if (d.colo !== undefined) parts.push(d.colo ? 'colo' : 'no-colo');
  if (d.coloHost !== undefined) parts.push(`colo-host=${checkValue('colo-host', d.coloHost)}`);
  if (d.coloPort !== undefined) parts.push(`colo-port=${d.coloPort}`);
  if (d.coloExport !== undefined) parts.push(`colo-export=${checkValue('colo-export', d.coloExport)}`);
  if (d.activeDisk !== undefined) parts.push(`active-disk=${checkValue('active-disk', d.activeDisk)}`);
  if (d.hiddenDisk !== undefined) parts.push(`hidden-disk=${checkValue('hidden-disk', d.hiddenDisk)}`);
  if (target !== '' && !positionalTarget) {
    // target= swallows the rest of the spec, so it must come last; xl strips one trailing comma from it.
    if (target.endsWith(',')) throw new SpecSyntaxError('disk target may not end with ","', target);
    parts.push(`target=${target}`);
  }
  return parts.join(',');
}

const VDEV_RE = /^(?:xvd([a-z]{1,3})([1-9][0-9]{0,2})?|hd([a-d])([1-9][0-9]?)?|sd([a-p])([1-9][0-9]?)?)$/;

/**
 * True for the vdev names of xen-vbd-interface(7) we accept: xvd<letters>[partition 1-15 (1-255 for disks past
 * xvdp)], hd[a-d][1-63], sd[a-p][1-15]. The numeric forms (d0p1, 51712) are refused: nobody types them.
 */
export function isValidVdev(v: string): boolean {
  const m = VDEV_RE.exec(v);
  if (!m) return false;
  if (m[1] !== undefined) {
    const disk = letterIndex(m[1]);
    const part = m[2] === undefined ? 0 : Number(m[2]);
    return part <= (disk < 16 ? 15 : 255);
  }
  if (m[3] !== undefined) return m[4] === undefined || Number(m[4]) <= 63;
  return m[6] === undefined || Number(m[6]) <= 15;
}

/** The disk number of a vdev's letters, base-26 as xen-vbd-interface(7) counts them (a=0, z=25, aa=26). */
/**
 * What makes two vdevs the same device. In an HVM guest qemu emulates xvdX and hdX alike as IDE disk X, so xvda and
 * hda collide; sdX is SCSI and separate. A PV guest only sees the names.
 */
export function vdevKey(vdev: string, hvm: boolean): string {
  const m = /^(xvd|hd)([a-z]+)([0-9]*)$/.exec(vdev);
  return hvm && m ? `ide:${letterIndex(m[2] as string)}:${m[3] as string}` : vdev;
}

export function letterIndex(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 96);
  return n - 1;
}
