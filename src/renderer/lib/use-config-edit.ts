import { xen } from '../api/client';
import type { ConfigPatch } from '../../shared/domain-config';
import type { DomainData } from './use-domain';

/**
 * Saves a few options for the next start over the config model (domain:configPatch): main merges them into the model,
 * validates the whole and writes it with the file's comments kept, guarded by the text it was read as so a concurrent
 * edit is refused rather than lost. The renderer never edits config text, except whole in the raw editor.
 */
export async function savePatch(name: string, data: DomainData, patch: ConfigPatch): Promise<void> {
  const view = data.config;
  if (!view) throw new Error('The config file could not be read');
  await xen.domain.configPatch({ name, patch, expectedText: view.text });
  await data.reload();
}
