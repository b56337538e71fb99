import type { DomainConfig } from '../../shared/domain-config';
import type { SnapshotDisk } from '../../shared/snapshot';
import { isXenError, XenError } from '../errors';
import type { OpsContext } from './context';
import { listRows } from './rows';
import { captureDisk, dropDisk, type DiskCapture } from './snapshot-disks';
import { memPath } from './snapshot-meta';

// A running domain's snapshot: its memory checkpointed, its disks captured while it cannot write them.
// - Only logical volumes (blkback; or no disk at all): `xl save -c -p` checkpoints the memory and leaves the domain
//   paused; the LVM snapshots are taken; `xl unpause`. The pause is the checkpoint plus the snapshots.
// - Any qcow2 file: Xen's qemu has it open and qemu-img takes no lock it would see, so an internal snapshot of it now
//   could corrupt it. The domain is saved (`xl save`: it stops and its qemu exits), the files are captured, and it is
//   restored from that same checkpoint, which becomes the snapshot's memory.
// Either way a failure leaves the guest running (unpaused, or restored), and removes only what the snapshot made.

export interface LiveJob {
  name: string;
  id: string;
  cfg: DomainConfig;
  caps: DiskCapture[];
  /** Filled with each disk captured, so the caller can undo exactly those. */
  made: SnapshotDisk[];
}

/** The memory checkpoint needs about the domain's maximum memory in the save directory's filesystem. */
async function checkMemorySpace(ctx: OpsContext, job: LiveJob): Promise<void> {
  const need = (job.cfg.maxmem ?? job.cfg.memory ?? 0) * 1024 * 1024 * 1.05;
  const free = await ctx.runner.fs.freeBytes(ctx.opts.saveDir);
  if (free < need) {
    throw new XenError('INVALID_ARG', `The memory checkpoint needs about ${(need / 1024 ** 3).toFixed(2)} GiB in ${ctx.opts.saveDir}, which has ${(free / 1024 ** 3).toFixed(2)} GiB free`, { field: 'name' });
  }
}

async function captureAll(ctx: OpsContext, job: LiveJob, progress: (m: string) => void): Promise<void> {
  for (const c of job.caps) {
    progress(`Capturing ${c.plan.vdev}…`);
    job.made.push(await captureDisk(ctx, c, job.id));
  }
}

/** Unpauses the domain if it exists and is paused (after a checkpoint, or a failed one). */
async function unpauseIfPaused(ctx: OpsContext, name: string): Promise<void> {
  const row = (await listRows(ctx)).find((r) => r.name === name);
  if (row !== undefined && row.stateFlags.includes('p')) await ctx.run('domain.unpause', { dom: name });
}

/** Takes the memory and the disks of a running domain; returns the checkpoint's size and how long the guest was stopped. */
export async function takeLive(ctx: OpsContext, job: LiveJob, progress: (m: string) => void): Promise<{ memBytes: number | null; pauseMs: number }> {
  await checkMemorySpace(ctx, job);
  const file = memPath(ctx, job.name, job.id);
  const viaSave = job.caps.some((c) => c.plan.how === 'qcow2');
  const t0 = Date.now();
  ctx.invalidate();
  if (viaSave) await saveCaptureRestore(ctx, job, file, progress);
  else await checkpointCapture(ctx, job, file, progress);
  const pauseMs = Date.now() - t0;
  progress(`${job.name} runs again (it was stopped ${(pauseMs / 1000).toFixed(1)} s).`);
  ctx.invalidate();
  const st = await ctx.runner.fs.stat(file).catch(() => null);
  return { memBytes: st?.size ?? null, pauseMs };
}

async function checkpointCapture(ctx: OpsContext, job: LiveJob, file: string, progress: (m: string) => void): Promise<void> {
  let paused = false;
  try {
    progress(`Checkpointing ${job.name}'s memory (the guest is paused)…`);
    await ctx.run('domain.save', { dom: job.name, file, leaveRunning: true, leavePaused: true });
    paused = true;
    await captureAll(ctx, job, progress);
  } finally {
    progress(`Unpausing ${job.name}…`);
    // After a checkpoint it is paused for certain (no xl list in the pause); after a failed one, only maybe.
    if (paused) await ctx.run('domain.unpause', { dom: job.name });
    else await unpauseIfPaused(ctx, job.name);
  }
}

async function saveCaptureRestore(ctx: OpsContext, job: LiveJob, file: string, progress: (m: string) => void): Promise<void> {
  progress(`Saving ${job.name}'s memory (the guest stops until it is restored)…`);
  try {
    await ctx.run('domain.save', { dom: job.name, file });
  } catch (e) {
    // A save that failed may leave the guest suspended and paused: it runs on as it was.
    await unpauseIfPaused(ctx, job.name).catch(() => undefined);
    if ((await listRows(ctx)).some((r) => r.name === job.name)) throw e;
    throw keep(e, `${job.name} stopped while its memory was being saved; its memory may be in ${file}, which is kept`);
  }
  let failure: unknown = null;
  try {
    await captureAll(ctx, job, progress);
  } catch (e) {
    failure = e;
    // Undone now, while no qemu has the files open: after the restore it would be too late to touch them safely.
    for (const d of job.made.splice(0).reverse()) await dropDisk(ctx, d).catch(() => undefined);
  }
  progress(`Restoring ${job.name}…`);
  try {
    await ctx.run('domain.restore', { file });
  } catch (e) {
    throw keep(e, `${job.name} could not be restored from ${file}, which is kept: start it from the Snapshots tab or with xl restore`);
  }
  if (failure !== null) throw failure;
}

/** An error after which the memory file must stay (it may be the only copy of the guest's memory). */
function keep(e: unknown, message: string): XenError {
  const why = isXenError(e) ? e.message : String(e);
  return new XenError(isXenError(e) ? e.code : 'XL_FAILED', `${message} (${why})`, { ...(isXenError(e) ? e.detail : {}), keepMemory: true });
}
