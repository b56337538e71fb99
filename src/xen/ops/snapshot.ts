import type { ConfigProblem, DomainConfig } from '../../shared/domain-config';
import {
  snapshotSubtree, snapshotTree,
  type SnapshotCreateArgs, type SnapshotDeleteArgs, type SnapshotDisk, type SnapshotList, type SnapshotMeta, type SnapshotRecord, type SnapshotRevertArgs, type SnapshotRevertResult,
} from '../../shared/snapshot';
import type { StorageOverview } from '../../shared/storage';
import { XenError } from '../errors';
import { storageOverview } from '../storage/list';
import { modelToEdit, readConfig } from './configs';
import type { OpsContext } from './context';
import { assertNotBases } from '../storage/linked';
import { whileBusy } from './busy';
import { listRows } from './rows';
import { hasSavedState, savedStatePath } from './saved';
import { captureDisk, diskProblems, dropDisk, planDisks, revertDisk, type DiskCapture } from './snapshot-disks';
import { ensureSnapshotDir, memPath, newSnapshotId, readMeta, snapshotDir, writeMeta } from './snapshot-meta';
import { takeLive } from './snapshot-live';
import { checkDomainName } from './validate';

// Snapshots of a domain: listed as a tree, taken (disk-only while stopped, with memory while running), reverted to
// and deleted (one, or one with everything below it). src/shared/snapshot.ts holds the model.

interface Situation {
  overview: StorageOverview;
  cfg: DomainConfig;
  meta: SnapshotMeta;
  running: boolean;
  caps: DiskCapture[];
  problems: ConfigProblem[];
}

async function situation(ctx: OpsContext, name: string): Promise<Situation> {
  checkDomainName(name);
  const [rows, view, overview, meta] = await Promise.all([listRows(ctx), readConfig(ctx, name), storageOverview(ctx), readMeta(ctx, name)]);
  const cfg = modelToEdit(view);
  const running = rows.some((r) => r.name === name);
  const caps = await planDisks(ctx, cfg.disks, overview);
  const problems = diskProblems(caps, overview);
  // A disk another running domain writes would be captured mid-write, and a revert would pull it from under it.
  for (const [i, c] of caps.entries()) {
    const other = overview.volumes.find((v) => v.path === c.plan.path)?.users.find((u) => u.domain !== name && u.running && u.access === 'rw');
    if (c.plan.how !== 'shared' && other !== undefined) problems.push({ field: `disks[${i}]`, message: `${c.plan.vdev} (${c.plan.path}) is in use by ${other.domain}` });
  }
  return { overview, cfg, meta, running, caps, problems };
}

/** A running domain other than `name` that has one of `disks` open now (the recorded disks, not only today's). */
function otherUser(s: Situation, name: string, disks: readonly SnapshotDisk[]): { disk: SnapshotDisk; domain: string } | null {
  for (const disk of disks) {
    const u = s.overview.volumes.find((v) => v.path === disk.path)?.users.find((x) => x.domain !== name && x.running);
    if (u !== undefined) return { disk, domain: u.domain };
  }
  return null;
}

/** A domain's snapshots as a tree, with sizes, how each disk would be captured and what stops a new one. */
export async function listSnapshots(ctx: OpsContext, name: string): Promise<SnapshotList> {
  const s = await situation(ctx, name);
  const sizes = await Promise.all(s.meta.snapshots.map((r) => snapshotSize(ctx, name, r)));
  const size = new Map(s.meta.snapshots.map((r, i) => [r.id, sizes[i] ?? null]));
  return {
    domain: name,
    dir: snapshotDir(ctx, name),
    current: s.meta.current,
    snapshots: snapshotTree(s.meta.snapshots).map((v) => ({ ...v, sizeBytes: size.get(v.id) ?? null })),
    disks: s.caps.map((c) => c.plan),
    running: s.running,
    problems: s.problems,
  };
}

/** The memory file plus thick LVM snapshot volumes; qcow2 internal snapshots share their file and are not counted. */
async function snapshotSize(ctx: OpsContext, name: string, r: SnapshotRecord): Promise<number | null> {
  const lv = r.disks.reduce((n, d) => n + (d.kind === 'lvm' ? d.bytes : 0), 0);
  if (!r.memory) return r.disks.some((d) => d.kind === 'qcow2') && lv === 0 ? null : lv;
  const st = await ctx.runner.fs.stat(memPath(ctx, name, r.id)).catch(() => null);
  return (st?.size ?? 0) + lv;
}

/** Refuses with the first problem, naming its field. */
function refuseProblems(problems: readonly ConfigProblem[]): void {
  const p = problems[0];
  if (p !== undefined) throw new XenError('INVALID_ARG', p.message, { field: p.field, problems });
}

/**
 * Takes a snapshot: of a stopped domain, its disks; of a running one, its memory too (see snapshot-live.ts). A
 * failure removes exactly what this snapshot made and leaves the domain running as it was.
 */
export async function createSnapshot(ctx: OpsContext, a: SnapshotCreateArgs, progress: (m: string) => void = () => undefined): Promise<SnapshotRecord> {
  return whileBusy(ctx, [a.name], 'a snapshot of it is being taken', () => takeSnapshot(ctx, a, progress));
}

async function takeSnapshot(ctx: OpsContext, a: SnapshotCreateArgs, progress: (m: string) => void): Promise<SnapshotRecord> {
  const s = await situation(ctx, a.name);
  refuseProblems(s.problems);
  if (s.meta.snapshots.some((r) => r.name === a.snapName)) throw new XenError('EXISTS', `${a.name} already has a snapshot called ${a.snapName}`, { field: 'snapName' });
  const id = newSnapshotId(s.meta);
  const caps = s.caps.filter((c) => c.plan.how !== 'shared');
  const made: SnapshotDisk[] = [];
  const base = { id, name: a.snapName, description: a.description, parent: s.meta.current, createdAt: Date.now() };
  let rec: SnapshotRecord;
  try {
    if (!s.running) {
      for (const c of caps) {
        progress(`Capturing ${c.plan.vdev}…`);
        made.push(await captureDisk(ctx, c, id));
      }
      rec = { ...base, memory: false, memBytes: null, pauseMs: null, disks: made };
    } else {
      await ensureSnapshotDir(ctx, a.name);
      const live = await takeLive(ctx, { name: a.name, id, cfg: s.cfg, caps, made }, progress);
      rec = { ...base, memory: true, memBytes: live.memBytes, pauseMs: live.pauseMs, disks: made };
    }
    progress('Recording the snapshot…');
    await writeMeta(ctx, { ...s.meta, current: id, snapshots: [...s.meta.snapshots, rec] });
    return rec;
  } catch (e) {
    await undoSnapshot(ctx, a.name, id, made, s.running && !(e instanceof XenError && e.detail['keepMemory'] === true));
    throw e;
  }
}

/**
 * Removes what a failed snapshot made: its disks' snapshots and its memory file. Never hides the first error. A qcow2
 * file of a domain that runs again is left alone (qemu has it open); its unused internal snapshot only takes space.
 */
async function undoSnapshot(ctx: OpsContext, name: string, id: string, made: readonly SnapshotDisk[], memory: boolean): Promise<void> {
  const running = (await listRows(ctx).catch(() => [])).some((r) => r.name === name);
  for (const d of [...made].reverse()) if (!(running && d.kind === 'qcow2')) await dropDisk(ctx, d).catch(() => undefined);
  if (memory) await ctx.runner.fs.remove(memPath(ctx, name, id)).catch(() => undefined);
}

/**
 * Goes back to a snapshot: a running domain is powered off first (only when the user confirmed, stopRunning), every
 * disk put back, and with memory the domain restored from its checkpoint so it continues from that moment.
 */
export async function revertSnapshot(ctx: OpsContext, a: SnapshotRevertArgs, progress: (m: string) => void = () => undefined): Promise<SnapshotRevertResult> {
  return whileBusy(ctx, [a.name], 'it is being reverted to a snapshot', () => revertNow(ctx, a, progress));
}

async function revertNow(ctx: OpsContext, a: SnapshotRevertArgs, progress: (m: string) => void): Promise<SnapshotRevertResult> {
  const s = await situation(ctx, a.name);
  const rec = s.meta.snapshots.find((r) => r.id === a.id);
  if (rec === undefined) throw new XenError('NOT_FOUND', `${a.name} has no snapshot ${a.id}`, { field: 'id' });
  const inUse = s.problems.find((p) => / is in use by /.test(p.message));
  if (inUse) throw new XenError('IN_USE', inUse.message, { field: inUse.field });
  const other = otherUser(s, a.name, rec.disks);
  if (other) throw new XenError('IN_USE', `${other.disk.vdev} (${other.disk.path}) is in use by ${other.domain}`, { field: 'id', domain: other.domain });
  // Putting a linked clone's base back would change what every overlay reads.
  await assertNotBases(ctx, rec.disks.filter((d) => d.kind === 'qcow2').map((d) => d.path), 'id', `Cannot revert ${a.name}`);
  if (s.running && !a.stopRunning) throw new XenError('IN_USE', `${a.name} is running: reverting powers it off first`, { field: 'stopRunning' });
  if (await hasSavedState(ctx, a.name)) {
    throw new XenError('EXISTS', `${a.name} has a saved state (${savedStatePath(ctx, a.name)}) that a revert would make stale: start it fresh or restore it first`, { field: 'name' });
  }
  if (s.running) {
    progress(`Powering off ${a.name}…`);
    ctx.invalidate();
    await ctx.run('domain.destroy', { dom: a.name });
    ctx.invalidate();
  }
  for (const d of rec.disks) {
    progress(`Putting ${d.vdev} back…`);
    await revertDisk(ctx, d);
  }
  await writeMeta(ctx, { ...s.meta, current: rec.id });
  if (!rec.memory) return { id: rec.id, resumed: false };
  progress('Restoring the memory…');
  ctx.invalidate();
  await ctx.run('domain.restore', { file: memPath(ctx, a.name, rec.id) });
  ctx.invalidate();
  return { id: rec.id, resumed: true };
}

/**
 * Deletes a snapshot (its children then hang from its parent) or, with subtree, it and everything below it. A qcow2
 * internal snapshot is dropped only while no domain has the file open.
 */
export async function deleteSnapshot(ctx: OpsContext, a: SnapshotDeleteArgs): Promise<{ deleted: string[] }> {
  return whileBusy(ctx, [a.name], 'a snapshot of it is being deleted', () => deleteNow(ctx, a));
}

async function deleteNow(ctx: OpsContext, a: SnapshotDeleteArgs): Promise<{ deleted: string[] }> {
  const s = await situation(ctx, a.name);
  const rec = s.meta.snapshots.find((r) => r.id === a.id);
  if (rec === undefined) throw new XenError('NOT_FOUND', `${a.name} has no snapshot ${a.id}`, { field: 'id' });
  const ids = a.subtree ? snapshotSubtree(s.meta.snapshots, a.id) : [a.id];
  const doomed = s.meta.snapshots.filter((r) => ids.includes(r.id));
  if (s.running && doomed.some((r) => r.disks.some((d) => d.kind === 'qcow2'))) {
    throw new XenError('IN_USE', `${a.name} is running: a snapshot inside its qcow2 disk can only be deleted while it is shut down`, { field: 'name' });
  }
  // Dropping a snapshot inside a qcow2 file rewrites the file: never under another domain's qemu.
  const other = otherUser(s, a.name, doomed.flatMap((r) => r.disks.filter((d) => d.kind === 'qcow2')));
  if (other) throw new XenError('IN_USE', `${other.disk.path} is open in ${other.domain}; shut it down to delete this snapshot`, { field: 'id', domain: other.domain });
  let meta = s.meta;
  const deleted: string[] = [];
  // Deepest first, recording after each, so a failure part-way leaves the file true to what is left.
  for (const r of [...doomed].reverse()) {
    for (const d of r.disks) await dropDisk(ctx, d);
    if (r.memory) await removeIfThere(ctx, memPath(ctx, a.name, r.id));
    meta = {
      ...meta,
      current: meta.current === r.id ? r.parent : meta.current,
      snapshots: meta.snapshots.filter((x) => x.id !== r.id).map((x) => (x.parent === r.id ? { ...x, parent: r.parent } : x)),
    };
    await writeMeta(ctx, meta);
    deleted.push(r.id);
  }
  return { deleted };
}

/** Removes a file; one already gone is fine. */
async function removeIfThere(ctx: OpsContext, path: string): Promise<void> {
  try {
    await ctx.runner.fs.remove(path);
  } catch (e) {
    if (!(e instanceof XenError && e.code === 'NOT_FOUND')) throw e;
  }
}
