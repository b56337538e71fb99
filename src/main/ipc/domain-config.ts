import type { ConfigCheck } from '../../shared/contract-types';
import { validateDomainConfig, type ConfigPatch } from '../../shared/domain-config';
import { unifiedDiff } from '../../shared/unified-diff';
import { parseXlConfig } from '../../xen/index';
import { readXlModel } from '../../xen/index';
import { isXenError } from '../../xen/index';
import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';
import { changing } from './track';

/** Xenith's own check of config text: syntax (with the line), every field, and that it keeps the name. */
export function checkConfigText(name: string, text: string, saved: string, path: string): Omit<ConfigCheck, 'xl'> {
  const diff = unifiedDiff(saved, text.endsWith('\n') || text === '' ? text : `${text}\n`, { a: path, b: `${path} (edited)` });
  let obj: Record<string, unknown>;
  try {
    obj = parseXlConfig(text).toObject() as Record<string, unknown>;
  } catch (e) {
    const line = isXenError(e) && typeof e.detail.line === 'number' ? e.detail.line : undefined;
    return { ok: false, problems: [{ field: '', message: e instanceof Error ? e.message : String(e), ...(line !== undefined ? { line } : {}) }], diff };
  }
  // Read as xl reads it: every value that does not fit is its own problem, and the kept values are still checked.
  const { config, problems } = readXlModel(obj);
  const v = validateDomainConfig(config);
  if (!v.ok) for (const p of v.errors) if (!problems.some((q) => q.field === p.field)) problems.push(p);
  if (problems.length > 0) return { ok: false, problems: problems.map((p) => ({ field: p.field, message: p.message })), diff };
  if (config.name !== name) {
    return { ok: false, problems: [{ field: 'name', message: `The file must keep name = "${name}"; use Rename on the Overview tab to change it` }], diff };
  }
  return { ok: true, problems: [], diff };
}

/** domain:configGet/configCheck/configSave: the xl.cfg text, checked as it is typed, saved atomically with a guard. */
export function registerDomainConfigHandlers(r: HandlerRegistry, s: Services): void {
  r.register('domain:configGet', ({ name }) => s.api.readConfig(name));
  r.register('domain:configCheck', async ({ name, text }) => {
    let saved = '';
    let path = `${s.paths.configDir}/${name}.cfg`;
    try {
      const view = await s.api.readConfig(name);
      saved = view.text;
      path = view.path;
    } catch (e) {
      if (!isXenError(e, 'NOT_FOUND')) throw e;
    }
    // xl's own dry run beside Xenith's check: what xl ignores or refuses, in its words.
    const own = checkConfigText(name, text, saved, path);
    // And the host's view of its NICs: a bridge it lacks, a MAC another domain has (what a save would refuse).
    const [xl, nics] = await Promise.all([s.api.xlDryRun({ text, path, savedText: saved }), s.api.configNicProblems(name, text)]);
    const problems = [...own.problems, ...nics.filter((n) => !own.problems.some((p) => p.field === n.field))];
    return { ...own, problems, ok: own.ok && nics.length === 0 && xl.errors.length === 0, xl };
  });
  r.register('domain:configSave', ({ name, text, expectedText }) =>
    changing(s, 'config', [name], async () => {
      await s.api.writeConfig(name, text, { expectedText });
    }),
  );
  // The values are checked with the merged model by the model's own schema, which names the field.
  r.register('domain:configPatch', ({ name, patch, expectedText }) =>
    changing(s, 'config', [name], async () => void (await s.api.patchConfig(name, patch as ConfigPatch, expectedText))),
  );
}
