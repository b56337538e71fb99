import { isXenError, XenError } from '../errors';
import type { DirEntryRead, ReadDirOptions } from '../runner/types';
import type { OpsContext } from './context';

/** Joins a host directory and a file name. */
export function joinPath(dir: string, file: string): string {
  return dir === '/' ? `/${file}` : `${dir}/${file}`;
}

/** The last component of a host path. */
export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** A directory's entries with their links (and text), in one request; empty when it does not exist. */
export async function readDirOrEmpty(ctx: OpsContext, dir: string, o: ReadDirOptions): Promise<DirEntryRead[]> {
  try {
    return await ctx.runner.fs.readDir(dir, o);
  } catch (e) {
    if (isXenError(e, 'NOT_FOUND')) return [];
    throw e;
  }
}

/**
 * Makes one of Xenith's default directories (DEFAULT_IMAGE_DIR, DEFAULT_SAVE_DIR) when the host does not have it yet;
 * true when it was made. Any other missing directory is the caller's to refuse, naming it.
 */
export async function ensureDefaultDir(ctx: Pick<OpsContext, 'runner'>, dir: string, mode?: number): Promise<boolean> {
  const st = await ctx.runner.fs.stat(dir);
  if (st !== null) {
    if (!st.isDirectory) throw new XenError('INVALID_ARG', `${dir} is not a directory`, { path: dir });
    return false;
  }
  await ctx.runner.fs.mkdirp(dir, mode);
  return true;
}
