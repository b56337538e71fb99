import { z } from 'zod';
import { poolDefSchema, type PoolDef } from '../../shared/storage';
import { XenError } from '../errors';
import { acceptImageDirs } from '../broker/paths';

/** Where the pools are kept: a file Xenith owns, root-owned like broker.conf; the broker's policy reads it too. */
export const POOLS_FILE = '/etc/xenith/pools.json';

const fileSchema = z.object({ version: z.literal(1), pools: z.array(poolDefSchema).max(256) }).strict();

/** The pools when no file has been written: the image directory the app was given. */
export function defaultPools(imageDir: string): PoolDef[] {
  return [{ name: 'default', kind: 'dir', path: imageDir }];
}

/**
 * Checks a list of pools as a whole: each by its schema, names unique, no directory twice, and every directory one that
 * may hold images (never "/" or a system directory: root creates and deletes files there for the caller).
 */
export function checkPools(raw: unknown): PoolDef[] {
  const r = z.array(poolDefSchema).max(256).safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new XenError('INVALID_ARG', `pools: ${issue?.message ?? 'not a list of pools'}`, { field: `pools.${issue?.path.join('.') ?? ''}` });
  }
  const names = new Set<string>();
  const where = new Set<string>();
  return r.data.map((p) => {
    if (names.has(p.name)) throw new XenError('EXISTS', `There is already a pool called ${p.name}`, { field: 'name' });
    names.add(p.name);
    if (p.kind === 'lvm') {
      if (where.has(`vg:${p.vg}`)) throw new XenError('EXISTS', `${p.vg} is already a pool`, { field: 'vg' });
      where.add(`vg:${p.vg}`);
      return p;
    }
    const at = acceptImageDirs([p.path])[0] as string;
    if (where.has(at)) throw new XenError('EXISTS', `${at} is already a pool`, { field: 'path' });
    where.add(at);
    return { ...p, path: at };
  });
}

/** Parses pools.json; anything unexpected is an error naming the file, never a silently wider policy. */
export function parsePoolsFile(text: string): PoolDef[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new XenError('INVALID_ARG', `${POOLS_FILE} is not JSON`, { field: 'pools' });
  }
  const r = fileSchema.safeParse(json);
  if (!r.success) throw new XenError('INVALID_ARG', `${POOLS_FILE}: ${r.error.issues[0]?.message ?? 'unexpected content'}`, { field: 'pools' });
  return checkPools(r.data.pools);
}

/** The file's text for `pools` (checked first). */
export function formatPoolsFile(pools: readonly PoolDef[]): string {
  return `${JSON.stringify({ version: 1, pools: checkPools(pools) }, null, 2)}\n`;
}
