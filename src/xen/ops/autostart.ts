import { posix } from 'node:path';
import { XenError } from '../errors';
import { findConfigByName } from './configs';
import type { OpsContext } from './context';
import { baseName, joinPath, readDirOrEmpty } from './paths';
import { checkDomainName } from './validate';

/** The autostart directory as read once: each entry's path and, for a symlink, the absolute path it points at. */
export interface AutostartDir {
  entries: { path: string; name: string; target: string | null }[];
}

/** Reads the autostart directory once (a list plus one readlink per entry); empty when it does not exist. */
export async function readAutostartDir(ctx: OpsContext): Promise<AutostartDir> {
  const dir = ctx.opts.autoDir;
  // Every entry and its link in one request, not one readlink per entry.
  const entries: AutostartDir['entries'] = (await readDirOrEmpty(ctx, dir, { suffix: '', text: false })).map(({ name, link }) => ({
    path: joinPath(dir, name),
    name,
    target: link === null ? null : posix.normalize(link.startsWith('/') ? link : joinPath(dir, link)),
  }));
  return { entries };
}

/** Entries of the autostart directory that start `configPath`: links to it, or files named like it (xendomains takes both). */
export function autostartEntriesIn(auto: AutostartDir, configPath: string): string[] {
  const base = baseName(configPath);
  return auto.entries.filter((e) => e.target === configPath || e.name === base).map((e) => e.path);
}

/** Reads the autostart directory and returns the entries that start `configPath`. */
export async function autostartEntries(ctx: OpsContext, configPath: string): Promise<string[]> {
  return autostartEntriesIn(await readAutostartDir(ctx), configPath);
}

/** Turns autostart on (a symlink in the autostart directory to the config) or off (removes every entry for it). */
export async function setAutostart(ctx: OpsContext, name: string, on: boolean): Promise<void> {
  checkDomainName(name);
  const entry = await findConfigByName(ctx, name);
  if (entry === null) throw new XenError('NOT_FOUND', `No config file for ${name}; autostart needs one`, { field: 'name' });
  const existing = await autostartEntries(ctx, entry.path);
  ctx.invalidate();
  if (on) {
    if (existing.length > 0) return;
    await ctx.runner.fs.mkdirp(ctx.opts.autoDir);
    await ctx.runner.fs.symlink(entry.path, joinPath(ctx.opts.autoDir, baseName(entry.path)));
    return;
  }
  for (const p of existing) await ctx.runner.fs.remove(p);
}
