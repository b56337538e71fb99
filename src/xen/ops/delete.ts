import type { DeleteReport, DeleteStep } from '../../shared/contract-types';
import type { DiskSpec } from '../../shared/disk-spec';
import type { DomainConfig } from '../../shared/domain-config';
import { XenError } from '../errors';
import { autostartEntries } from './autostart';
import { pickConfig, scanConfigs } from './configs';
import type { OpsContext } from './context';
import { baseMessage, linkedBases } from '../storage/linked';
import { assertNotBusy } from './busy';
import { assertNoSnapshots } from './snapshot-meta';
import { listRows } from './rows';
import { checkAbsPath, checkDomainName, invalidArg } from './validate';

export type { DeleteReport, DeleteStep };

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
  assertNotBusy(ctx, name);
  await assertNoSnapshots(ctx, name, 'name', 'deleting it');
  const mine = fileDiskTargets(entry.config);
  const others = new Set(all.filter((e) => e !== entry).flatMap((e) => fileDiskTargets(e.config)));
  const bases = disks.length > 0 ? await linkedBases(ctx) : new Map<string, string[]>();
  for (const [i, d] of disks.entries()) {
    if (!mine.includes(d)) throw invalidArg(`disks[${i}]`, `${d} is not a file disk of ${name}`, d);
    const overlays = bases.get(d);
    if (overlays !== undefined) throw new XenError('IN_USE', `Cannot delete ${d}: ${baseMessage(d, overlays)}`, { field: `disks[${i}]`, path: d, overlays });
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
