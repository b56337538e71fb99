import { XenError } from '../errors';
import type { OpsContext } from './context';
import { TIMEOUTS } from './context';
import { checkAbsPath, checkInt, invalidArg } from './validate';

/** Options of createImage. */
export interface CreateImageOptions {
  sizeBytes: number;
  /** raw: a sparse file (no tool needed); qcow2: `qemu-img create -f qcow2`. */
  format?: 'raw' | 'qcow2';
}

// 64 TiB: above any disk a user means, and exact as a JS number.
const MAX_IMAGE_BYTES = 64 * 1024 ** 4;

/**
 * Creates a new disk image inside one of the image directories; never over an existing file, never elsewhere (a
 * path outside them would let the UI create files anywhere root can write).
 */
export async function createImage(ctx: OpsContext, path: string, o: CreateImageOptions): Promise<{ path: string }> {
  const p = checkAbsPath(path, 'path');
  const size = checkInt(o.sizeBytes, 'sizeBytes', 1024 * 1024, MAX_IMAGE_BYTES);
  // Block devices are read in 512-byte sectors: a ragged tail would be invisible to the guest.
  if (size % 512 !== 0) throw invalidArg('sizeBytes', 'must be a multiple of 512', size);
  const format = o.format ?? 'raw';
  if (format !== 'raw' && format !== 'qcow2') throw invalidArg('format', 'must be raw or qcow2', format);
  const dir = ctx.opts.imageDirs.find((d) => p.startsWith(`${d}/`) && !p.slice(d.length + 1).includes('/'));
  if (dir === undefined) throw invalidArg('path', `must be a file directly in ${ctx.opts.imageDirs.join(' or ')}`, p);
  if ((await ctx.runner.fs.stat(p)) !== null) throw new XenError('EXISTS', `${p} already exists`, { field: 'path', path: p });
  await ctx.runner.fs.mkdirp(dir);
  if (format === 'raw') await ctx.runner.fs.createSparse(p, size);
  else await ctx.run('qemu-img', ['create', '-f', 'qcow2', p, String(size)], TIMEOUTS.control);
  return { path: p };
}
