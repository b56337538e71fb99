import { xen } from '../api/client';
import type { DomainData } from './use-domain';
import { setCfgKeys, type CfgValue } from './cfg-text';

/**
 * Saves a few xl.cfg options for the next boot: edits the loaded text in place (comments kept), lets main check it,
 * then saves it guarded by the text it was read as, so a concurrent edit is refused rather than lost.
 */
export async function saveCfgKeys(name: string, data: DomainData, values: Record<string, CfgValue | null>): Promise<void> {
  const view = data.config;
  if (!view) throw new Error('The config file could not be read');
  const text = setCfgKeys(view.text, values);
  const check = await xen.domain.configCheck({ name, text });
  if (!check.ok) {
    const p = check.problems[0];
    throw new Error(p ? `${p.field ? `${p.field}: ` : ''}${p.message}` : 'The config does not check out');
  }
  await xen.domain.configSave({ name, text, expectedText: view.text });
  await data.reload();
}
