import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SimFailure, type SimHost } from './host';

/*
 * The demo host's disks and LVM: block devices as lsblk shows them, volume groups and logical volumes, answered in the
 * formats the Debian 12 test host prints (captured in test/unit/xen/storage). Kept in storage.json beside the host's
 * state, seeded on first start with a volume group "vg0" (a thin pool and two volumes) and one empty disk.
 */

export interface SimBlockDevice {
  path: string;
  size: number;
  model: string;
  mountpoint: string | null;
  fstype: string | null;
  /** Partitions: lsblk lists them with this device as PKNAME. */
  parts: { path: string; size: number; mountpoint: string | null; fstype: string | null }[];
}

export interface SimLv {
  vg: string;
  name: string;
  size: number;
  /** "-wi-a-----" plain, "twi-aotz--" thin pool, "Vwi-a-tz--" thin volume. */
  attr: string;
  pool: string;
  /** A snapshot's origin volume ("swi-a-s---" thick, "Vwi---tz-k" thin). */
  origin?: string;
}

export interface SimStorageState {
  version: 1;
  devices: SimBlockDevice[];
  vgs: { name: string; size: number; pvs: string[] }[];
  lvs: SimLv[];
  /** NFS exports the demo's network offers ("server:/path"), and what is mounted where. */
  exports?: string[];
  mounts?: { source: string; path: string }[];
  /** The internal snapshots of qcow2 files, by host path: their tags and when each was made. */
  qcowSnaps?: Record<string, { tag: string; date: number }[]>;
}

const GiB = 1024 ** 3;
/** LVM's default extent: sizes are rounded up to it. */
export const EXTENT = 4 * 1024 * 1024;

function seed(): SimStorageState {
  return {
    version: 1,
    devices: [
      { path: '/dev/nvme0n1', size: 256 * GiB, model: 'Samsung SSD 980 PRO 256GB', mountpoint: null, fstype: null, parts: [
        { path: '/dev/nvme0n1p1', size: GiB / 2, mountpoint: '/boot/efi', fstype: 'vfat' },
        { path: '/dev/nvme0n1p2', size: 255 * GiB, mountpoint: '/', fstype: 'ext4' },
      ] },
      { path: '/dev/sda', size: 1024 * GiB, model: 'WDC WD10EFRX-68F', mountpoint: null, fstype: 'LVM2_member', parts: [] },
      { path: '/dev/sdb', size: 512 * GiB, model: 'ST500DM009-2F110', mountpoint: null, fstype: null, parts: [] },
      { path: '/dev/sr0', size: 1073741312, model: 'HL-DT-ST DVDRAM GH24NSD1', mountpoint: null, fstype: null, parts: [] },
    ],
    vgs: [{ name: 'vg0', size: 1024 * GiB - EXTENT, pvs: ['/dev/sda'] }],
    exports: ['nas.example.lan:/srv/xen'],
    mounts: [],
    lvs: [
      { vg: 'vg0', name: 'thinpool', size: 256 * GiB, attr: 'twi-aotz--', pool: '' },
      { vg: 'vg0', name: 'build-cache', size: 40 * GiB, attr: '-wi-a-----', pool: '' },
      { vg: 'vg0', name: 'scratch', size: 64 * GiB, attr: 'Vwi-a-tz--', pool: 'thinpool' },
    ],
  };
}

/** The demo host's LVM and disks, persisted in `<stateDir>/storage.json`. */
export class SimStorage {
  readonly state: SimStorageState;

  constructor(private readonly file: string) {
    let s: SimStorageState | null = null;
    if (existsSync(file)) {
      try {
        const raw = JSON.parse(readFileSync(file, 'utf8')) as SimStorageState;
        if (raw.version === 1 && Array.isArray(raw.lvs)) s = raw;
      } catch {
        s = null;
      }
    }
    this.state = s ?? seed();
    if (s === null) this.persist();
  }

  /** Where an export's files wait while it is not mounted (the demo's "server" side). */
  exportDir(source: string): string {
    return path.join(path.dirname(this.file), 'nfs-exports', source.replace(/[^A-Za-z0-9.-]/g, '_'));
  }

  persist(): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.state));
  }

  /** Bytes of a volume group its logical volumes take (thin volumes live inside their pool). */
  used(vg: string): number {
    return this.state.lvs.filter((l) => l.vg === vg && !l.attr.startsWith('V')).reduce((n, l) => n + l.size, 0);
  }

  vg(name: string): SimStorageState['vgs'][number] {
    const g = this.state.vgs.find((v) => v.name === name);
    if (!g) throw new SimFailure(`  Volume group "${name}" not found\n  Cannot process volume group ${name}\n`, 5);
    return g;
  }

  lv(ref: string): SimLv {
    const [vg, name] = ref.split('/');
    const l = this.state.lvs.find((x) => x.vg === vg && x.name === name);
    if (!l) throw new SimFailure(`  Failed to find logical volume "${ref}"\n`, 5);
    return l;
  }
}

/** Rounds up to whole extents, as LVM does ("Rounding up size to full physical extent"). */
export const extents = (bytes: number): number => Math.ceil(bytes / EXTENT) * EXTENT;

/** Whether a running domain of `host` has /dev/VG/LV open as a disk. */
export function lvOpen(host: SimHost, l: SimLv): boolean {
  const p = `/dev/${l.vg}/${l.name}`;
  return host.state.domains.some((d) => (d.phase === 'running' || d.phase === 'paused') && d.config.disks.some((x) => x.target === p));
}
