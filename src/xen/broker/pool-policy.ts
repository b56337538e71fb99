import { realpath } from 'node:fs/promises';
import type { PoolDef } from '../../shared/storage';
import { XenError } from '../errors';
import { isInside } from './paths';
import type { BrokerPolicy } from './policy';

const refuse = (message: string, field: string): never => {
  throw new XenError('PERMISSION', message, { field, rule: 'pool-policy' });
};

/**
 * Root's check of the pools the app asks to save, before they widen anything: a directory or NFS mount point must lie
 * inside an image directory root listed (image_dir in broker.conf; a pool cannot reach beyond what root allowed, nor
 * contain a system directory) and not be reached through a link; an NFS pool may not be mounted over an image
 * directory itself; a volume group must be one root lists (volume_group) or one this broker made on a free disk.
 */
/**
 * Why image directory `dir` would let the caller write where root keeps what it obeys (the save directory's
 * checkpoints, configs, autostart links, boot files), or null: neither may contain the other.
 */
export function overlapProblem(dir: string, base: Pick<BrokerPolicy, 'saveDir' | 'configDir' | 'autoDir' | 'bootDirs'>): string | null {
  for (const own of [base.saveDir, base.configDir, base.autoDir, ...base.bootDirs]) {
    if (isInside(dir, own) || isInside(own, dir)) return `${dir} overlaps ${own}, which root keeps for itself`;
  }
  return null;
}

export async function checkPoolsForRoot(pools: readonly PoolDef[], base: BrokerPolicy, madeVgs: ReadonlySet<string>): Promise<void> {
  for (const p of pools) {
    if (p.kind === 'lvm') {
      if (!base.vgs.includes(p.vg) && !madeVgs.has(p.vg)) refuse(`Volume group ${p.vg} is not one root allows (volume_group in broker.conf) nor one Xenith made`, 'vg');
      continue;
    }
    const overlap = overlapProblem(p.path, base);
    if (overlap !== null) refuse(overlap, 'path');
    if (!base.imageDirs.some((d) => isInside(p.path, d))) refuse(`${p.path} is not inside an image directory root allows (${base.imageDirs.join(', ')}; image_dir in broker.conf)`, 'path');
    const real = await realpath(p.path).catch(() => null);
    if (real !== null && real !== p.path) refuse(`${p.path} leads elsewhere (${real}); a pool is never reached through a link`, 'path');
    if (p.kind === 'nfs' && base.imageDirs.includes(p.path)) refuse(`${p.path} is an image directory itself; mount an export on a directory inside it`, 'path');
  }
}
