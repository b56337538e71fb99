import { isXenError } from '../errors';
import type { OpsContext } from './context';

/** Joins a host directory and a file name. */
export function joinPath(dir: string, file: string): string {
  return dir === '/' ? `/${file}` : `${dir}/${file}`;
}

/** The last component of a host path. */
export function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** A directory's entries; empty when it does not exist. */
export async function listOrEmpty(ctx: OpsContext, dir: string): Promise<string[]> {
  try {
    return await ctx.runner.fs.list(dir);
  } catch (e) {
    // A host without /etc/xen/auto simply has no autostart domains.
    if (isXenError(e, 'NOT_FOUND')) return [];
    throw e;
  }
}
