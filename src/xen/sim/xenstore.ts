import type { SimDisk, SimDomain } from './model';
import { simNetXenstore } from './net';

/** Per-domain facts xenstore exposes that live outside the domain record. */
export interface XsExtras {
  vncPort?: number;
  /** Host pty xenconsoled would hand out. */
  tty: string;
}

function cmpPath(a: string, b: string): number {
  const sa = a.split('/');
  const sb = b.split('/');
  for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
    const x = sa[i] ?? '';
    const y = sb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return sa.length - sb.length;
}

/** Adds every ancestor directory (value "") under `root` and sorts the way xenstore-ls walks the tree. */
function withDirs(leaves: Map<string, string>, root: string): [string, string][] {
  const all = new Map(leaves);
  for (const p of leaves.keys()) {
    let cur = p;
    for (;;) {
      const i = cur.lastIndexOf('/');
      if (i <= root.length) break;
      cur = cur.slice(0, i);
      if (!all.has(cur)) all.set(cur, '');
    }
  }
  return [...all.entries()].sort((a, b) => cmpPath(a[0], b[0]));
}

/** dom0's own subtree (as captured on the real host). */
export function dom0Entries(dom0KiB: number): [string, string][] {
  const r = '/local/domain/0';
  const m = new Map<string, string>([
    [`${r}/control/feature-poweroff`, '1'],
    [`${r}/control/feature-reboot`, '1'],
    [`${r}/control/feature-suspend`, '1'],
    [`${r}/domid`, '0'],
    [`${r}/memory/static-max`, String(dom0KiB)],
    [`${r}/memory/target`, String(dom0KiB)],
    [`${r}/name`, 'Domain-0'],
  ]);
  return withDirs(m, r);
}

/** Writes one subtree key; `k` is relative to the domain's root. */
type SetEntry = (k: string, v: string | number) => void;

/** True for an HVM guest's CD drive: qemu emulates it, libxl gives it a qdisk backend (captured on Xen 4.17). */
export function isEmulatedCd(d: SimDomain, disk: SimDisk): boolean {
  return d.config.type === 'hvm' && disk.cdrom;
}

/** A disk's backend directory in dom0's subtree. */
function backendPath(d: SimDomain, disk: SimDisk): string {
  return `/local/domain/0/backend/${isEmulatedCd(d, disk) ? 'qdisk' : 'vbd'}/${d.domid}/${disk.devid}`;
}

/**
 * The backend side of each disk, under /local/domain/0/backend: what the drive holds now (`params`: `aio:PATH` for a
 * qdisk, the plain path for phy, "" once cd-eject emptied it, as test/fixtures/xenstore-ls-qdisk-cd-*.txt show).
 */
export function backendEntries(domains: readonly SimDomain[]): [string, string][] {
  const m = new Map<string, string>();
  for (const d of domains) {
    for (const disk of d.config.disks) {
      const b = backendPath(d, disk);
      const qdisk = isEmulatedCd(d, disk);
      const prefix = disk.format === 'raw' ? 'aio' : disk.format;
      m.set(`${b}/dev`, disk.vdev);
      m.set(`${b}/device-type`, disk.cdrom ? 'cdrom' : 'disk');
      m.set(`${b}/frontend`, `/local/domain/${d.domid}/device/vbd/${disk.devid}`);
      m.set(`${b}/frontend-id`, String(d.domid));
      m.set(`${b}/mode`, disk.readwrite ? 'w' : 'r');
      m.set(`${b}/online`, '1');
      m.set(`${b}/params`, qdisk ? (disk.target === '' ? '' : `${prefix}:${disk.target}`) : disk.target);
      if (disk.cdrom) m.set(`${b}/removable`, '1');
      m.set(`${b}/state`, qdisk ? '2' : '4');
      m.set(`${b}/type`, qdisk ? 'qdisk' : 'phy');
    }
    for (const [k, v] of simNetXenstore(d).backend) m.set(k, v);
  }
  return withDirs(m, '/local/domain/0');
}

/** dom0's subtree with the backends of `domains` (the live ones) under it, in xenstore-ls order. */
export function dom0Subtree(dom0KiB: number, domains: readonly SimDomain[]): [string, string][] {
  return [...dom0Entries(dom0KiB), ...backendEntries(domains)].sort((a, b) => cmpPath(a[0], b[0]));
}

/** The frontend side of each disk and NIC, with event channels and grant refs numbered the way the capture shows them. */
function deviceEntries(set: SetEntry, d: SimDomain): void {
  let evt = 9;
  let ref = 8;
  for (const disk of d.config.disks) {
    const b = `device/vbd/${disk.devid}`;
    set(`${b}/backend`, backendPath(d, disk));
    set(`${b}/backend-id`, 0);
    set(`${b}/device-type`, disk.cdrom ? 'cdrom' : 'disk');
    if (isEmulatedCd(d, disk)) {
      // No PV frontend drives it: the captured frontend stays in state 1 with no ring.
      set(`${b}/state`, 1);
      set(`${b}/trusted`, 1);
      set(`${b}/virtual-device`, disk.devid);
      continue;
    }
    set(`${b}/event-channel`, evt++);
    set(`${b}/feature-persistent`, 1);
    set(`${b}/protocol`, 'x86_64-abi');
    set(`${b}/ring-ref`, ref++);
    set(`${b}/state`, 4);
    set(`${b}/trusted`, 1);
    set(`${b}/virtual-device`, disk.devid);
  }
  for (const nic of d.config.nics) {
    const b = `device/vif/${nic.devid}`;
    set(`${b}/backend`, `/local/domain/0/backend/vif/${d.domid}/${nic.devid}`);
    set(`${b}/backend-id`, 0);
    set(`${b}/handle`, nic.devid);
    set(`${b}/mac`, nic.mac);
    set(`${b}/mtu`, 1500);
    set(`${b}/state`, 4);
  }
}

/** A domU's subtree, shaped like the captured /local/domain/1 listing, plus VNC keys for HVM guests with vnc=1. */
export function domUEntries(d: SimDomain, x: XsExtras): [string, string][] {
  const r = `/local/domain/${d.domid}`;
  const m = new Map<string, string>();
  const set: SetEntry = (k, v) => {
    m.set(`${r}/${k}`, String(v));
  };
  m.set(`${r}/attr`, '');
  for (const [k, v] of simNetXenstore(d).attr) m.set(k, v);
  set('console/backend', `/local/domain/0/backend/console/${d.domid}/0`);
  set('console/backend-id', 0);
  set('console/limit', 1048576);
  set('console/output', 'pty');
  set('console/port', 2);
  set('console/ring-ref', 519170);
  set('console/tty', x.tty);
  set('console/type', 'xenconsoled');
  if (d.config.vnc && x.vncPort !== undefined) {
    set('console/vnc-listen', d.config.vncListen);
    set('console/vnc-port', x.vncPort);
  }
  for (const f of ['feature-poweroff', 'feature-reboot', 'feature-suspend', 'platform-feature-multiprocessor-suspend', 'platform-feature-xs_reset_watches']) set(`control/${f}`, 1);
  const asked = d.pending?.kind === 'halted' ? d.pending.reason : d.requestedShutdown;
  set('control/shutdown', asked === undefined ? '' : asked === 1 ? 'reboot' : 'poweroff');
  set('control/sysrq', '');
  for (let i = 0; i < d.config.maxVcpus; i++) set(`cpu/${i}/availability`, i < d.onlineVcpus ? 'online' : 'offline');
  m.set(`${r}/data`, '');
  m.set(`${r}/device/suspend/event-channel`, '');
  deviceEntries(set, d);
  set('domid', d.domid);
  m.set(`${r}/drivers`, '');
  m.set(`${r}/error`, '');
  m.set(`${r}/feature`, '');
  set('memory/static-max', d.config.maxMemMiB * 1024);
  set('memory/target', d.targetKiB);
  set('memory/videoram', d.config.type === 'hvm' ? 8192 : 0);
  set('name', d.config.name);
  set('store/port', 1);
  set('store/ring-ref', 519169);
  set('vm', `/vm/${d.config.uuid}`);
  return withDirs(m, r);
}

/** `xenstore-ls [-f] PATH` text for the given sorted entries under `root` (root itself not printed). */
export function formatXenstoreLs(entries: readonly [string, string][], root: string, full: boolean): string {
  let out = '';
  const base = root === '/' ? '' : root.replace(/\/$/, '');
  const baseDepth = base === '' ? 0 : base.split('/').length;
  for (const [p, v] of entries) {
    if (p === base || !p.startsWith(`${base}/`)) continue;
    if (full) out += `${p} = "${v}"\n`;
    else {
      const segs = p.split('/');
      const depth = segs.length - baseDepth - 1;
      out += `${' '.repeat(depth)}${segs[segs.length - 1] ?? ''} = "${v}"\n`;
    }
  }
  return out;
}
