import { volumeNameProblem, volumePath } from '../../shared/storage';
import { XenError } from '../errors';
import type { OpsContext } from '../ops/context';
import { claimAndFill } from '../ops/images';
import { declaredBase } from './image-header';
import { findPool, readPools } from './pools';
import { storageOverview } from './list';

// Linked volumes: a qcow2 overlay reading a base image of the pools, so a clone costs no copy. The base must then never
// change: whatever a domain wrote to it would show through every overlay as corruption. So a base is never started,
// attached or written read-write, resized, reverted or removed while an overlay reads it.

/**
 * The bases of the directory pools' linked volumes (path -> the overlays' paths), from one probe per directory pool:
 * cheaper than the whole overview, for the checks before a domain starts or gets a disk.
 */
export async function linkedBases(ctx: OpsContext): Promise<Map<string, string[]>> {
  const dirs = (await readPools(ctx)).flatMap((p) => (p.kind === 'lvm' ? [] : [p.path]));
  const out = new Map<string, string[]>();
  await Promise.all(
    dirs.map(async (d) => {
      // A pool that cannot be probed has no overlay Xenith could start either: the start itself reports it.
      for (const f of await ctx.runner.fs.probeImages(d).catch(() => [])) {
        const base = declaredBase(f);
        if (base !== null) out.set(base.path, [...(out.get(base.path) ?? []), `${d}/${f.name}`]);
      }
    }),
  );
  return out;
}

/** Words for a base, naming what reads it. */
export function baseMessage(path: string, overlays: readonly string[]): string {
  const n = overlays.length;
  return `${path} is the base of ${n === 1 ? 'linked volume' : `${n} linked volumes`} ${overlays.slice(0, 3).join(', ')}${n > 3 ? ` and ${n - 3} more` : ''}; anything written to it would corrupt ${n === 1 ? 'it' : 'them'}. Delete the linked clones (or make full clones of them) first`;
}

/** Refuses when one of `paths` is a base some linked volume reads (IN_USE, naming the field and the overlays). */
export async function assertNotBases(ctx: OpsContext, paths: readonly string[], field: string, what: string): Promise<void> {
  const files = paths.filter((p) => p !== '' && !p.startsWith('/dev/'));
  if (files.length === 0) return;
  const bases = await linkedBases(ctx);
  for (const p of files) {
    const overlays = bases.get(p);
    if (overlays !== undefined) throw new XenError('IN_USE', `${what}: ${baseMessage(p, overlays)}`, { field, path: p, overlays });
  }
}

/**
 * Makes `newName` in `toPool` (a directory pool) a linked volume: a qcow2 overlay reading volume `name` of `pool`, which
 * must be a raw or qcow2 file that reads no other file itself and that no running domain writes. Nothing is copied;
 * qemu-img makes the overlay into a name claimed first, and a failure removes it.
 */
export async function createLinkedVolume(ctx: OpsContext, a: { pool: string; name: string; newName: string; toPool?: string; from?: 'raw' | 'qcow2' }): Promise<{ path: string }> {
  const pool = await findPool(ctx, a.pool);
  const to = a.toPool === undefined ? pool : await findPool(ctx, a.toPool, 'toPool');
  const problem = volumeNameProblem(a.newName);
  if (problem !== null) throw new XenError('INVALID_ARG', `The volume name ${problem}`, { field: 'newName' });
  if (to.kind === 'lvm') throw new XenError('INVALID_ARG', `${to.name} is a volume group: a linked volume is a qcow2 file, so it goes into a directory pool`, { field: 'toPool' });
  const { volumes } = await storageOverview(ctx);
  const base = volumes.find((v) => v.pool === pool.name && v.name === a.name);
  if (base === undefined) throw new XenError('NOT_FOUND', `Pool ${pool.name} has no volume ${a.name}`, { field: 'name' });
  if (pool.kind === 'lvm' || base.format === 'iso') throw new XenError('INVALID_ARG', `${base.path} is not an image file: only a raw or qcow2 file can be a base`, { field: 'name' });
  if (base.backing !== null) throw new XenError('INVALID_ARG', `${base.path} reads another file (${base.backing}); a linked volume is made only on a self-contained one (make a full clone)`, { field: 'name' });
  // The declared format wins over the head, which a raw disk's guest may have written.
  const format = a.from ?? (base.format === 'qcow2' ? 'qcow2' : 'raw');
  if (format !== base.format) throw new XenError('INVALID_ARG', `${base.path} is used as ${format} but its contents start like ${base.format}; Xenith does not link to it`, { field: 'name' });
  const writer = base.users.find((u) => u.running && u.access === 'rw' && !u.cdrom);
  if (writer) throw new XenError('IN_USE', `${base.path} is written by running domain ${writer.domain}; shut it down before linking to its disk`, { field: 'name', domain: writer.domain });
  const p = volumePath(to, a.newName);
  if (volumes.some((v) => v.path === p) || (await ctx.runner.fs.stat(p)) !== null) throw new XenError('EXISTS', `${p} already exists; nothing was overwritten`, { field: 'newName', path: p });
  return claimAndFill(ctx, p, () => ctx.run('image.createOverlay', { path: p, base: base.path, baseFormat: format }));
}
