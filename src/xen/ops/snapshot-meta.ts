import { randomBytes } from 'node:crypto';
import { SNAPSHOT_META, SNAPSHOT_SUBDIR, snapshotMemFile, snapshotMetaSchema, type SnapshotMeta } from '../../shared/snapshot';
import { isXenError, XenError } from '../errors';
import type { OpsContext } from './context';
import { ensureDefaultDir, joinPath } from './paths';

// Where a domain's snapshots are described: SAVE_DIR/xenith-snapshots/NAME/snapshots.json, beside the memory
// checkpoints (ID.mem). Root's save directory, not a pool: xl restore obeys the config inside a checkpoint as root,
// so a checkpoint may only ever come from where root keeps them (the broker's save guard).

/** The folder holding `name`'s snapshot metadata and memory checkpoints. */
export function snapshotDir(ctx: OpsContext, name: string): string {
  return joinPath(joinPath(ctx.opts.saveDir, SNAPSHOT_SUBDIR), name);
}

export function metaPath(ctx: OpsContext, name: string): string {
  return joinPath(snapshotDir(ctx, name), SNAPSHOT_META);
}

export function memPath(ctx: OpsContext, name: string, id: string): string {
  return joinPath(snapshotDir(ctx, name), snapshotMemFile(id));
}

/** A domain's snapshots as recorded; none when it has no file yet. A file that is not Xenith's is refused by name. */
export async function readMeta(ctx: OpsContext, name: string): Promise<SnapshotMeta> {
  const p = metaPath(ctx, name);
  let text: string;
  try {
    text = await ctx.runner.fs.readFile(p);
  } catch (e) {
    if (isXenError(e, 'NOT_FOUND')) return { version: 1, domain: name, current: null, snapshots: [] };
    throw e;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new XenError('INVALID_ARG', `${p} is not JSON; Xenith will not act on its snapshots until it is fixed or removed`, { path: p });
  }
  const r = snapshotMetaSchema.safeParse(parsed);
  if (!r.success || r.data.domain !== name) {
    throw new XenError('INVALID_ARG', `${p} is not a snapshot list of ${name} (${r.success ? 'another domain' : (r.error.issues[0]?.message ?? 'invalid')})`, { path: p });
  }
  return r.data;
}

/** Writes the metadata (atomically), making root's private save directory and the domain's folder when missing. */
export async function writeMeta(ctx: OpsContext, meta: SnapshotMeta): Promise<void> {
  await ensureSnapshotDir(ctx, meta.domain);
  await ctx.runner.fs.replaceFile(metaPath(ctx, meta.domain), `${JSON.stringify(snapshotMetaSchema.parse(meta), null, 2)}\n`);
}

export async function ensureSnapshotDir(ctx: OpsContext, name: string): Promise<void> {
  // The save directory holds guests' memory: private (xl creates its files 0644).
  await ensureDefaultDir(ctx, ctx.opts.saveDir, 0o700);
  await ensureDefaultDir(ctx, joinPath(ctx.opts.saveDir, SNAPSHOT_SUBDIR), 0o700);
  await ensureDefaultDir(ctx, snapshotDir(ctx, name), 0o700);
}

/** A new snapshot id, unused in `meta`. */
export function newSnapshotId(meta: SnapshotMeta): string {
  for (;;) {
    const id = randomBytes(4).toString('hex');
    if (!meta.snapshots.some((s) => s.id === id)) return id;
  }
}

/**
 * Refuses to act on `name` (rename it, delete it, or give its name to another domain) while snapshots are recorded under
 * that name: they are found by it, and a revert would put another domain's disks back.
 */
export async function assertNoSnapshots(ctx: OpsContext, name: string, field: string, doing: string): Promise<void> {
  const n = (await readMeta(ctx, name)).snapshots.length;
  if (n > 0) throw new XenError('IN_USE', `${name} has ${n} snapshot${n === 1 ? '' : 's'} (kept under its name); delete ${n === 1 ? 'it' : 'them'} in its Snapshots tab before ${doing}`, { field });
}
