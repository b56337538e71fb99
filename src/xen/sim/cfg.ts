import { createHash } from 'node:crypto';
import { parseXlConfig, type XlValue } from '../config/xl-config';
import { XenError } from '../errors';
import { xlMac } from './xl-warnings';
import type { SimAction, SimDisk, SimDomainConfig, SimGuestType, SimNic } from './model';

/** A value in an xl.cfg file: number, string or list of strings. */
export type CfgValue = number | string | string[];

/** Thrown text mirrors xl's own config complaints. */
export class CfgError extends Error {}

function flatten(v: XlValue): CfgValue {
  if (!Array.isArray(v)) return v;
  return v.map((x) => (Array.isArray(x) ? x.map(String).join(',') : String(x)));
}

/** Reads xl.cfg text with the app's own parser (parseXlConfig) into the flat values the simulator uses. */
export function parseCfgText(text: string, source: string): Record<string, CfgValue> {
  let obj: Record<string, XlValue>;
  try {
    obj = parseXlConfig(text).toObject();
  } catch (e) {
    if (e instanceof XenError) throw new CfgError(`${source}: config parsing error: ${e.message}`);
    throw e;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, flatten(v)]));
}

/** Linux/Xen device number of a virtual disk name (xvda -> 51712, hda -> 768, sdb -> 2064); -1 when not recognised. */
export function vdevToDevid(vdev: string): number {
  const m = /^(xvd|hd|sd)([a-z]+)([0-9]*)$/.exec(vdev);
  if (!m || !m[1] || !m[2]) return /^[0-9]+$/.test(vdev) ? Number(vdev) : -1;
  let idx = 0;
  for (const ch of m[2]) idx = idx * 26 + (ch.charCodeAt(0) - 96);
  idx -= 1;
  const part = m[3] ? Number(m[3]) : 0;
  if (m[1] === 'xvd') return idx < 16 ? (202 << 8) | (idx << 4) | part : (1 << 28) | (idx << 8) | part;
  if (m[1] === 'hd') {
    if (idx > 3) return -1;
    return ((idx < 2 ? 3 : 22) << 8) | ((idx % 2) << 6) | part;
  }
  return idx < 16 ? (8 << 8) | (idx << 4) | part : -1;
}

/** Parses one `disk=[...]` entry (positional or key=value, see xl-disk-configuration(5)). */
export function parseDisk(spec: string): SimDisk {
  const positional: string[] = [];
  const kv: Record<string, string> = {};
  let targetSeen = false;
  for (const raw of spec.split(',')) {
    const tok = raw.trim();
    if (targetSeen) {
      // Everything after target= belongs to the target (it may contain commas).
      kv['target'] = `${kv['target'] ?? ''},${raw}`;
      continue;
    }
    const eq = tok.indexOf('=');
    const k = eq > 0 ? tok.slice(0, eq) : '';
    if (eq > 0 && /^(target|format|vdev|access|devtype|backend|backendtype|script|direct-io-safe|discard|no-discard|colo-host|colo-port|trusted|specification)$/.test(k)) {
      kv[k] = tok.slice(eq + 1);
      if (k === 'target') targetSeen = true;
    } else if (tok === 'cdrom' || tok === 'devtype=cdrom') kv['devtype'] = 'cdrom';
    else positional.push(tok);
  }
  let [target, format, vdev, access] = ['', '', '', ''];
  if (positional.length === 3) [target, vdev, access] = positional as [string, string, string];
  else if (positional.length >= 4) [target, format, vdev, access] = positional as [string, string, string, string];
  else if (positional.length === 2) [target, vdev] = positional as [string, string];
  else if (positional.length === 1) [target] = positional as [string];
  target = kv['target'] ?? target;
  format = kv['format'] ?? format;
  vdev = kv['vdev'] ?? vdev;
  access = kv['access'] ?? access;
  let cdrom = kv['devtype'] === 'cdrom';
  if (vdev.endsWith(':cdrom')) {
    cdrom = true;
    vdev = vdev.slice(0, -':cdrom'.length);
  }
  // Legacy prefixes: file:, phy:, tap:aio:, qcow2:...
  const pm = /^(file|phy|tap:aio|tap:qcow2|tap2:aio|aio|raw|qcow|qcow2|vhd):(.*)$/.exec(target);
  if (pm && pm[1] && pm[2] !== undefined) {
    if (/qcow2/.test(pm[1])) format = 'qcow2';
    target = pm[2];
  }
  if (!vdev) throw new CfgError(`no vdev specified in disk spec '${spec}'`);
  const devid = vdevToDevid(vdev);
  if (devid < 0) throw new CfgError(`Invalid virtual disk identifier ${vdev}`);
  return {
    target,
    vdev,
    devid,
    format: format || 'raw',
    readwrite: cdrom ? false : !/^(r|ro)$/.test(access),
    cdrom,
  };
}

/** A stable Xen-OUI MAC (00:16:3e:...) derived from a seed string. */
export function macFor(seed: string): string {
  const h = createHash('sha1').update(seed).digest();
  const b = [h[0] ?? 0, h[1] ?? 0, h[2] ?? 0].map((x, i) => (i === 0 ? x & 0x7f : x));
  return ['00', '16', '3e', ...b.map((x) => x.toString(16).padStart(2, '0'))].join(':');
}

/** Parses one `vif=[...]` entry. */
export function parseVif(spec: string, devid: number, macSeed: string): SimNic {
  const kv: Record<string, string> = {};
  for (const raw of spec.split(',')) {
    const tok = raw.trim();
    if (!tok) continue;
    const eq = tok.indexOf('=');
    if (eq <= 0) throw new CfgError(`Invalid parameter: ${tok}`);
    kv[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  // xl keeps the bytes of a malformed mac it read before the bad one (and warns, see xl-warnings.ts).
  const mac = kv['mac'] === undefined ? macFor(`${macSeed}/${devid}`) : xlMac(kv['mac']).mac;
  const nic: SimNic = { devid, mac, bridge: kv['bridge'] ?? 'xenbr0' };
  if (kv['model']) nic.model = kv['model'];
  if (kv['ip']) nic.ip = kv['ip'];
  return nic;
}

/** A stable v4-looking UUID from a seed. */
export function uuidFor(seed: string): string {
  const h = createHash('sha1').update(`uuid:${seed}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ACTIONS: readonly SimAction[] = ['destroy', 'restart', 'preserve', 'rename-restart', 'coredump-destroy', 'coredump-restart', 'soft-reset'];

function str(v: CfgValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new CfgError('expected a string, got a list');
  return String(v);
}

function num(v: CfgValue | undefined, key: string): number | undefined {
  if (v === undefined) return undefined;
  const x = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(x) || Array.isArray(v)) throw new CfgError(`Invalid value for ${key}`);
  return Math.trunc(x);
}

function list(v: CfgValue | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [String(v)];
}

/** Turns parsed xl.cfg keys into what the simulator runs; `seed` fixes generated UUID/MACs. */
export function simConfigFromCfg(cfg: Record<string, CfgValue>, seed: string): SimDomainConfig {
  const name = str(cfg['name']);
  if (!name) throw new CfgError('Domain name must be specified.');
  const builder = str(cfg['builder']);
  const typeRaw = str(cfg['type']) ?? (builder === 'hvm' ? 'hvm' : 'pv');
  if (typeRaw !== 'pv' && typeRaw !== 'pvh' && typeRaw !== 'hvm') throw new CfgError(`Invalid domain type ${typeRaw}.`);
  const type: SimGuestType = typeRaw;
  const memoryMiB = num(cfg['memory'], 'memory') ?? 128;
  const maxMemMiB = num(cfg['maxmem'], 'maxmem') ?? memoryMiB;
  if (maxMemMiB < memoryMiB) throw new CfgError('maxmem must be greater than or equal to memory');
  const vcpus = num(cfg['vcpus'], 'vcpus') ?? 1;
  const maxVcpus = num(cfg['maxvcpus'], 'maxvcpus') ?? vcpus;
  const action = (key: string, dflt: SimAction): SimAction => {
    const v = str(cfg[key]);
    if (v === undefined) return dflt;
    const a = ACTIONS.find((x) => x === v);
    if (!a) throw new CfgError(`Unknown ${key} action "${v}" specified`);
    return a;
  };
  const uuid = str(cfg['uuid']) ?? uuidFor(`${seed}/${name}`);
  const disks = list(cfg['disk']).map(parseDisk);
  const nics = list(cfg['vif']).map((s, i) => parseVif(s, i, `${seed}/${name}`));
  const c: SimDomainConfig = {
    name,
    type,
    uuid,
    memoryMiB,
    maxMemMiB,
    vcpus,
    maxVcpus,
    disks,
    nics,
    vnc: type === 'hvm' && (num(cfg['vnc'], 'vnc') ?? 0) !== 0,
    vncListen: str(cfg['vnclisten']) ?? '127.0.0.1',
    onPoweroff: action('on_poweroff', 'destroy'),
    onReboot: action('on_reboot', 'restart'),
    onCrash: action('on_crash', 'destroy'),
  };
  const kernel = str(cfg['kernel']);
  const ramdisk = str(cfg['ramdisk']);
  const cmdline = str(cfg['cmdline']) ?? str(cfg['extra']);
  const vncPasswd = str(cfg['vncpasswd']);
  // xl drops an xm-era `kernel = ".../hvmloader"` of an HVM guest (with a warning): the firmware is its own.
  if (kernel && !(type === 'hvm' && kernel.endsWith('/hvmloader'))) c.kernel = kernel;
  if (ramdisk) c.ramdisk = ramdisk;
  if (cmdline) c.cmdline = cmdline;
  if (vncPasswd) c.vncPasswd = vncPasswd;
  return c;
}
