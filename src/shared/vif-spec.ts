import { describeControlChar, findControlChar, SpecSyntaxError } from './validate-helpers';

/** One entry of xl.cfg's `vif = [...]`, per xl-network-configuration(5). Every key is optional. */
export interface VifSpec {
  /** Guest MAC, normalised to lower-case `xx:xx:xx:xx:xx:xx`. */
  mac?: string;
  bridge?: string;
  /** Emulated NIC for HVM guests: rtl8139 (default), e1000, virtio-net... */
  model?: string;
  type?: 'ioemu' | 'vif';
  /** Backend interface name in dom0. */
  vifname?: string;
  /** Hotplug script. */
  script?: string;
  /** Space-separated IP address(es) for the hotplug script. */
  ip?: string;
  /** Outgoing rate limit such as `10Mb/s` or `1MB/s@20ms`. */
  rate?: string;
  /** Backend domain name. */
  backend?: string;
  /** `gatewaydev` (its deprecated alias `netdev` is read into this too). */
  gatewaydev?: string;
  devid?: number;
  mtu?: number;
  /** `trusted` / `untrusted`. */
  trusted?: boolean;
  /** Other parameters xl accepts (vlan, forwarddev, colo_*, accel), kept verbatim in order. */
  other?: Record<string, string>;
}

type StringField = 'bridge' | 'model' | 'vifname' | 'script' | 'ip' | 'rate' | 'backend' | 'gatewaydev';
const STRING_FIELDS: readonly StringField[] = ['bridge', 'model', 'vifname', 'script', 'ip', 'rate', 'backend', 'gatewaydev'];
const OTHER_KEY_RE = /^(vlan|forwarddev|accel|colo_[a-z0-9_]+)$/;

function fail(spec: string, message: string): never {
  throw new SpecSyntaxError(`vif spec ${JSON.stringify(spec)}: ${message}`, spec);
}

/** What a lenient read of a vif spec could not take: the key it was on (null for an item that is not one) and why. */
export interface VifSpecProblem {
  key: string | null;
  message: string;
}

/** Every key a vif spec may have, for naming the field a problem is on. */
const KNOWN_KEYS: Record<string, true> = Object.fromEntries(['mac', 'type', 'devid', 'mtu', ...STRING_FIELDS].map((k) => [k, true]));

function uintProblem(key: string, v: string, max: number): string | null {
  return /^[0-9]+$/.test(v) && Number(v) <= max ? null : `${key} must be a whole number up to ${max}`;
}

/** Reads one `key=value` item into `out`; the problem when xl would complain about it (the item is then skipped). */
function readVifItem(out: VifSpec, key: string, value: string): string | null {
  if (key === 'mac') {
    const mac = normaliseMac(value);
    if (mac === null) return `bad mac "${value}" (must be six hex pairs like 00:16:3e:12:34:56)`;
    out.mac = mac;
  } else if (key === 'type') {
    if (value !== 'ioemu' && value !== 'vif') return `type must be ioemu or vif, not "${value}"`;
    out.type = value;
  } else if (key === 'netdev') {
    out.gatewaydev = value;
  } else if ((STRING_FIELDS as readonly string[]).includes(key)) {
    out[key as StringField] = value;
  } else if (key === 'devid' || key === 'mtu') {
    const problem = uintProblem(key, value, 65535);
    if (problem !== null) return problem;
    out[key] = Number(value);
  } else if (OTHER_KEY_RE.test(key)) {
    out.other = { ...out.other, [key]: value };
  } else {
    return `unknown parameter "${key}"`;
  }
  return null;
}

/**
 * Reads one vif spec the way xl does (comma-separated `key=value` items, blanks before an item ignored, empty items
 * skipped): an item xl complains about (a malformed mac, an unknown key) is reported and skipped, and the rest of the
 * interface is kept, as xl itself keeps it.
 */
export function parseVifSpecLenient(spec: string): { vif: VifSpec; problems: VifSpecProblem[] } {
  const vif: VifSpec = {};
  const problems: VifSpecProblem[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.replace(/^ +/, '');
    if (item === '') continue;
    if (item === 'trusted' || item === 'untrusted') {
      vif.trusted = item === 'trusted';
      continue;
    }
    const eq = item.indexOf('=');
    if (eq === -1) {
      problems.push({ key: null, message: `"${item}" is not key=value` });
      continue;
    }
    const key = item.slice(0, eq);
    const message = readVifItem(vif, key, item.slice(eq + 1));
    if (message !== null) problems.push({ key: Object.hasOwn(KNOWN_KEYS, key) ? key : null, message });
  }
  return { vif, problems };
}

/**
 * Parses one vif spec as xl does. Unknown keys and a malformed mac or type throw SpecSyntaxError: a config Xenith
 * writes must not have them (parseVifSpecLenient reads what xl would still accept).
 */
export function parseVifSpec(spec: string): VifSpec {
  const { vif, problems } = parseVifSpecLenient(spec);
  const first = problems[0];
  if (first !== undefined) fail(spec, first.message);
  return vif;
}

function checkValue(key: string, v: string): string {
  const ctl = findControlChar(v);
  if (ctl !== undefined) throw new SpecSyntaxError(`vif ${key} contains ${describeControlChar(ctl)}`, v);
  if (v.includes(',')) throw new SpecSyntaxError(`vif ${key} may not contain ","`, v);
  return v;
}

/** Formats a vif in a fixed key order (mac, bridge, type, model, ...); throws SpecSyntaxError for unwritable values. */
export function formatVifSpec(v: VifSpec): string {
  const parts: string[] = [];
  if (v.mac !== undefined) {
    const mac = normaliseMac(v.mac);
    if (mac === null) throw new SpecSyntaxError(`vif mac "${v.mac}" is not a MAC address`, v.mac);
    parts.push(`mac=${mac}`);
  }
  if (v.bridge !== undefined) parts.push(`bridge=${checkValue('bridge', v.bridge)}`);
  if (v.type !== undefined) {
    if (v.type !== 'ioemu' && v.type !== 'vif') throw new SpecSyntaxError(`vif type "${String(v.type)}"`, String(v.type));
    parts.push(`type=${v.type}`);
  }
  for (const key of ['model', 'vifname', 'script', 'ip', 'rate', 'backend', 'gatewaydev'] as const) {
    const value = v[key];
    if (value !== undefined) parts.push(`${key}=${checkValue(key, value)}`);
  }
  for (const key of ['devid', 'mtu'] as const) {
    const value = v[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0 || value > 65535) throw new SpecSyntaxError(`vif ${key} ${value}`, String(value));
    parts.push(`${key}=${value}`);
  }
  for (const [key, value] of Object.entries(v.other ?? {})) {
    if (!OTHER_KEY_RE.test(key)) throw new SpecSyntaxError(`unknown vif parameter "${key}"`, key);
    parts.push(`${key}=${checkValue(key, value)}`);
  }
  if (v.trusted !== undefined) parts.push(v.trusted ? 'trusted' : 'untrusted');
  return parts.join(',');
}

const MAC_RE = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** True for six colon-separated hex pairs (either case). */
export function isValidMac(mac: string): boolean {
  return MAC_RE.test(mac);
}

/** True when a valid MAC is a unicast address (multicast bit clear) and not all zeros, as a NIC needs. */
export function isUnicastMac(mac: string): boolean {
  const n = normaliseMac(mac);
  if (n === null || n === '00:00:00:00:00:00') return false;
  return (parseInt(n.slice(0, 2), 16) & 1) === 0;
}

/** Lower-case, colon-separated form of a MAC written with `:` or `-`; null when it is not a MAC. */
export function normaliseMac(mac: string): string | null {
  const s = mac.replaceAll('-', ':');
  return isValidMac(s) ? s.toLowerCase() : null;
}

function defaultRandomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/**
 * A random MAC in Xen's OUI 00:16:3e, with the top bit of the fourth byte clear as libxl's own generator does.
 * `rand` supplies the random bytes (tests pass a fixed source).
 */
export function randomXenMac(rand: (n: number) => Uint8Array = defaultRandomBytes): string {
  const r = rand(3);
  const bytes = [0x00, 0x16, 0x3e, (r[0] ?? 0) & 0x7f, r[1] ?? 0, r[2] ?? 0];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}
