import type { DomainConfigView } from '../../shared/contract-types';
import type { DomainConfig } from '../../shared/domain-config';
import { applyConfigPatch, validateDomainConfig, type ConfigPatch } from '../../shared/domain-config';
import { XenError } from '../errors';
import { assertPlainStatements } from '../config/config-policy';
import { parseXlConfig } from '../config/xl-config';
import { configFromXl, renderXlConfig, updateXlConfigText } from '../config/render';
import type { OpsContext } from './context';
import { baseName, joinPath, readDirOrEmpty } from './paths';
import { checkDomainName, invalidArg } from './validate';

/** One config file found in the config directory. */
export interface ConfigEntry {
  path: string;
  /** The domain name its `name=` gives. */
  name: string;
  text: string;
  /** The parsed model, or null when the file does not map onto one (it still lists as a domain). */
  config: DomainConfig | null;
}

/** A config file's text, where it is, and the model it parses to (null when it does not; `problems` says why). */
export type ConfigView = DomainConfigView;

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
  // Every file's text in one request: over ssh, one round trip for the whole directory rather than one per domain.
  const files = await readDirOrEmpty(ctx, dir, { suffix: '.cfg', text: true });
  const out: ConfigEntry[] = [];
  for (const f of files) {
    // One unreadable file (a dangling link, a directory named x.cfg) must not hide every other domain.
    if (f.text === null) continue;
    const entry = readEntry(joinPath(dir, f.name), f.text);
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
    // One statement per line and no `+=`, on every host: what a person reviews line by line is what xl acts on.
    assertPlainStatements(content);
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

/**
 * Changes some options of domain `name`'s config over its model (null removes one), guarded by the text it was read
 * as; the merged model is validated as a whole and written with the file's comments and layout kept.
 */
export async function patchConfig(ctx: OpsContext, name: string, patch: ConfigPatch, expectedText: string): Promise<{ path: string }> {
  const view = await readConfig(ctx, name);
  if (view.config === null) {
    const p = view.problems[0];
    throw new XenError('INVALID_ARG', `The config file ${view.path} has problems; fix it in the Config tab first${p ? ` (${p.field}: ${p.message})` : ''}`, { field: 'config', problems: view.problems });
  }
  return writeConfig(ctx, name, applyConfigPatch(view.config, patch), { expectedText });
}
