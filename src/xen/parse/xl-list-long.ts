import type { DomainType } from '../../shared/dto';
import { XenError } from '../errors';
import { arrayElementLines, parseJsonOutput } from './json-text';

/** libxl's JSON for a VNC server (libxl_vnc_info); booleans are the strings "True"/"False". */
export interface LibxlVncInfo {
  enable?: string;
  listen?: string;
  display?: number;
  findunused?: string;
  [key: string]: unknown;
}

/** c_info: what the domain is. dom0's has only type and name. */
export interface LibxlCreateInfo {
  type?: string;
  name: string;
  uuid?: string;
  [key: string]: unknown;
}

/** b_info: how it was built. Memory in KiB. The keyed union appears as "type.pv", "type.pvh" or "type.hvm". */
export interface LibxlBuildInfo {
  max_vcpus?: number;
  avail_vcpus?: number[];
  max_memkb?: number;
  target_memkb?: number;
  [key: string]: unknown;
}

/** One disks[] entry (libxl_device_disk). */
export interface LibxlDisk {
  pdev_path?: string;
  vdev?: string;
  format?: string;
  readwrite?: number;
  is_cdrom?: number;
  [key: string]: unknown;
}

/** One nics[] entry (libxl_device_nic). */
export interface LibxlNic {
  devid?: number;
  mac?: string;
  bridge?: string;
  model?: string;
  [key: string]: unknown;
}

/** One vfbs[] entry (libxl_device_vfb): a PV framebuffer, possibly served over VNC. */
export interface LibxlVfb {
  vnc?: LibxlVncInfo;
  [key: string]: unknown;
}

/** A domain's stored configuration as `xl list -l` prints it (libxl_domain_config). Loosely typed beyond what we read. */
export interface LibxlDomainConfig {
  c_info: LibxlCreateInfo;
  b_info: LibxlBuildInfo;
  disks?: LibxlDisk[];
  nics?: LibxlNic[];
  vfbs?: LibxlVfb[];
  on_poweroff?: string;
  on_reboot?: string;
  on_watchdog?: string;
  on_crash?: string;
  on_soft_reset?: string;
  [key: string]: unknown;
}

/** One element of `xl list -l`'s array. */
export interface XlListLongEntry {
  domid: number;
  config: LibxlDomainConfig;
}

/** A disk as the domain list shows it. */
export interface LongDiskSummary {
  vdev: string | null;
  /** The backing file or device (pdev_path); null for an empty CD drive. */
  target: string | null;
  format: string | null;
  readonly: boolean;
  cdrom: boolean;
}

/** A network interface as the domain list shows it. */
export interface LongNicSummary {
  devid: number | null;
  mac: string | null;
  bridge: string | null;
  model: string | null;
}

/** The facts of one `xl list -l` entry that the domain list needs; null where libxl did not store the value (dom0). */
export interface LongEntrySummary {
  name: string;
  domid: number;
  uuid: string | null;
  type: DomainType | null;
  maxMemKiB: number | null;
  targetMemKiB: number | null;
  /** maxMemKiB in whole MiB (rounded down), for the list. */
  maxMemMiB: number | null;
  maxVcpus: number | null;
  hasVnc: boolean;
  disks: LongDiskSummary[];
  nics: LongNicSummary[];
}

const WHAT = 'xl list -l';

/** Parses `xl list -l` (a JSON array of {domid, config}); bad JSON or an entry without the keys we read is PARSE with its line. */
export function parseXlListLong(text: string): XlListLongEntry[] {
  if (text.trim() === '') throw new XenError('PARSE', `${WHAT}: line 1: empty output, expected a JSON array`, { line: 1 });
  const data = parseJsonOutput(WHAT, text);
  if (!Array.isArray(data)) {
    throw new XenError('PARSE', `${WHAT}: line 1: expected a JSON array of domains`, { line: 1 });
  }
  const lines = arrayElementLines(text);
  return data.map((el: unknown, i) => checkEntry(el, lines[i] ?? 1, i));
}

function bad(line: number, entry: number, message: string): XenError {
  return new XenError('PARSE', `${WHAT}: line ${line}: entry ${entry}: ${message}`, { line, entry });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkEntry(el: unknown, line: number, i: number): XlListLongEntry {
  if (!isObject(el)) throw bad(line, i, 'expected an object');
  const domid = el.domid;
  if (typeof domid !== 'number' || !Number.isInteger(domid) || domid < 0) throw bad(line, i, 'domid is not a domain id');
  const config = el.config;
  if (!isObject(config)) throw bad(line, i, 'missing config');
  const c = config.c_info;
  const b = config.b_info;
  if (!isObject(c)) throw bad(line, i, 'missing config.c_info');
  if (!isObject(b)) throw bad(line, i, 'missing config.b_info');
  if (typeof c.name !== 'string') throw bad(line, i, 'config.c_info.name is not a string');
  for (const key of ['type', 'uuid'] as const) {
    if (c[key] !== undefined && typeof c[key] !== 'string') throw bad(line, i, `config.c_info.${key} is not a string`);
  }
  for (const key of ['max_vcpus', 'max_memkb', 'target_memkb'] as const) {
    const v = b[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw bad(line, i, `config.b_info.${key} is not a number`);
    }
  }
  const avail = b.avail_vcpus;
  if (avail !== undefined && !(Array.isArray(avail) && avail.every((x) => typeof x === 'number'))) {
    throw bad(line, i, 'config.b_info.avail_vcpus is not a list of numbers');
  }
  for (const key of ['disks', 'nics', 'vfbs'] as const) {
    const v = config[key];
    if (v !== undefined && !(Array.isArray(v) && v.every(isObject))) throw bad(line, i, `config.${key} is not a list of objects`);
  }
  return { domid, config: config as LibxlDomainConfig };
}

const TYPES: readonly DomainType[] = ['pv', 'pvh', 'hvm'];

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function vncOn(v: unknown): boolean {
  return isObject(v) && v.enable === 'True';
}

/**
 * The list's facts from one entry. Type is c_info.type, else which "type.*" union b_info holds. VNC counts only
 * where libxl stored enable "True" (b_info["type.hvm"].vnc for HVM, vfbs[].vnc for PV/PVH framebuffers); the
 * running truth is xenstore's console/vnc-port (see vncFrom in xenstore.ts).
 */
export function summariseLongEntry(entry: XlListLongEntry): LongEntrySummary {
  const { c_info: c, b_info: b } = entry.config;
  const declared = str(c.type);
  let type: DomainType | null = TYPES.find((t) => t === declared) ?? null;
  if (type === null && declared === null) type = TYPES.find((t) => isObject(b[`type.${t}`])) ?? null;
  const hvm = b['type.hvm'];
  const hasVnc = (isObject(hvm) && vncOn(hvm.vnc)) || (entry.config.vfbs ?? []).some((f) => vncOn(f.vnc));
  const maxMemKiB = num(b.max_memkb);
  return {
    name: c.name,
    domid: entry.domid,
    uuid: str(c.uuid),
    type,
    maxMemKiB,
    targetMemKiB: num(b.target_memkb),
    maxMemMiB: maxMemKiB === null ? null : Math.floor(maxMemKiB / 1024),
    maxVcpus: num(b.max_vcpus),
    hasVnc,
    disks: (entry.config.disks ?? []).map((d) => ({
      vdev: str(d.vdev),
      target: str(d.pdev_path),
      format: str(d.format),
      // libxl leaves readwrite out when it is 0.
      readonly: d.readwrite !== 1,
      cdrom: d.is_cdrom === 1,
    })),
    nics: (entry.config.nics ?? []).map((n) => ({
      devid: num(n.devid),
      mac: str(n.mac),
      bridge: str(n.bridge),
      model: str(n.model),
    })),
  };
}
