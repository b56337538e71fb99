import { XenError } from '../errors';
import type { OpsContext } from './context';
import { readPools } from '../storage/pools';
import { checkAbsPath, checkInt, invalidArg } from './validate';

/** Options of createImage. */
export interface CreateImageOptions {
  sizeBytes: number;
  /** raw: a sparse file (no tool needed); qcow2: `qemu-img create -f qcow2`. */
  format?: 'raw' | 'qcow2';
}

// 64 TiB: above any disk a user means, and exact as a JS number.
const MAX_IMAGE_BYTES = 64 * 1024 ** 4;

/** The image directory `p` lies inside, or null. */
function imageDirOf(ctx: OpsContext, p: string): string | null {
  return ctx.opts.imageDirs.find((d) => p.startsWith(`${d}/`)) ?? null;
}

/**
 * The one image maker (the wizard and the Disks tab both use it): a new disk image inside the configured image
 * directories, never over an existing file (the name is claimed with an exclusive create before qemu-img writes to
 * it), with the table's scaled timeouts. A failure removes the file this call made and nothing else.
 */
export async function createImage(ctx: OpsContext, path: string, o: CreateImageOptions): Promise<{ path: string }> {
  const p = checkAbsPath(path, 'path');
  const size = checkInt(o.sizeBytes, 'sizeBytes', 1024 * 1024, MAX_IMAGE_BYTES);
  // Block devices are read in 512-byte sectors: a ragged tail would be invisible to the guest.
  if (size % 512 !== 0) throw invalidArg('sizeBytes', 'must be a multiple of 512', size);
  const format = o.format ?? 'raw';
  if (format !== 'raw' && format !== 'qcow2') throw invalidArg('format', 'must be raw or qcow2', format);
  if (imageDirOf(ctx, p) === null) {
    const dirs = (await readPools(ctx)).flatMap((x) => (x.kind === 'dir' ? [x.path] : []));
    if (!dirs.some((d) => p.startsWith(`${d}/`) && !p.slice(d.length + 1).includes('/'))) {
      throw invalidArg('path', `must be inside ${[...new Set([...ctx.opts.imageDirs, ...dirs])].join(' or ')}`, p);
    }
  }
  return makeImage(ctx, p, size, format);
}

/**
 * Makes the image file `p` (already checked to lie where images may be made): a sparse raw file, or an exclusively
 * claimed file qemu-img fills as qcow2. A failure removes the file this call made and says so (detail.removed).
 */
export async function makeImage(ctx: OpsContext, p: string, size: number, format: 'raw' | 'qcow2'): Promise<{ path: string }> {
  if ((await ctx.runner.fs.stat(p)) !== null) throw new XenError('EXISTS', `${p} already exists; nothing was overwritten`, { field: 'path', path: p });
  await ctx.runner.fs.mkdirp(p.slice(0, p.lastIndexOf('/')));
  if (format === 'raw') {
    await ctx.runner.fs.createSparse(p, size);
    return { path: p };
  }
  return claimAndFill(ctx, p, () => ctx.run('image.createQcow2', { path: p, bytes: size }));
}

/**
 * qemu-img create overwrites silently: claims the name `p` first (an empty file), then lets `fill` (a qemu-img create)
 * write the file this call owns. A failure removes the claimed file, which no domain uses yet, and says so
 * (detail.removed).
 */
export async function claimAndFill(ctx: OpsContext, p: string, fill: () => Promise<unknown>): Promise<{ path: string }> {
  await ctx.runner.fs.createEmpty(p);
  try {
    await fill();
  } catch (e) {
    const removed = await ctx.runner.fs.remove(p).then(() => [p], () => []);
    if (e instanceof XenError) throw new XenError(e.code, e.message, { ...e.detail, removed });
    throw e;
  }
  return { path: p };
}

/** Bytes a new image of `gib` GiB holds: rounded to whole MiB, so qemu-img and a sparse file agree. */
export function gibToBytes(gib: number): number {
  return Math.round((gib * 1024 ** 3) / (1024 * 1024)) * 1024 * 1024;
}
