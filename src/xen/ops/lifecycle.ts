import type { SysrqKey } from '../../shared/contract';
import { isXenError, XenError } from '../errors';
import { readConfig } from './configs';
import type { OpsContext } from './context';
import { assertNotBusy } from './busy';
import { assertDisksFreeToStart } from './disk-use';
import { ensureDefaultDir } from './paths';
import { findRow, listRows } from './rows';
import { hasSavedState, savedStateName, savedStatePath } from './saved';
import { checkAbsPath, checkDomainRef, checkNotDom0, type DomainRef } from './validate';

/** Options of create. */
export interface CreateOptions {
  /** Create the domain paused (`xl create -p`). */
  paused?: boolean;
}

/** Options of shutdown. */
export interface ShutdownOptions {
  /** Wait until the domain is really gone from `xl list` (default true). */
  wait?: boolean;
  /** Fall back to an ACPI power event for HVM guests without PV drivers (`-F`). */
  force?: boolean;
  /** Overrides the API's shutdownTimeoutMs. */
  timeoutMs?: number;
}

/** What `xl create -n` printed: the config as libxl parsed it. */
export type DryRunResult = Record<string, unknown>;

/** Starts a domain from a config file (`xl create [-p] PATH`). */
export async function create(ctx: OpsContext, configPath: string, o: CreateOptions = {}): Promise<void> {
  const path = checkAbsPath(configPath, 'configPath');
  ctx.invalidate();
  await ctx.run('domain.create', { file: path, paused: o.paused === true });
  ctx.invalidate();
}

/** Options of startDomain. */
export interface StartOptions extends CreateOptions {
  /**
   * What to do with a saved state (SAVE_DIR/NAME.save): `restore` it (`xl restore`, then the file is removed), or
   * `discard` it (a fresh boot from the config, then the file is removed). Required when there is one.
   */
  saved?: 'restore' | 'discard';
}

/**
 * Starts a defined domain from its config (`xl create [-p] NAME.cfg`), unless a running domain uses one of its disks in
 * a way two domains may not share (IN_USE, naming the other domain): a second writer corrupts the filesystem.
 * A domain with a saved state is never cold-booted by accident: without `saved` it is refused (EXISTS, field saved),
 * since a fresh boot would leave the saved memory behind, stale against disks the new boot changes.
 */
export async function startDomain(ctx: OpsContext, name: string, o: StartOptions = {}): Promise<void> {
  assertNotBusy(ctx, name);
  const view = await readConfig(ctx, name);
  const file = savedStatePath(ctx, name);
  const saved = await hasSavedState(ctx, name);
  if (saved && o.saved === undefined) {
    throw new XenError('EXISTS', `${name} has a saved state (${file}): restore it, or start fresh and discard it`, { field: 'saved', path: file });
  }
  if (!saved && o.saved === 'restore') throw new XenError('NOT_FOUND', `${name} has no saved state (${file})`, { field: 'saved', path: file });
  await assertDisksFreeToStart(ctx, name, view.config?.disks ?? []);
  if (o.saved === 'restore') return restore(ctx, file, o.paused === true ? { paused: true } : {});
  // The user chose to discard it: it goes before the boot, so a boot whose outcome is unknown (a timeout) cannot leave
  // it behind to be offered, and restored over disks the fresh boot has written, later.
  if (saved) await removeUsedSave(ctx, name, file, 'is starting fresh');
  await create(ctx, view.path, o);
}

/**
 * Removes a saved state that a restore or a fresh start has used up. Like libvirt's managed save (the image goes
 * once restored), because a save file outliving the run it came from would be offered again, and restoring that old
 * memory over disks the guest has written since corrupts its filesystems.
 */
async function removeUsedSave(ctx: OpsContext, name: string, file: string, how: string): Promise<void> {
  try {
    await ctx.runner.fs.remove(file);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new XenError(isXenError(e) ? e.code : 'PERMISSION', `${name} ${how}, but its used saved state ${file} could not be removed (${why}); remove it before the next start`, { path: file });
  } finally {
    ctx.invalidate();
  }
}

/**
 * Whether `xl list NAME` finds the domain: yes, no (xl answered that the name is unknown), or unknown (xl could not be
 * asked, timed out or said something else), with xl's words for the user.
 */
export async function domainExists(ctx: OpsContext, name: string): Promise<{ answer: 'yes' | 'no' | 'unknown'; why: string }> {
  try {
    const r = await ctx.run('domain.list', { dom: name }, { allowFailure: true });
    if (r.exitCode === 0) return { answer: 'yes', why: `xl list ${name} shows it` };
    if (/invalid domain identifier|not found|no such domain/i.test(r.stderr)) return { answer: 'no', why: r.stderr.trim() };
    return { answer: 'unknown', why: r.stderr.trim() || `xl list exited with ${r.exitCode}` };
  } catch (e) {
    return { answer: 'unknown', why: e instanceof Error ? e.message : String(e) };
  }
}

/** Checks a config file with libxl's own parser without creating anything (`xl create -n PATH`). */
export async function dryRun(ctx: OpsContext, configPath: string): Promise<DryRunResult> {
  const path = checkAbsPath(configPath, 'configPath');
  const { stdout } = await ctx.run('config.dryRun', { file: path });
  // xl prints "Parsing config from ..." first (stderr on a terminal, but some runners merge it): take the JSON object.
  const start = stdout.search(/^\{/m);
  if (start < 0) throw new XenError('PARSE', 'xl create -n printed no JSON', { stdout: stdout.slice(0, 2000) });
  try {
    const value: unknown = JSON.parse(stdout.slice(start));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as DryRunResult;
  } catch (e) {
    throw new XenError('PARSE', `xl create -n printed JSON that does not parse: ${(e as Error).message}`, {
      stdout: stdout.slice(0, 2000),
    });
  }
}

/**
 * Shuts a domain down (`xl shutdown [-w] [-F] DOM`) and, when waiting, polls `xl list` until it is gone: xl's own
 * -w returns while the domain is still listed `--ps--`, and a create of the same name then fails.
 */
export async function shutdown(ctx: OpsContext, dom: DomainRef, o: ShutdownOptions = {}): Promise<void> {
  const ref = checkNotDom0(checkDomainRef(dom), 'Shutdown');
  const wait = o.wait ?? true;
  const timeoutMs = o.timeoutMs ?? ctx.opts.shutdownTimeoutMs;
  ctx.invalidate();
  await ctx.run('domain.shutdown', { dom: ref, wait, force: o.force === true }, { timeoutMs });
  if (wait) await waitUntilGone(ctx, ref, timeoutMs);
  ctx.invalidate();
}

/** Polls `xl list` until no domain answers to `ref` (name or domid), or throws TIMEOUT. */
export async function waitUntilGone(ctx: OpsContext, ref: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await listRows(ctx);
    if (findRow(rows, ref) === undefined) return;
    if (Date.now() >= deadline) {
      throw new XenError('TIMEOUT', `Domain ${ref} was still listed ${Math.round(timeoutMs / 1000)} s after shutdown`, {
        timeoutMs,
      });
    }
    await ctx.sleep(ctx.opts.pollIntervalMs);
  }
}

/** Asks the guest to reboot (`xl reboot [-F] DOM`); the domain comes back with a new domid. */
export async function reboot(ctx: OpsContext, dom: DomainRef, o: { force?: boolean } = {}): Promise<void> {
  const ref = checkNotDom0(checkDomainRef(dom), 'Reboot');
  ctx.invalidate();
  await ctx.run('domain.reboot', { dom: ref, force: o.force === true });
}

/** Powers a domain off at once (`xl destroy DOM`). */
export async function destroy(ctx: OpsContext, dom: DomainRef): Promise<void> {
  const ref = checkNotDom0(checkDomainRef(dom), 'Destroy');
  ctx.invalidate();
  await ctx.run('domain.destroy', { dom: ref });
  ctx.invalidate();
}

/** Pauses a domain (`xl pause DOM`). */
export async function pause(ctx: OpsContext, dom: DomainRef): Promise<void> {
  await ctx.run('domain.pause', { dom: checkNotDom0(checkDomainRef(dom), 'Pause') });
}

/** Unpauses a domain (`xl unpause DOM`). */
export async function unpause(ctx: OpsContext, dom: DomainRef): Promise<void> {
  await ctx.run('domain.unpause', { dom: checkDomainRef(dom) });
}

/** Sends a magic SysRq key to a running guest's kernel (`xl sysrq DOM KEY`); the guest acts on it as on Alt+SysRq. */
export async function sysrq(ctx: OpsContext, dom: DomainRef, key: SysrqKey): Promise<void> {
  await ctx.run('domain.sysrq', { dom: checkNotDom0(checkDomainRef(dom), 'SysRq'), key });
}

/**
 * The save file's folder: Xenith's default save directory is made when missing (stock Debian has none; xl would only
 * say "Failed to open temp file"); any other missing folder is refused, naming it.
 */
async function saveFolder(ctx: OpsContext, path: string): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  if (dir === ctx.opts.saveDir) {
    // Private: a save file holds the guest's memory (xl creates it 0644).
    await ensureDefaultDir(ctx, dir, 0o700);
    return;
  }
  const st = await ctx.runner.fs.stat(dir);
  if (st === null) throw new XenError('NOT_FOUND', `The folder ${dir} does not exist`, { field: 'file', path: dir });
  if (!st.isDirectory) throw new XenError('INVALID_ARG', `${dir} is not a folder`, { field: 'file', path: dir });
}

/** Saves a domain's memory to a new file and stops it (`xl save [-c] DOM FILE`); never overwrites a file. */
export async function save(ctx: OpsContext, dom: DomainRef, file: string, o: { leaveRunning?: boolean } = {}): Promise<void> {
  const ref = checkNotDom0(checkDomainRef(dom), 'Save');
  const path = checkAbsPath(file, 'file');
  if ((await ctx.runner.fs.stat(path)) !== null) throw new XenError('EXISTS', `${path} already exists`, { field: 'file', path });
  await saveFolder(ctx, path);
  ctx.invalidate();
  await ctx.run('domain.save', { dom: ref, file: path, leaveRunning: o.leaveRunning === true });
  ctx.invalidate();
}

/**
 * Restores a domain from a save file (`xl restore [-p] FILE`). When the file is a domain's saved state
 * (SAVE_DIR/NAME.save) and NAME runs afterwards, the file is removed: see removeUsedSave.
 */
export async function restore(ctx: OpsContext, file: string, o: { paused?: boolean } = {}): Promise<void> {
  const path = checkAbsPath(file, 'file');
  const st = await ctx.runner.fs.stat(path);
  if (st === null || !st.isFile) throw new XenError('NOT_FOUND', `${path} is not a save file`, { field: 'file', path });
  ctx.invalidate();
  const name = savedStateName(ctx, path);
  try {
    await ctx.run('domain.restore', { file: path, paused: o.paused === true });
  } catch (e) {
    // A restore that failed or timed out may still have started the domain: then its saved state is used up, and left
    // in place it would be offered (and restored over newer disks) again.
    ctx.invalidate();
    if (name !== null && (await domainExists(ctx, name)).answer === 'yes') {
      await removeUsedSave(ctx, name, path, 'is running after a restore that reported a failure');
      const why = e instanceof Error ? e.message : String(e);
      throw new XenError(isXenError(e) ? e.code : 'XL_FAILED', `${why} (${name} is running all the same; its saved state ${path} was removed so it is not restored twice)`, isXenError(e) ? e.detail : {});
    }
    throw e;
  }
  ctx.invalidate();
  // Only once the domain of that name runs: a file named for one domain but holding another is left alone.
  if (name !== null && findRow(await listRows(ctx), name) !== undefined) await removeUsedSave(ctx, name, path, 'was restored');
}
