import { volumeNameProblem, volumePath, type PoolDef, type VolumeFormat, type VolumeInfo } from '../../shared/storage';
import { XenError } from '../errors';
import type { OpsContext } from '../ops/context';
import { findPool } from './pools';
import { storageOverview } from './list';

/** How far a transfer is: bytes done of the whole. */
export type TransferProgress = (done: number, total: number) => void;

/** Where a download's bytes go (an HTTP response, a local file); `write` resolves once the piece is taken. */
export interface DownloadSink {
  write(chunk: Uint8Array): Promise<void>;
  /** The download ended: `failure` null when every byte was written, else why not (the sink drops what it has). */
  end(failure: unknown): Promise<void>;
}

/** What an upload made. */
export interface UploadResult {
  path: string;
  format: VolumeFormat;
  bytes: number;
}

const gib = (n: number): string => `${(n / 1024 ** 3).toFixed(2)} GiB`;

/** A directory or NFS pool (files), else INVALID_ARG naming `field`. */
function filePool(pool: PoolDef, field: string): Extract<PoolDef, { kind: 'dir' | 'nfs' }> {
  if (pool.kind === 'lvm') throw new XenError('INVALID_ARG', `Pool ${pool.name} is an LVM volume group; image files go to directory or NFS pools`, { field });
  return pool;
}

/** Hands on `source`'s chunks, telling `progress` how many bytes went by. */
async function* counted(source: AsyncIterable<Uint8Array>, total: number, progress: TransferProgress): AsyncGenerator<Uint8Array> {
  let done = 0;
  for await (const c of source) {
    yield c;
    done += c.byteLength;
    progress(done, total);
  }
}

/**
 * Uploads an image file (ISO, raw, qcow2) of `bytes` into a directory or NFS pool as the new volume `name`: the name
 * by the one volume-name rule, refused when taken or when the file is larger than the pool's free space, before any
 * byte moves. The runner writes a NEW file (never over one, never through a link) and removes its partial file on a
 * failure or cancel (`signal`). Then the head is probed: a qcow2 image naming a backing or external data file is
 * removed and refused, since root would read that other file through it.
 */
export async function uploadImage(
  ctx: OpsContext,
  a: { pool: string; name: string; bytes: number },
  source: AsyncIterable<Uint8Array>,
  progress: TransferProgress = () => undefined,
  signal?: AbortSignal,
): Promise<UploadResult> {
  const problem = volumeNameProblem(a.name);
  if (problem !== null) throw new XenError('INVALID_ARG', `The volume name ${problem}`, { field: 'name' });
  if (!Number.isSafeInteger(a.bytes) || a.bytes < 0) throw new XenError('INVALID_ARG', `Bad file size ${String(a.bytes)}`, { field: 'file' });
  const pool = filePool(await findPool(ctx, a.pool), 'pool');
  const { pools, volumes } = await storageOverview(ctx);
  const info = pools.find((p) => p.def.name === pool.name);
  if (info?.problem != null) throw new XenError('NOT_FOUND', `Pool ${pool.name} cannot be used: ${info.problem}`, { field: 'pool' });
  if (volumes.some((v) => v.pool === pool.name && v.name === a.name)) throw new XenError('EXISTS', `Pool ${pool.name} already has a volume ${a.name}`, { field: 'name' });
  if (info?.freeBytes != null && a.bytes > info.freeBytes) {
    throw new XenError('INVALID_ARG', `The file (${gib(a.bytes)}) is larger than the ${gib(info.freeBytes)} free in pool ${pool.name}`, { field: 'file' });
  }
  const path = volumePath(pool, a.name);
  await ctx.runner.fs.writeStream(path, a.bytes, counted(source, a.bytes, progress), signal);
  return { path, format: await checkedHead(ctx, pool.path, a.name, path), bytes: a.bytes };
}

/** The uploaded file's format from its head; a file that reads another file, or whose head cannot be read, is removed. */
async function checkedHead(ctx: OpsContext, dir: string, name: string, path: string): Promise<VolumeFormat> {
  let refusal: XenError;
  try {
    const probe = (await ctx.runner.fs.probeImages(dir)).find((x) => x.name === name);
    if (probe !== undefined && probe.backing === null) return probe.format;
    refusal =
      probe === undefined
        ? new XenError('XL_FAILED', `${path} could not be read back after the upload; it was removed`, { field: 'file', path })
        : new XenError('PERMISSION', `${path} is a qcow2 image that reads another file (${probe.backing}); Xenith removed it`, { field: 'file', rule: 'backing', path });
  } catch (e) {
    refusal = e instanceof XenError ? e : new XenError('XL_FAILED', String(e), { field: 'file', path });
  }
  await ctx.runner.fs.remove(path).catch(() => undefined);
  throw refusal;
}

/** The file volume `name` of pool `pool` that may be read now: not a logical volume, not a disk a running domain writes. */
async function readableVolume(ctx: OpsContext, a: { pool: string; name: string }): Promise<VolumeInfo> {
  const pool = filePool(await findPool(ctx, a.pool), 'pool');
  const { volumes } = await storageOverview(ctx);
  const v = volumes.find((x) => x.pool === pool.name && x.name === a.name);
  if (v === undefined) throw new XenError('NOT_FOUND', `Pool ${pool.name} has no volume ${a.name}`, { field: 'name' });
  const writer = v.users.find((u) => u.running && u.access === 'rw' && !u.cdrom);
  if (writer) throw new XenError('IN_USE', `${v.path} is written by running domain ${writer.domain}; its copy would be torn. Shut it down (or pause it) first`, { field: 'name', domain: writer.domain });
  return v;
}

/**
 * Downloads the file volume `name`: checked first (a file of a directory or NFS pool, no running domain writing it)
 * and opened, then `open` is told its size and asked where the bytes go (null: the person chose nowhere; the file is
 * let go unread), then the file streams there, with progress, until done or `signal`.
 */
export async function downloadVolume(
  ctx: OpsContext,
  a: { pool: string; name: string },
  open: (v: { name: string; size: number }) => Promise<DownloadSink | null>,
  progress: TransferProgress = () => undefined,
  signal?: AbortSignal,
): Promise<{ bytes: number } | null> {
  const v = await readableVolume(ctx, a);
  const r = await ctx.runner.fs.readStream(v.path, signal);
  const sink = await open({ name: v.name, size: r.size }).catch(async (e: unknown) => {
    await r.close();
    throw e;
  });
  if (sink === null) {
    await r.close();
    return null;
  }
  let done = 0;
  let failure: unknown = null;
  try {
    for await (const c of counted(r.chunks, r.size, progress)) {
      await sink.write(c);
      done += c.byteLength;
    }
    if (done !== r.size) throw new XenError('XL_FAILED', `${v.path} gave ${done} of its ${r.size} bytes`, { field: 'name', path: v.path });
    return { bytes: done };
  } catch (e) {
    failure = e;
    throw e;
  } finally {
    await r.close();
    await sink.end(failure);
  }
}
