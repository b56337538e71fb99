import type { ConfigProblem, DiskSpec } from '../../shared/domain-config';
import { snapshotLvName, snapshotTag, type SnapshotDisk, type SnapshotDiskPlan } from '../../shared/snapshot';
import { overlaysByBase, volumeNameProblem, type StorageOverview, type VolumeInfo } from '../../shared/storage';
import { isXenError, XenError } from '../errors';
import { parseLvs, type LvRow } from '../storage/reports';
import type { OpsContext } from './context';

// Each disk a snapshot captures, in place: a qcow2 file gets an internal snapshot (qemu-img snapshot, only while no
// domain has the file open: qemu-img takes no lock Xen's qemu would see), a logical volume an LVM snapshot volume in
// its own group (thin in its pool when the volume is thin, else thick with a copy-on-write area of its whole size, so
// it can never overflow and be dropped by LVM). Read-only disks and CDs are left as they are; raw files are refused.

/** A disk the snapshot captures, with what doing so needs. */
export interface DiskCapture {
  plan: SnapshotDiskPlan;
  /** The LV (lvm), with its group and whether it is thin. */
  lv?: { vg: string; name: string; thin: boolean; bytes: number };
}

/** Why a disk is left as it is (a CD, an empty drive, read-only), or null. */
function sharedWhy(d: DiskSpec): string | null {
  if (d.devtype === 'cdrom') return 'a CD drive: its medium is not part of the snapshot';
  if (d.target === '') return 'an empty drive';
  if (d.access === 'ro') return 'read-only: the guest cannot change it';
  return null;
}

function classify(d: DiskSpec, overview: StorageOverview, lvs: readonly LvRow[], bases: Map<string, VolumeInfo[]>): DiskCapture {
  const base = { vdev: d.vdev, path: d.target };
  const why = sharedWhy(d);
  if (why !== null) return { plan: { ...base, how: 'shared', note: why } };
  const vol = overview.volumes.find((v) => v.path === d.target);
  const pool = vol === undefined ? undefined : overview.pools.find((p) => p.def.name === vol.pool);
  const refuse = (note: string): DiskCapture => ({ plan: { ...base, how: 'refused', note } });
  if (vol === undefined || pool === undefined) return refuse('is in no storage pool: add its directory or volume group as a pool first');
  const overlays = bases.get(vol.path);
  if (overlays !== undefined) return refuse(`is the base of linked volume${overlays.length === 1 ? '' : 's'} ${overlays.map((o) => o.name).join(', ')}: it must stay as it is`);
  if (pool.def.kind === 'lvm') {
    if ((d.format ?? 'raw') !== 'raw') return refuse(`a ${d.format} image inside a logical volume: Xenith snapshots logical volumes holding raw disks`);
    const row = lvs.find((l) => l.vg === (pool.def as { vg: string }).vg && l.name === vol.name);
    if (row === undefined) return refuse('its logical volume is not listed by lvs');
    if (volumeNameProblem(snapshotLvName(vol.name, '00000000')) !== null) return refuse('its volume name is too long for a snapshot volume beside it (at most 86 characters)');
    const thin = row.attr.startsWith('V');
    return { plan: { ...base, how: thin ? 'lvm-thin' : 'lvm', note: null }, lv: { vg: row.vg, name: row.name, thin, bytes: row.sizeBytes } };
  }
  if ((d.format ?? 'raw') !== 'qcow2') return refuse('a raw image file cannot be snapshotted in place: convert it to qcow2, or put a qcow2 overlay on it, first');
  if (vol.format !== 'qcow2') return refuse(`is declared qcow2 but its header says ${vol.format}`);
  // A linked volume's snapshots live in its own file; its base is never written.
  if (vol.backing !== null && vol.linkedTo === undefined) return refuse(`has a backing or data file (${vol.backing}) Xenith does not read; Xenith snapshots self-contained and linked qcow2 images`);
  return { plan: { ...base, how: 'qcow2', note: null } };
}

/** How each disk of a config would be captured; one lvs when any disk is a logical volume. */
export async function planDisks(ctx: OpsContext, disks: readonly DiskSpec[], overview: StorageOverview): Promise<DiskCapture[]> {
  const anyLv = disks.some((d) => d.target.startsWith('/dev/'));
  const lvs = anyLv ? parseLvs(await ctx.out('lvm.lvs', {})) : [];
  const bases = overlaysByBase(overview.volumes);
  return disks.map((d) => classify(d, overview, lvs, bases));
}

/** The refused disks as problems, and the space LVM snapshots need against their groups' free space. */
export function diskProblems(caps: readonly DiskCapture[], overview: StorageOverview): ConfigProblem[] {
  const out: ConfigProblem[] = caps.flatMap((c, i) => (c.plan.how === 'refused' ? [{ field: `disks[${i}]`, message: `${c.plan.vdev} (${c.plan.path}) ${c.plan.note ?? ''}` }] : []));
  const need = new Map<string, number>();
  for (const c of caps) if (c.lv !== undefined && !c.lv.thin) need.set(c.lv.vg, (need.get(c.lv.vg) ?? 0) + c.lv.bytes);
  for (const [vg, bytes] of need) {
    const pool = overview.pools.find((p) => p.def.kind === 'lvm' && p.def.vg === vg);
    if (pool?.freeBytes != null && pool.freeBytes < bytes) {
      out.push({ field: 'pool', message: `The snapshot volumes need ${(bytes / 1024 ** 3).toFixed(2)} GiB in ${vg}, which has ${(pool.freeBytes / 1024 ** 3).toFixed(2)} GiB free` });
    }
  }
  return out;
}

/** Captures one disk for snapshot `id`; returns its record. */
export async function captureDisk(ctx: OpsContext, c: DiskCapture, id: string): Promise<SnapshotDisk> {
  if (c.lv !== undefined) {
    const lv = snapshotLvName(c.lv.name, id);
    await ctx.run('lvm.snapshot', { vg: c.lv.vg, origin: c.lv.name, name: lv, ...(c.lv.thin ? {} : { bytes: c.lv.bytes }) });
    return { kind: 'lvm', vdev: c.plan.vdev, path: c.plan.path, vg: c.lv.vg, origin: c.lv.name, lv, bytes: c.lv.thin ? 0 : c.lv.bytes };
  }
  await ctx.run('image.snapshot', { path: c.plan.path, action: 'create', tag: snapshotTag(id) });
  return { kind: 'qcow2', vdev: c.plan.vdev, path: c.plan.path, tag: snapshotTag(id) };
}

/** Drops one disk's snapshot (its LVM volume, or its qcow2 internal snapshot). Already gone counts as dropped. */
export async function dropDisk(ctx: OpsContext, d: SnapshotDisk): Promise<void> {
  try {
    if (d.kind === 'lvm') await ctx.run('lvm.lvremove', { vg: d.vg, name: d.lv });
    else await ctx.run('image.snapshot', { path: d.path, action: 'delete', tag: d.tag });
  } catch (e) {
    if (isXenError(e) && /Failed to find logical volume|Can't find the snapshot|No such file/i.test(`${e.message} ${String(e.detail.stderr ?? '')}`)) return;
    throw e;
  }
}

/**
 * Puts one disk back as it was at the snapshot, keeping the snapshot: a qcow2 file applies its internal snapshot; a
 * logical volume merges the snapshot volume back (which consumes it) and takes it again at once, so it stays.
 */
export async function revertDisk(ctx: OpsContext, d: SnapshotDisk): Promise<void> {
  if (d.kind === 'qcow2') {
    await ctx.run('image.snapshot', { path: d.path, action: 'apply', tag: d.tag });
    return;
  }
  await ctx.run('lvm.merge', { vg: d.vg, name: d.lv });
  try {
    await ctx.run('lvm.snapshot', { vg: d.vg, origin: d.origin, name: d.lv, ...(d.bytes > 0 ? { bytes: d.bytes } : {}) });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new XenError('XL_FAILED', `${d.vdev} is back as it was, but its snapshot volume ${d.vg}/${d.lv} could not be taken again (${why}); this snapshot no longer covers ${d.vdev}`, { field: 'id' });
  }
}
