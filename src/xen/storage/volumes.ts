import type { PoolDef, VolumeInfo, VolumeUser } from '../../shared/storage';
import { overlaysByBase } from '../../shared/storage';
import { baseMessage } from './linked';
import { sizeGiBSchema, volumeNameProblem, volumePath } from '../../shared/storage';
import { XenError } from '../errors';
import type { OpsContext } from '../ops/context';
import { gibToBytes, makeImage } from '../ops/images';
import { findPool } from './pools';
import { storageOverview } from './list';

/** What a new volume is. */
export interface NewVolume {
  pool: string;
  name: string;
  sizeGiB: number;
  /** Files: raw (sparse) or qcow2; ignored for LVM pools (a logical volume, thin where the group has a thin pool). */
  format?: 'raw' | 'qcow2';
}

function checkName(name: string, field = 'name'): string {
  const p = volumeNameProblem(name);
  if (p !== null) throw new XenError('INVALID_ARG', `The volume name ${p}`, { field });
  return name;
}

function checkSize(gib: number, field = 'sizeGiB'): number {
  const r = sizeGiBSchema.safeParse(gib);
  if (!r.success) throw new XenError('INVALID_ARG', r.error.issues[0]?.message ?? 'Bad size', { field });
  return gibToBytes(r.data);
}

/** The volume `name` of `pool` as the overview lists it, or NOT_FOUND. */
async function findVolume(ctx: OpsContext, pool: PoolDef, name: string) {
  const { pools, volumes } = await storageOverview(ctx);
  const v = volumes.find((x) => x.pool === pool.name && x.name === name);
  if (!v) throw new XenError('NOT_FOUND', `Pool ${pool.name} has no volume ${name}`, { field: 'name' });
  return { volume: v, info: pools.find((p) => p.def.name === pool.name)!, overlays: overlaysByBase(volumes).get(v.path) ?? [] };
}

/** Refuses to change a volume linked volumes read (IN_USE naming them). */
function assertNoOverlays(volume: VolumeInfo, overlays: readonly VolumeInfo[], what: string): void {
  if (overlays.length > 0) throw new XenError('IN_USE', `Cannot ${what}: ${baseMessage(volume.path, overlays.map((o) => o.path))}`, { field: 'name', path: volume.path });
}

/**
 * Makes a volume: a sparse raw or qcow2 file in a directory pool (the one image maker), or a logical volume (thin in
 * the group's thin pool when it has one). A size above the pool's free space is refused before anything runs; a
 * failed create removes only what it made.
 */
export async function createVolume(ctx: OpsContext, v: NewVolume): Promise<{ path: string }> {
  const name = checkName(v.name);
  const bytes = checkSize(v.sizeGiB);
  const pool = await findPool(ctx, v.pool);
  const { pools, volumes } = await storageOverview(ctx);
  const info = pools.find((p) => p.def.name === pool.name)!;
  if (info.problem !== null) throw new XenError('NOT_FOUND', `Pool ${pool.name} cannot be used: ${info.problem}`, { field: 'pool' });
  if (volumes.some((x) => x.pool === pool.name && x.name === name)) throw new XenError('EXISTS', `Pool ${pool.name} already has a volume ${name}`, { field: 'name' });
  const sparse = pool.kind !== 'lvm' || info.thinPool !== null;
  if (!sparse && info.freeBytes !== null && bytes > info.freeBytes) {
    throw new XenError('INVALID_ARG', `${v.sizeGiB} GiB is more than the ${(info.freeBytes / 1024 ** 3).toFixed(2)} GiB free in ${pool.name}`, { field: 'sizeGiB' });
  }
  if (pool.kind !== 'lvm') return makeImage(ctx, volumePath(pool, name), bytes, v.format ?? 'raw');
  await ctx.run('lvm.lvcreate', { vg: pool.vg, name, bytes, ...(info.thinPool !== null ? { thinPool: info.thinPool } : {}) });
  return { path: volumePath(pool, name) };
}

function usedMessage(path: string, users: readonly VolumeUser[], what: string): string {
  const u = users[0]!;
  const how = u.cdrom ? 'as a CD' : u.access === 'rw' ? 'read-write' : 'read-only';
  return `${path} is used ${how} by ${u.running ? 'running domain' : 'domain'} ${u.domain} (${u.vdev})${users.length > 1 ? ` and ${users.length - 1} more` : ''}; ${what}`;
}

/** Deletes a volume no domain uses (running or in its config): IN_USE names the domain otherwise. */
export async function deleteVolume(ctx: OpsContext, poolName: string, name: string): Promise<void> {
  const pool = await findPool(ctx, poolName);
  const { volume, overlays } = await findVolume(ctx, pool, checkName(name));
  assertNoOverlays(volume, overlays, `delete ${volume.name}`);
  // The overview already says who uses it (running or in a config): no second scan.
  const users = volume.users;
  if (users.length > 0) {
    throw new XenError('IN_USE', usedMessage(volume.path, users, 'remove it from that domain first'), { field: 'name', domain: users[0]!.domain, path: volume.path });
  }
  if (pool.kind !== 'lvm') await ctx.runner.fs.remove(volume.path);
  else await ctx.run('lvm.lvremove', { vg: pool.vg, name: volume.name });
}

/**
 * Resizes a volume to `sizeGiB` (qemu-img resize for files, lvextend or lvreduce for logical volumes). Growing is
 * refused under a running domain; shrinking cuts off whatever the guest keeps at the end of its disk, so it needs
 * `shrink` (the user confirmed) and a volume no domain uses at all, its config included.
 */
export async function resizeVolume(ctx: OpsContext, poolName: string, name: string, sizeGiB: number, o: { shrink?: boolean } = {}): Promise<void> {
  const bytes = checkSize(sizeGiB);
  const pool = await findPool(ctx, poolName);
  const { volume, info, overlays } = await findVolume(ctx, pool, checkName(name));
  assertNoOverlays(volume, overlays, `resize ${volume.name}`);
  if (volume.format === 'iso') throw new XenError('INVALID_ARG', `${volume.name} is an ISO image; it cannot be resized`, { field: 'name' });
  const gib = (n: number): string => (n / 1024 ** 3).toFixed(2);
  if (bytes === volume.virtualBytes) throw new XenError('INVALID_ARG', `${volume.name} is already ${gib(bytes)} GiB`, { field: 'sizeGiB' });
  const shrinking = bytes < volume.virtualBytes;
  if (shrinking && o.shrink !== true) {
    throw new XenError('INVALID_ARG', `${sizeGiB} GiB is smaller than the volume's ${gib(volume.virtualBytes)} GiB: shrinking cuts off the end of the guest's disk; confirm it to go on`, { field: 'sizeGiB' });
  }
  const users = volume.users;
  const blocking = shrinking ? users : users.filter((u) => u.running);
  if (blocking.length > 0) {
    throw new XenError('IN_USE', usedMessage(volume.path, blocking, shrinking ? 'a volume is shrunk only when no domain uses it' : 'shut it down before resizing'), { field: 'name', domain: blocking[0]!.domain });
  }
  if (!shrinking && pool.kind === 'lvm' && info.thinPool === null && info.freeBytes !== null && bytes - volume.virtualBytes > info.freeBytes) {
    throw new XenError('INVALID_ARG', `Growing by ${gib(bytes - volume.virtualBytes)} GiB needs more than the ${gib(info.freeBytes)} GiB free in ${pool.name}`, { field: 'sizeGiB' });
  }
  if (pool.kind !== 'lvm') await ctx.run('image.resize', { path: volume.path, format: volume.format === 'qcow2' ? 'qcow2' : 'raw', bytes, ...(shrinking ? { shrink: true } : {}) });
  else await ctx.run(shrinking ? 'lvm.lvreduce' : 'lvm.lvextend', { vg: pool.vg, name: volume.name, bytes });
}

/** Reads qemu-img convert -p's "(42.00/100%)" lines as they come, calling `progress` with each new percentage. */
async function followConvert(stdout: NodeJS.ReadableStream, progress: (pct: number) => void): Promise<void> {
  let last = -1;
  for await (const chunk of stdout) {
    for (const m of String(chunk).matchAll(/\((\d{1,3}(?:\.\d+)?)\/100%\)/g)) {
      const pct = Math.floor(Number(m[1]));
      if (pct !== last) progress((last = pct));
    }
  }
}

/**
 * Copies a volume into a new one of the same size, in the same pool or in `toPool` (a file of the same format, or a
 * logical volume, thin where the group has a thin pool, raw): the new volume is made first, then qemu-img convert -n
 * fills it, sparse, with progress. A disk a running domain writes is refused (its copy would be torn). A failed or
 * cancelled copy (`signal`) removes the new volume.
 */
export async function cloneVolume(
  ctx: OpsContext,
  a: { pool: string; name: string; newName: string; toPool?: string; from?: 'raw' | 'qcow2'; toFormat?: 'raw' | 'qcow2'; snapshot?: string },
  progress: (pct: number) => void = () => undefined,
  signal?: AbortSignal,
): Promise<{ path: string }> {
  const pool = await findPool(ctx, a.pool);
  const { volume } = await findVolume(ctx, pool, checkName(a.name));
  const newName = checkName(a.newName, 'newName');
  const to = a.toPool === undefined ? pool : await findPool(ctx, a.toPool, 'toPool');
  const writer = volume.users.find((u) => u.running && u.access === 'rw' && !u.cdrom);
  if (writer) throw new XenError('IN_USE', `${volume.path} is written by running domain ${writer.domain}; shut it down (or pause it) before copying its disk`, { field: 'name', domain: writer.domain });
  // Whole MiB, rounded up: qemu-img convert -n needs a destination at least as large as the source.
  const sizeGiB = (Math.ceil(volume.virtualBytes / 2 ** 20) * 2 ** 20) / 1024 ** 3;
  const probed = volume.format === 'qcow2' ? 'qcow2' : 'raw';
  // What a domain's config declares wins over the file's head, which its guest may have written: a raw disk whose
  // first bytes look like qcow2 (with a backing file naming any host file) is not read as qcow2 by root.
  if (a.from !== undefined && a.from !== probed) {
    throw new XenError('INVALID_ARG', `${volume.path} is used as ${a.from} but its contents start like ${probed}; Xenith does not copy it`, { field: 'name', path: volume.path });
  }
  if (a.from === undefined && volume.backing !== null && volume.linkedTo === undefined) {
    throw new XenError('INVALID_ARG', `${volume.path} reads another file (${volume.backing}); copying it would read that file too, so Xenith does not`, { field: 'name', path: volume.path });
  }
  const from = a.from ?? probed;
  // A logical volume holds raw data: a qcow2 file copied into an LVM pool is converted; a file may be asked for in a
  // format of its own (a raw disk made qcow2, so it can take snapshots).
  const fmt = to.kind === 'lvm' ? 'raw' : (a.toFormat ?? from);
  // createVolume checks the name and the free space and makes the empty volume (its own failures remove what it made).
  const made = await createVolume(ctx, { pool: to.name, name: newName, sizeGiB: Math.max(sizeGiB, 0.01), format: fmt });
  try {
    if (signal?.aborted) throw new XenError('ABORTED', 'Cancelled before the copy started', { field: 'name' });
    const h = ctx.runner.stream('image.convert', { src: volume.path, dst: made.path, from, to: fmt, ...(a.snapshot !== undefined ? { snapshot: a.snapshot } : {}) });
    const stop = (): void => h.kill();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      const [, code] = await Promise.all([followConvert(h.stdout, progress), h.exited]);
      if (signal?.aborted) throw new XenError('ABORTED', `Cancelled while copying ${volume.path}`, { field: 'name' });
      if (code !== 0) throw new XenError('XL_FAILED', `qemu-img convert ${volume.path} to ${made.path} failed (exit ${String(code)})`, { path: made.path });
    } finally {
      signal?.removeEventListener('abort', stop);
    }
  } catch (e) {
    // The new volume is this call's own and nothing uses it: remove it, and say so when that fails.
    const removal = to.kind === 'lvm' ? ctx.run('lvm.lvremove', { vg: to.vg, name: newName }) : ctx.runner.fs.remove(made.path);
    const left = await removal.then(
      () => [],
      (r: unknown) => [{ path: made.path, message: r instanceof Error ? r.message : String(r) }],
    );
    if (left.length === 0 || !(e instanceof XenError)) throw e;
    throw new XenError(e.code, e.message, { ...e.detail, left });
  }
  return made;
}
