import type { DomainConfigView } from '../../shared/contract-types';
import type { DomainConfig } from '../../shared/domain-config';
import { applyConfigPatch, validateDomainConfig, type ConfigPatch, type ConfigProblem } from '../../shared/domain-config';
import { XenError } from '../errors';
import { assertPlainStatements } from '../config/config-policy';
import { parseXlConfig } from '../config/xl-config';
import { configFromXl, readXlModel, renderXlConfig, updateXlConfigText } from '../config/render';
import type { OpsContext } from './context';
import { assertNicsFit } from '../network/identity';
import { baseName, joinPath, readDirOrEmpty } from './paths';
import { checkDomainName, invalidArg } from './validate';

/** One config file found in the config directory. */
export interface ConfigEntry {
  path: string;
  /** The domain name its `name=` gives. */
  name: string;
  text: string;
  /** The model with every value that fits it (null only when the file is not an xl config at all). */
  config: DomainConfig | null;
  /** The values left out of `config` because they do not fit it, each naming its field ("vifs[0].mac"). */
  readProblems: ConfigProblem[];
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
  // As xl does: one value that does not fit costs that value, never the domain's memory, disks or NICs.
  const { config, problems } = readXlModel(obj);
  return { path, name, text, config, readProblems: problems };
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

/** Every problem of a config entry: values xl's reading left out, then each rule a kept value breaks (one per field). */
export function entryProblems(entry: ConfigEntry): ConfigProblem[] {
  if (entry.config === null) return [{ field: '', message: 'The file does not map onto a domain config' }];
  const out = [...entry.readProblems];
  const v = validateDomainConfig(entry.config);
  if (!v.ok) for (const p of v.errors) if (!out.some((q) => q.field === p.field)) out.push(p);
  return out;
}

/**
 * Reads domain `name`'s config: path, text, the model with every value that fits it, and the problems (each naming
 * its field). A config with problems is shown, never written back through the model (see refuseWithProblems).
 */
export async function readConfig(ctx: OpsContext, name: string): Promise<ConfigView> {
  checkDomainName(name);
  const entry = await findConfigByName(ctx, name);
  if (entry === null) throw new XenError('NOT_FOUND', `No config file for ${name} in ${ctx.opts.configDir}`, { field: 'name' });
  return { path: entry.path, text: entry.text, config: entry.config, problems: entryProblems(entry) };
}

/**
 * Refuses to rewrite a config through its model while the file has problems: the model lacks the values that did not
 * fit, so writing it would drop them silently. Returns the model when there are none.
 */
export function modelToEdit(view: ConfigView): DomainConfig {
  const p = view.problems[0];
  if (view.config === null || p !== undefined) {
    throw new XenError('INVALID_ARG', `The config file ${view.path} has problems; fix it in the Config tab first${p ? ` (${p.field}: ${p.message})` : ''}`, {
      field: p?.field || 'config',
      problems: view.problems,
    });
  }
  return view.config;
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
  const entries = await scanConfigs(ctx);
  const existing = pickConfig(entries, name);
  if (existing !== null && o.expectedText !== undefined && existing.text !== o.expectedText) {
    throw new XenError('EXISTS', `${existing.path} changed since it was read; reload it first`, { field: 'expectedText', path: existing.path });
  }
  // The renderer is not a trust boundary: a bridge the host lacks or another domain's MAC is refused here too.
  await assertNicsFit(ctx, name, newModel, existing?.config ?? null, entries);
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
  return writeConfig(ctx, name, applyConfigPatch(modelToEdit(view), patch), { expectedText });
}
