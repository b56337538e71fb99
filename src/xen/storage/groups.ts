import { poolDefSchema, vgNameProblem, type BlockDeviceInfo, type PoolDef, type VolumeInfo } from '../../shared/storage';
import { XenError } from '../errors';
import type { OpsContext } from '../ops/context';
import { findPool, readPools, writePools } from './pools';
import { parseLsblk, parseVgs, type LsblkRow } from './reports';
import { nfsMountPoints, storageOverview } from './list';

/** Smaller than this is no disk for guests (a floppy, a boot ROM). */
const MIN_DEVICE_BYTES = 64 * 1024 * 1024;

/** Why dom0's block device `d` may not hold a new volume group, or null. */
function deviceUse(d: LsblkRow, all: readonly LsblkRow[]): string | null {
  const name = d.path.replace(/^\/dev\//, '');
  if (d.type !== 'disk') return `it is a ${d.type === 'rom' ? 'CD/DVD drive' : d.type}, not a disk`;
  if (d.sizeBytes < MIN_DEVICE_BYTES) return 'it is too small';
  if (d.mountpoint !== null) return `it is mounted on ${d.mountpoint}`;
  if (d.fstype === 'LVM2_member') return 'it is already an LVM physical volume';
  if (d.fstype === 'swap') return 'dom0 uses it as swap';
  if (d.fstype !== null) return `it holds a ${d.fstype} filesystem`;
  const children = all.filter((x) => x.parent === name);
  if (children.length > 0) return `it has partitions or volumes (${children.map((c) => c.path).join(', ')})`;
  return null;
}

/** dom0's disks and whether each may hold a new volume group (the broker checks again before vgcreate runs). */
export async function blockDevices(ctx: OpsContext): Promise<BlockDeviceInfo[]> {
  const rows = parseLsblk(await ctx.out('storage.blockDevices', {}));
  return rows.filter((d) => d.type === 'disk' || d.type === 'rom').map((d) => ({ path: d.path, sizeBytes: d.sizeBytes, model: d.model, inUse: deviceUse(d, rows) }));
}

/** Adds a pool to the pools file: an existing directory, or an existing volume group. */
export async function addPool(ctx: OpsContext, def: PoolDef): Promise<void> {
  const r = poolDefSchema.safeParse(def);
  if (!r.success) throw new XenError('INVALID_ARG', r.error.issues[0]?.message ?? 'Not a pool', { field: r.error.issues[0]?.path.join('.') ?? 'pool' });
  const p = r.data;
  const pools = await readPools(ctx);
  if (pools.some((x) => x.name === p.name)) throw new XenError('EXISTS', `There is already a pool called ${p.name}`, { field: 'name' });
  if (p.kind === 'nfs') return addNfsPool(ctx, pools, p);
  if (p.kind === 'dir') {
    const st = await ctx.runner.fs.stat(p.path);
    if (st === null || !st.isDirectory) throw new XenError('NOT_FOUND', `${p.path} is not a directory on the host`, { field: 'path' });
  } else if (!parseVgs(await ctx.out('lvm.vgs', {})).some((v) => v.name === p.vg)) {
    throw new XenError('NOT_FOUND', `There is no volume group ${p.vg} on the host`, { field: 'vg' });
  }
  await writePools(ctx, [...pools, p]);
}

type NfsPool = Extract<PoolDef, { kind: 'nfs' }>;

/**
 * Adds an NFS pool and mounts it: the pool first (the broker mounts only what root's pools name), its empty mount
 * point made if missing, then mount. A failed mount takes the pool off the list again and says so.
 */
async function addNfsPool(ctx: OpsContext, pools: PoolDef[], p: NfsPool): Promise<void> {
  const st = await ctx.runner.fs.stat(p.path);
  if (st !== null && !st.isDirectory) throw new XenError('EXISTS', `${p.path} exists and is not a directory`, { field: 'path' });
  if (st !== null && (await ctx.runner.fs.list(p.path)).length > 0) throw new XenError('EXISTS', `${p.path} is not empty; mount an export on an empty directory`, { field: 'path' });
  if ((await nfsMountPoints(ctx)).has(p.path)) throw new XenError('EXISTS', `Something is already mounted at ${p.path}`, { field: 'path' });
  await writePools(ctx, [...pools, p]);
  let mounted = false;
  try {
    if (st === null) await ctx.runner.fs.mkdirp(p.path);
    await ctx.run('nfs.mount', { server: p.server, export: p.export, path: p.path });
    mounted = true;
    if (p.persist === true) await ctx.runner.fs.setFstabNfs(p.path, `${p.server}:${p.export}`);
  } catch (e) {
    // Undo exactly this call's work: the mount, then the pool.
    if (mounted) await ctx.run('nfs.umount', { path: p.path }).catch(() => undefined);
    await writePools(ctx, pools);
    throw e;
  }
}

/** Mounts an NFS pool that is not mounted (after a reboot, or after unmountPool). */
export async function mountPool(ctx: OpsContext, name: string): Promise<void> {
  const p = await findPool(ctx, name, 'name');
  if (p.kind !== 'nfs') throw new XenError('INVALID_ARG', `${name} is not an NFS pool`, { field: 'name' });
  if ((await nfsMountPoints(ctx)).has(p.path)) return;
  await ctx.runner.fs.mkdirp(p.path);
  await ctx.run('nfs.mount', { server: p.server, export: p.export, path: p.path });
}

/** Unmounts an NFS pool unless a domain uses one of its volumes (its own config included). */
export async function unmountPool(ctx: OpsContext, name: string): Promise<void> {
  const p = await findPool(ctx, name, 'name');
  if (p.kind !== 'nfs') throw new XenError('INVALID_ARG', `${name} is not an NFS pool`, { field: 'name' });
  await assertPoolUnused(ctx, name, 'unmounted');
  if ((await nfsMountPoints(ctx)).has(p.path)) await ctx.run('nfs.umount', { path: p.path });
}

async function assertPoolUnused(ctx: OpsContext, name: string, what: string): Promise<void> {
  const { volumes } = await storageOverview(ctx);
  const used = volumes.find((v) => v.pool === name && v.users.length > 0);
  if (used) {
    throw new XenError('IN_USE', `Domain ${used.users[0]!.domain} uses ${used.path} in pool ${name}; the pool cannot be ${what} while its volumes are in use`, { field: 'name', domain: used.users[0]!.domain });
  }
}

/**
 * Makes a volume group on an empty disk dom0 does not use and adds it as a pool. A disk in use is refused with the
 * reason (mounted, swap, partitions, already LVM ...).
 */
export async function createVolumeGroup(ctx: OpsContext, a: { device: string; vg: string; pool: string }): Promise<void> {
  const vgProblem = vgNameProblem(a.vg);
  if (vgProblem !== null) throw new XenError('INVALID_ARG', `The volume group name ${vgProblem}`, { field: 'vg' });
  const pools = await readPools(ctx);
  if (pools.some((p) => p.name === a.pool)) throw new XenError('EXISTS', `There is already a pool called ${a.pool}`, { field: 'pool' });
  const dev = (await blockDevices(ctx)).find((d) => d.path === a.device);
  if (!dev) throw new XenError('NOT_FOUND', `${a.device} is not a disk of this host`, { field: 'device' });
  if (dev.inUse !== null) throw new XenError('IN_USE', `${a.device} cannot hold a new volume group: ${dev.inUse}`, { field: 'device' });
  if (parseVgs(await ctx.out('lvm.vgs', {})).some((v) => v.name === a.vg)) throw new XenError('EXISTS', `There is already a volume group ${a.vg}`, { field: 'vg' });
  await ctx.run('lvm.vgcreate', { vg: a.vg, device: a.device });
  await writePools(ctx, [...pools, { name: a.pool, kind: 'lvm', vg: a.vg }]);
}

/** Takes a pool off the list (its files or volumes stay) unless a domain uses one of its volumes. */
export async function removePool(ctx: OpsContext, name: string): Promise<void> {
  await assertPoolUnused(ctx, name, 'removed');
  const pools = await readPools(ctx);
  const p = pools.find((x) => x.name === name);
  if (!p) throw new XenError('NOT_FOUND', `There is no storage pool called ${name}`, { field: 'name' });
  // An NFS pool is unmounted first, while root's policy still names it.
  if (p.kind === 'nfs' && (await nfsMountPoints(ctx)).has(p.path)) await ctx.run('nfs.umount', { path: p.path });
  // Xenith's own line goes whatever the pool says (one left by an interrupted change too); the broker keeps others.
  if (p.kind === 'nfs') await ctx.runner.fs.setFstabNfs(p.path, null);
  await writePools(ctx, pools.filter((x) => x.name !== name));
}

/** What can change about a pool once it is made: whether it is the ISO library, and whether an NFS pool mounts at boot. */
export interface PoolChange {
  iso?: boolean;
  persist?: boolean;
}

/**
 * Changes a pool's settings in place. "At boot" adds or removes the pool's own line in /etc/fstab (root builds it from
 * the pool) before the pools file says so, so a failure leaves the pool as it was.
 */
export async function editPool(ctx: OpsContext, name: string, change: PoolChange): Promise<void> {
  const pools = await readPools(ctx);
  const p = pools.find((x) => x.name === name);
  if (!p) throw new XenError('NOT_FOUND', `There is no storage pool called ${name}`, { field: 'name' });
  if (change.iso !== undefined && p.kind === 'lvm') throw new XenError('INVALID_ARG', 'An LVM pool holds no ISO images: only a directory or NFS pool can be the ISO library', { field: 'iso' });
  if (change.persist !== undefined && p.kind !== 'nfs') throw new XenError('INVALID_ARG', `${name} is not an NFS pool: only an NFS mount is made at boot`, { field: 'persist' });
  let next: PoolDef = p;
  if (change.iso !== undefined && p.kind !== 'lvm') next = { ...p, iso: change.iso };
  let undoFstab: (() => Promise<void>) | null = null;
  if (change.persist !== undefined && next.kind === 'nfs' && change.persist !== (next.persist === true)) {
    const nfs = next;
    const line = (on: boolean): string | null => (on ? `${nfs.server}:${nfs.export}` : null);
    await ctx.runner.fs.setFstabNfs(nfs.path, line(change.persist));
    undoFstab = () => ctx.runner.fs.setFstabNfs(nfs.path, line(nfs.persist === true));
    next = { ...nfs, persist: change.persist };
  }
  try {
    await writePools(ctx, pools.map((x) => (x.name === name ? next : x)));
  } catch (e) {
    // fstab and the pools file must agree: the line goes back to what the pool still says.
    await undoFstab?.().catch(() => undefined);
    throw e;
  }
}

/** The ISO images in every directory pool (the ISO pool's first), for the wizard and the CD dialog. */
export async function isoLibrary(ctx: OpsContext): Promise<VolumeInfo[]> {
  const { pools, volumes } = await storageOverview(ctx);
  const isoFirst = new Set(pools.filter((p) => p.def.kind !== 'lvm' && p.def.iso === true).map((p) => p.def.name));
  return volumes.filter((v) => v.format === 'iso').sort((a, b) => Number(isoFirst.has(b.pool)) - Number(isoFirst.has(a.pool)) || a.name.localeCompare(b.name));
}
