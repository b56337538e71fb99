import { DEFAULT_IMAGE_DIR, type PoolDef } from '../../shared/storage';
import { isXenError, XenError } from '../errors';
import type { OpsContext } from '../ops/context';
import { checkPools, defaultPools, formatPoolsFile, parsePoolsFile } from './pools-file';

/** The pools as the pools file lists them; the default directory pool when no file has been written yet. */
export async function readPools(ctx: OpsContext): Promise<PoolDef[]> {
  try {
    return parsePoolsFile(await ctx.runner.fs.readFile(ctx.opts.poolsFile));
  } catch (e) {
    if (isXenError(e) && e.code === 'NOT_FOUND') return defaultPools(ctx.opts.imageDirs[0] ?? DEFAULT_IMAGE_DIR);
    throw e;
  }
}

/** Writes the pools file (through the broker: as checked pools, which then become part of root's policy). */
export async function writePools(ctx: OpsContext, pools: readonly PoolDef[]): Promise<void> {
  const file = ctx.opts.poolsFile;
  await ctx.runner.fs.mkdirp(file.slice(0, file.lastIndexOf('/')));
  await ctx.runner.fs.replaceFile(file, formatPoolsFile(checkPools(pools)));
}

/** The pool called `name`, or NOT_FOUND naming the field. */
export async function findPool(ctx: OpsContext, name: string, field = 'pool'): Promise<PoolDef> {
  const p = (await readPools(ctx)).find((x) => x.name === name);
  if (!p) throw new XenError('NOT_FOUND', `There is no storage pool called ${name}`, { field });
  return p;
}
