import { z } from 'zod';
import { absPathProblem, ruleSchema } from './rules';

/*
 * Storage pools and volumes: what the Storage view, the wizard's disk and ISO choices and the CD dialog show, and the
 * rules for the names and sizes a person types. A pool is a directory of image files or an LVM volume group; the
 * list of pools lives in /etc/xenith/pools.json, which the root broker reads as part of its policy.
 */

/**
 * Xen's usual directories on Debian, which Xenith offers by default. Stock xen-utils creates neither, so Xenith makes
 * each the first time it is needed (through the broker's policy) and says so.
 */
export const DEFAULT_IMAGE_DIR = '/var/lib/xen/images';
export const DEFAULT_SAVE_DIR = '/var/lib/xen/save';

export const POOL_KINDS = ['dir', 'lvm', 'nfs'] as const;
export type PoolKind = (typeof POOL_KINDS)[number];

/** A pool name: 1-32 letters, digits, `_ . -`, not starting with `-` or `.`. */
export function poolNameProblem(n: string): string | null {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/.test(n) ? null : 'must be 1-32 letters, digits, "_", "." or "-", not starting with "-" or "."';
}

/**
 * A volume (image file or logical volume) name: 1-100 letters, digits, `_ . + -`, not starting with `-` or `.`, and
 * none of the words LVM keeps for itself (lvm(8): "snapshot", "pvmove", "_mlog" ... in an LV name).
 */
export function volumeNameProblem(n: string): string | null {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,99}$/.test(n)) return 'must be 1-100 letters, digits, "_", ".", "+" or "-", not starting with "-" or "."';
  if (/snapshot|pvmove|_cdata|_cmeta|_corig|_mimage|_mlog|_rimage|_rmeta|_tdata|_tmeta|_vorigin|_vdata/.test(n)) return 'may not contain a word LVM keeps for itself (snapshot, pvmove, _tdata ...)';
  return null;
}

/** An LVM volume group name: 1-64 letters, digits, `_ . + -`, not starting with `-`, not "." or "..". */
export function vgNameProblem(n: string): string | null {
  if (!/^[A-Za-z0-9_+][A-Za-z0-9_.+-]{0,63}$/.test(n)) return 'must be 1-64 letters, digits, "_", ".", "+" or "-", not starting with "-" or "."';
  return null;
}

/** A whole block device under /dev (a disk, not a partition of one in use; the broker checks dom0 does not use it). */
export function blockDevicePathProblem(p: string): string | null {
  const abs = absPathProblem(p);
  if (abs !== null) return abs;
  return /^\/dev\/[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(p) ? null : 'must be a device under /dev, like /dev/sdb';
}

/** An NFS server: a host name or IPv4 address (letters, digits, "." and "-"; not starting with "-" or "."). */
export function nfsServerProblem(s: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/.test(s) ? null : 'must be a host name or IPv4 address, like nas.example.org or 192.168.1.10';
}

export const nfsServerSchema = ruleSchema(nfsServerProblem, 'The NFS server');
export const poolNameSchema = ruleSchema(poolNameProblem, 'The pool name');
export const volumeNameSchema = ruleSchema(volumeNameProblem, 'The volume name');
export const vgNameSchema = ruleSchema(vgNameProblem, 'The volume group name');
export const blockDeviceSchema = ruleSchema(blockDevicePathProblem, 'The device');
const dirSchema = ruleSchema(absPathProblem, 'The directory');

/** A pool as it is kept in pools.json. */
export const poolDefSchema = z.discriminatedUnion('kind', [
  z.object({ name: poolNameSchema, kind: z.literal('dir'), path: dirSchema, iso: z.boolean().optional() }).strict(),
  z.object({ name: poolNameSchema, kind: z.literal('lvm'), vg: vgNameSchema }).strict(),
  // An NFS export mounted at `path`; its volumes are files there, as in a directory pool.
  // `persist`: also mounted at boot, by a line Xenith keeps in /etc/fstab. `iso`: the ISO library (a NAS often is).
  z.object({ name: poolNameSchema, kind: z.literal('nfs'), server: nfsServerSchema, export: ruleSchema(absPathProblem, 'The export'), path: dirSchema, persist: z.boolean().optional(), iso: z.boolean().optional() }).strict(),
]);
export type PoolDef = z.output<typeof poolDefSchema>;

/** The directory whose files are a pool's volumes (a directory pool, an NFS mount point), or null for LVM. */
export function poolFileDir(p: PoolDef): string | null {
  return p.kind === 'lvm' ? null : p.path;
}

/** The path a volume `name` of pool `p` has: a file in its directory, or /dev/VG/NAME. */
export function volumePath(p: PoolDef, name: string): string {
  return p.kind === 'lvm' ? `/dev/${p.vg}/${name}` : `${p.path}/${name}`;
}

/** A pool as listed: its definition and how full it is (null when the host could not say, with `problem`). */
export interface PoolInfo {
  readonly def: PoolDef;
  /** The directory, or /dev/VG. */
  readonly path: string;
  readonly capacityBytes: number | null;
  readonly allocationBytes: number | null;
  readonly freeBytes: number | null;
  /** Whether the LVM volume group has a thin pool new volumes are made in. */
  readonly thinPool: string | null;
  readonly volumeCount: number;
  /** Why the pool cannot be used now (directory missing, volume group not found, not mounted), or null. */
  readonly problem: string | null;
  /** NFS pools: whether the export is mounted at `path` now (null for other kinds). */
  readonly mounted: boolean | null;
}

export type VolumeFormat = 'raw' | 'qcow2' | 'iso' | 'lv';

/** Who uses a volume: a domain's config or the running domain, and how. */
export interface VolumeUser {
  readonly domain: string;
  readonly vdev: string;
  readonly access: 'rw' | 'ro';
  readonly cdrom: boolean;
  readonly running: boolean;
}

/** A volume in a pool. */
export interface VolumeInfo {
  readonly pool: string;
  readonly name: string;
  /** The path a disk spec names: the file, or /dev/VG/LV. */
  readonly path: string;
  readonly format: VolumeFormat;
  readonly virtualBytes: number;
  readonly allocatedBytes: number;
  readonly backing: string | null;
  /**
   * A linked volume's base: the image of the pools it reads (its backing file, named by absolute path with its format
   * declared). Absent for a self-contained volume.
   */
  readonly linkedTo?: { readonly path: string; readonly format: 'raw' | 'qcow2' };
  readonly users: readonly VolumeUser[];
}

/** The linked volumes of a list, by the path of the base each reads (a base must not change while any reads it). */
export function overlaysByBase(volumes: readonly VolumeInfo[]): Map<string, VolumeInfo[]> {
  const out = new Map<string, VolumeInfo[]>();
  for (const v of volumes) if (v.linkedTo) out.set(v.linkedTo.path, [...(out.get(v.linkedTo.path) ?? []), v]);
  return out;
}

/** Every pool with its volumes. */
export interface StorageOverview {
  readonly pools: PoolInfo[];
  readonly volumes: VolumeInfo[];
}

/** A block device dom0 has, and whether a new volume group may be made on it. */
export interface BlockDeviceInfo {
  readonly path: string;
  readonly sizeBytes: number;
  readonly model: string;
  /** Why it may not hold a new volume group (mounted, swap, has partitions, already an LVM member ...), or null. */
  readonly inUse: string | null;
}

/** Sizes a person types: from 1 MiB to 64 TiB, in GiB with up to two decimals. */
export const sizeGiBSchema = z.number({ error: 'The size must be a number of GiB' }).min(0.01, 'The size must be at least 0.01 GiB').max(65536, 'The size must be at most 65536 GiB');
