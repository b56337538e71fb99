import { posix } from 'node:path';
import type { DiskSpec } from '../../shared/disk-spec';
import type { DomainConfig } from '../../shared/domain-config';
import { validateDomainConfig } from '../../shared/domain-config';
import { isXenError, XenError } from '../errors';
import { parseXlConfig } from '../config/xl-config';
import { configFromXl, renderXlConfig, updateXlConfigText } from '../config/render';
import type { OpsContext } from './context';
import { listRows } from './rows';
import { checkAbsPath, checkDomainName, invalidArg } from './validate';

/** One config file found in the config directory. */
export interface ConfigEntry {
  path: string;
  /** The domain name its `name=` gives. */
  name: string;
  text: string;
  /** The parsed model, or null when the file does not map onto one (it still lists as a domain). */
  config: DomainConfig | null;
}

/** A config file's text, where it is, and the model it parses to. */
export interface ConfigView {
  path: string;
  text: string;
  /** null when the text does not parse into a valid model; `problems` says why. */
  config: DomainConfig | null;
  problems: { field: string; message: string }[];
}

/** One step of deleteDomain and whether it worked. */
export interface DeleteStep {
  what: 'config' | 'autostart' | 'disk';
  path: string;
  ok: boolean;
  message?: string;
}

/** What deleteDomain did, step by step. */
export interface DeleteReport {
  steps: DeleteStep[];
}

function joinPath(dir: string, file: string): string {
  return dir === '/' ? `/${file}` : `${dir}/${file}`;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

async function listOrEmpty(ctx: OpsContext, dir: string): Promise<string[]> {
  try {
    return await ctx.runner.fs.list(dir);
  } catch (e) {
    // A host without /etc/xen/auto simply has no autostart domains.
    if (isXenError(e, 'NOT_FOUND')) return [];
    throw e;
  }
}

/** Reads a config's name and model; null when the file is not an xl config at all. */
function readEntry(path: string, text: string): ConfigEntry | null {
  let obj: Record<string, unknown>;
  try {
    obj = parseXlConfig(text).toObject() as Record<string, unknown>;
  } catch {
    return null;
  }
  const name = obj['name'];
  if (typeof name !== 'string' || name === '') return null;
  let config: DomainConfig | null = null;
  try {
    config = configFromXl(obj);
  } catch {
    config = null;
  }
  return { path, name, text, config };
}

/** Every `*.cfg` in the config directory that names a domain, sorted by file name. */
export async function scanConfigs(ctx: OpsContext): Promise<ConfigEntry[]> {
  const dir = ctx.opts.configDir;
  const files = (await listOrEmpty(ctx, dir)).filter((f) => f.endsWith('.cfg') && !f.startsWith('.'));
  const out: ConfigEntry[] = [];
  for (const f of files) {
    const path = joinPath(dir, f);
    let text: string;
    try {
      text = await ctx.runner.fs.readFile(path);
    } catch (e) {
      // One unreadable file (a dangling link, a directory named x.cfg) must not hide every other domain.
      if (isXenError(e, 'NOT_FOUND') || isXenError(e, 'PERMISSION')) continue;
      throw e;
    }
    const entry = readEntry(path, text);
    if (entry !== null) out.push(entry);
  }
  return out;
}

/** The config of domain `name`: NAME.cfg when it says name=NAME, else the first file that does. */
export function pickConfig(entries: readonly ConfigEntry[], name: string): ConfigEntry | null {
  const mine = entries.filter((e) => e.name === name);
  return mine.find((e) => baseName(e.path) === `${name}.cfg`) ?? mine[0] ?? null;
}

/** Finds the config file of domain `name`, or null. */
export async function findConfigByName(ctx: OpsContext, name: string): Promise<ConfigEntry | null> {
  return pickConfig(await scanConfigs(ctx), name);
}

/** The autostart directory as read once: each entry's path and, for a symlink, the absolute path it points at. */
export interface AutostartDir {
  entries: { path: string; name: string; target: string | null }[];
}

/** Reads the autostart directory once (a list plus one readlink per entry); empty when it does not exist. */
export async function readAutostartDir(ctx: OpsContext): Promise<AutostartDir> {
  const dir = ctx.opts.autoDir;
  const entries: AutostartDir['entries'] = [];
  for (const n of await listOrEmpty(ctx, dir)) {
    const p = joinPath(dir, n);
    const link = await ctx.runner.fs.readlink(p);
    entries.push({ path: p, name: n, target: link === null ? null : posix.normalize(link.startsWith('/') ? link : joinPath(dir, link)) });
  }
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

/** Reads domain `name`'s config: path, text, and the validated model (or the problems that stop it). */
export async function readConfig(ctx: OpsContext, name: string): Promise<ConfigView> {
  checkDomainName(name);
  const entry = await findConfigByName(ctx, name);
  if (entry === null) throw new XenError('NOT_FOUND', `No config file for ${name} in ${ctx.opts.configDir}`, { field: 'name' });
  if (entry.config === null) {
    return { path: entry.path, text: entry.text, config: null, problems: [{ field: '', message: 'The file does not map onto a domain config' }] };
  }
  const v = validateDomainConfig(entry.config);
  return v.ok
    ? { path: entry.path, text: entry.text, config: v.value, problems: [] }
    : { path: entry.path, text: entry.text, config: null, problems: v.errors };
}

/** Options of writeConfig. */
export interface WriteConfigOptions {
  /** The text the caller last read: the write is refused if the file changed since (a concurrent edit). */
  expectedText?: string;
}

function validated(cfg: DomainConfig, name: string): DomainConfig {
  const v = validateDomainConfig(cfg);
  if (!v.ok) {
    const first = v.errors[0];
    throw new XenError('INVALID_ARG', first === undefined ? 'Invalid config' : `${first.field}: ${first.message}`, {
      field: first?.field ?? 'config',
      errors: v.errors,
    });
  }
  if (v.value.name !== name) throw invalidArg('name', `the config says name=${v.value.name}; use rename to change a name`, v.value.name);
  return v.value;
}

/**
 * Writes domain `name`'s config from a model or from text, after validating it. Replaces an existing file atomically,
 * keeping its comments and layout (updateXlConfigText); a new domain gets CONFIGDIR/NAME.cfg, never over a file.
 */
export async function writeConfig(
  ctx: OpsContext,
  name: string,
  content: DomainConfig | string,
  o: WriteConfigOptions = {},
): Promise<{ path: string }> {
  checkDomainName(name);
  let newModel: DomainConfig;
  let text: string | null = null;
  if (typeof content === 'string') {
    const obj = parseXlConfig(content).toObject() as Record<string, unknown>;
    newModel = validated(configFromXl(obj), name);
    text = content.endsWith('\n') ? content : `${content}\n`;
  } else {
    newModel = validated(content, name);
  }
  const existing = await findConfigByName(ctx, name);
  if (existing !== null && o.expectedText !== undefined && existing.text !== o.expectedText) {
    throw new XenError('EXISTS', `${existing.path} changed since it was read; reload it first`, { field: 'expectedText', path: existing.path });
  }
  ctx.invalidate();
  if (existing !== null) {
    await ctx.runner.fs.replaceFile(existing.path, text ?? updateXlConfigText(existing.text, newModel));
    return { path: existing.path };
  }
  const path = joinPath(ctx.opts.configDir, `${name}.cfg`);
  await ctx.runner.fs.mkdirp(ctx.opts.configDir);
  await ctx.runner.fs.writeFileExclusive(path, text ?? renderXlConfig(newModel));
  return { path };
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
      for (const l of links) {
        await ctx.runner.fs.remove(l);
        await ctx.runner.fs.symlink(newPath, joinPath(ctx.opts.autoDir, baseName(newPath)));
      }
      return newPath;
    },
  };
}

/** Options of deleteDomain. */
export interface DeleteOptions {
  /** Disk targets to delete; only file disks of this domain's config, each one named explicitly. */
  disks?: string[];
}

/** The file targets of a config's disks: no CD media, no `phy` devices, no script-managed or empty targets. */
function fileDiskTargets(cfg: DomainConfig | null): string[] {
  if (cfg === null) return [];
  return (cfg.disks ?? [])
    .filter((d: DiskSpec) => d.devtype !== 'cdrom' && d.backendtype !== 'phy' && d.script === undefined && d.format !== 'empty' && d.target.startsWith('/'))
    .map((d: DiskSpec) => d.target);
}

/**
 * Deletes a stopped domain: its config, its autostart entries, then the disks listed in `o.disks` one by one (each a
 * file disk of this config, used by no other config). Refuses everything up front when the domain runs or a listed
 * disk is not deletable; after that each step is reported, and a failing disk does not stop the others.
 */
export async function deleteDomain(ctx: OpsContext, name: string, o: DeleteOptions = {}): Promise<DeleteReport> {
  checkDomainName(name);
  const disks = (o.disks ?? []).map((d, i) => checkAbsPath(d, `disks[${i}]`));
  const rows = await listRows(ctx);
  if (rows.some((r) => r.name === name)) {
    throw invalidArg('name', `${name} is running; shut it down before deleting it`, name);
  }
  const all = await scanConfigs(ctx);
  const entry = pickConfig(all, name);
  if (entry === null) throw new XenError('NOT_FOUND', `No config file for ${name}`, { field: 'name' });
  const mine = fileDiskTargets(entry.config);
  const others = new Set(all.filter((e) => e !== entry).flatMap((e) => fileDiskTargets(e.config)));
  for (const [i, d] of disks.entries()) {
    if (!mine.includes(d)) throw invalidArg(`disks[${i}]`, `${d} is not a file disk of ${name}`, d);
    if (others.has(d)) throw invalidArg(`disks[${i}]`, `${d} is also used by another domain`, d);
    const st = await ctx.runner.fs.stat(d);
    if (st !== null && (!st.isFile || st.isSymlink)) throw invalidArg(`disks[${i}]`, `${d} is not a regular file`, d);
  }
  const links = await autostartEntries(ctx, entry.path);
  ctx.invalidate();
  const steps: DeleteStep[] = [];
  const step = async (what: DeleteStep['what'], path: string): Promise<boolean> => {
    try {
      await ctx.runner.fs.remove(path);
      steps.push({ what, path, ok: true });
      return true;
    } catch (e) {
      steps.push({ what, path, ok: false, message: e instanceof Error ? e.message : String(e) });
      return false;
    }
  };
  // Without its config gone the domain still exists; deleting its disks then would leave a broken domain.
  if (!(await step('config', entry.path))) return { steps };
  for (const l of links) await step('autostart', l);
  for (const d of disks) await step('disk', d);
  return { steps };
}
