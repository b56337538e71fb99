import { XenError } from '../errors';
import { parseXlConfig } from '../config/xl-config';
import { autostartEntries } from './autostart';
import { pickConfig, scanConfigs, type ConfigEntry } from './configs';
import type { OpsContext } from './context';
import { assertNotBusy } from './busy';
import { assertNoSnapshots } from './snapshot-meta';
import { baseName, joinPath } from './paths';
import { findRow, listRows } from './rows';
import { checkDomainName, checkDomainRef, checkNotDom0, type DomainRef } from './validate';

/** A planned config rename: checked already, applied after xl rename succeeded. */
export interface ConfigRenamePlan {
  /** Writes the new name (and moves the file and its autostart link); returns the config's new path. */
  apply(): Promise<string>;
}

/** Plans renaming `entry`'s domain to `to`; throws EXISTS now when the new file name is taken. */
export async function renameConfigFor(ctx: OpsContext, entry: ConfigEntry, to: string): Promise<ConfigRenamePlan> {
  const doc = parseXlConfig(entry.text);
  doc.set('name', to);
  const newText = doc.toString();
  const moves = baseName(entry.path) === `${entry.name}.cfg`;
  const newPath = moves ? joinPath(ctx.opts.configDir, `${to}.cfg`) : entry.path;
  if (moves && (await ctx.runner.fs.stat(newPath)) !== null) {
    throw new XenError('EXISTS', `${newPath} already exists`, { field: 'newName', path: newPath });
  }
  return {
    apply: async () => {
      if (!moves) {
        await ctx.runner.fs.replaceFile(entry.path, newText);
        return entry.path;
      }
      const links = await autostartEntries(ctx, entry.path);
      await ctx.runner.fs.writeFileExclusive(newPath, newText);
      await ctx.runner.fs.remove(entry.path);
      for (const l of links) await ctx.runner.fs.remove(l);
      // One link for the new file, however many entries (links or copies) named the old one.
      if (links.length > 0) await ctx.runner.fs.symlink(newPath, joinPath(ctx.opts.autoDir, baseName(newPath)));
      return newPath;
    },
  };
}

/**
 * Renames a domain: `xl rename` when it runs, and its config file's `name=` (plus the file itself when it is called
 * NAME.cfg, and its autostart link). Refuses before changing anything when the new file already exists.
 */
export async function rename(ctx: OpsContext, dom: DomainRef, newName: string): Promise<{ configPath: string | null }> {
  const ref = checkNotDom0(checkDomainRef(dom), 'Rename');
  const to = checkDomainName(newName, 'newName');
  const rows = await listRows(ctx);
  const row = findRow(rows, ref);
  const oldName = row?.name ?? ref;
  if (row === undefined && /^\d+$/.test(ref)) throw new XenError('NOT_FOUND', `No domain with id ${ref}`, { field: 'domain' });
  if (rows.some((r) => r.name === to)) throw new XenError('EXISTS', `A domain named ${to} is running`, { field: 'newName' });
  const entries = await scanConfigs(ctx);
  const cfg = pickConfig(entries, oldName);
  if (cfg === null && row === undefined) throw new XenError('NOT_FOUND', `No domain or config named ${oldName}`, { field: 'domain' });
  if (pickConfig(entries, to) !== null) throw new XenError('EXISTS', `A config for ${to} already exists`, { field: 'newName' });
  assertNotBusy(ctx, oldName, 'domain');
  assertNotBusy(ctx, to, 'newName');
  await assertNoSnapshots(ctx, oldName, 'domain', 'renaming it');
  await assertNoSnapshots(ctx, to, 'newName', `giving its name to ${oldName}`);
  // Check the file move is possible before xl renames anything, so a refusal leaves both sides untouched.
  const plan = cfg === null ? null : await renameConfigFor(ctx, cfg, to);
  ctx.invalidate();
  if (row !== undefined) await ctx.run('domain.rename', { dom: ref, newName: to });
  const configPath = plan === null ? null : await plan.apply();
  ctx.invalidate();
  return { configPath };
}
