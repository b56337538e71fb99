import { volumePath } from '../../shared/storage';
import { XenError } from '../errors';
import { storageOverview } from '../storage/list';
import { cloneVolume } from '../storage/volumes';
import { createLinkedVolume } from '../storage/linked';
import { modelToEdit, readConfig, writeConfig } from './configs';
import type { OpsContext } from './context';
import { whileBusy } from './busy';
import { listRows } from './rows';
import { checkDomainName, checkVdev } from './validate';

/** How a raw disk becomes qcow2: a converted copy, or an overlay reading the raw file, which then must not change. */
export type RawToQcow2 = 'copy' | 'overlay';

/**
 * Makes a stopped domain's raw disk file a qcow2 one, so it can take snapshots: a new NAME.qcow2 beside it in its pool,
 * either filled by qemu-img convert with progress (the raw file is then kept, unused, for the user to delete in Storage
 * once the domain is known to boot) or made at once as an overlay reading the raw file (which becomes its base and must
 * stay as it is), then the config points at it. A failure removes the new file and leaves the config as it was.
 */
export async function convertDiskToQcow2(ctx: OpsContext, a: { name: string; vdev: string; how?: RawToQcow2 }, progress: (m: string) => void = () => undefined): Promise<{ path: string; kept: string; how: RawToQcow2 }> {
  const name = checkDomainName(a.name);
  const how = a.how ?? 'copy';
  const what = how === 'copy' ? 'converted to qcow2' : 'given a qcow2 overlay';
  return whileBusy(ctx, [name], `its disk ${a.vdev} is being ${what}`, async () => ({ ...(await convertNow(ctx, name, a.vdev, how, progress)), how }));
}

async function convertNow(ctx: OpsContext, name: string, vdevArg: string, how: RawToQcow2, progress: (m: string) => void): Promise<{ path: string; kept: string }> {
  const vdev = checkVdev(vdevArg);
  if ((await listRows(ctx)).some((r) => r.name === name)) throw new XenError('IN_USE', `${name} is running; shut it down to convert its disk`, { field: 'name' });
  const view = await readConfig(ctx, name);
  const cfg = modelToEdit(view);
  const disk = cfg.disks.find((d) => d.vdev === vdev);
  if (disk === undefined) throw new XenError('NOT_FOUND', `${name} has no disk ${vdev}`, { field: 'vdev' });
  if ((disk.format ?? 'raw') !== 'raw' || disk.devtype === 'cdrom') throw new XenError('INVALID_ARG', `${vdev} is not a raw disk`, { field: 'vdev' });
  const overview = await storageOverview(ctx);
  const vol = overview.volumes.find((v) => v.path === disk.target);
  const pool = vol === undefined ? undefined : overview.pools.find((p) => p.def.name === vol.pool);
  if (vol === undefined || pool === undefined) throw new XenError('INVALID_ARG', `${disk.target} is in no storage pool`, { field: 'vdev' });
  if (pool.def.kind === 'lvm') throw new XenError('INVALID_ARG', `${disk.target} is a logical volume: it takes LVM snapshots as it is`, { field: 'vdev' });
  const newName = `${vol.name.replace(/\.(img|raw)$/i, '')}.qcow2`;
  const target = volumePath(pool.def, newName);
  if (overview.volumes.some((v) => v.path === target)) throw new XenError('EXISTS', `${target} already exists`, { field: 'vdev', path: target });
  if (how === 'overlay') {
    progress(`Making ${target}, an overlay reading ${vol.path}…`);
    await createLinkedVolume(ctx, { pool: vol.pool, name: vol.name, newName, from: 'raw' });
  } else {
    progress(`Converting ${vdev} to qcow2…`);
    await cloneVolume(ctx, { pool: vol.pool, name: vol.name, newName, from: 'raw', toFormat: 'qcow2' }, (pct) => progress(`Converting ${vdev} to qcow2: ${pct}%`));
  }
  try {
    progress(`Pointing ${name}'s config at ${target}…`);
    await writeConfig(ctx, name, { ...cfg, disks: cfg.disks.map((d) => (d.vdev === vdev ? { ...d, target, format: 'qcow2' } : d)) }, { expectedText: view.text });
  } catch (e) {
    await ctx.runner.fs.remove(target).catch(() => undefined);
    throw e;
  }
  ctx.invalidate();
  return { path: target, kept: vol.path };
}
