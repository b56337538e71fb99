import { volumeNameProblem } from '../../shared/storage';
import { planLabel, type PlanProblem, type WizardPlan } from '../../shared/wizard-plan';
import { gibToBytes } from '../ops/images';
import { lvmTarget, type PoolTargets } from '../storage/list';
import { dirOf, type WizardDeps } from './deps';

const GIB = 1024 * 1024 * 1024;
type NewDisk = Extract<WizardPlan['disks'][number], { mode: 'new' }>;

/** Whether a new image file at `path` lies directly in the image directory or a directory pool. */
export function inFilePool(path: string, imageDir: string, targets: PoolTargets): boolean {
  const dir = dirOf(path);
  return dir === imageDir || targets.dirs.some((x) => x.path === dir);
}

/** The problems of new disks that are logical volumes: a pool's group, a free name, raw, and space in the group. */
export function lvmDiskProblems(plan: WizardPlan, targets: PoolTargets): PlanProblem[] {
  const out: PlanProblem[] = [];
  const need = new Map<string, { bytes: number; first: number; free: number | null }>();
  for (const [i, disk] of plan.disks.entries()) {
    if (disk.mode !== 'new' || !disk.path.startsWith('/dev/')) continue;
    const field = `disks[${i}].path`;
    const add = (message: string, f = field): void => void out.push({ field: f, message: `${planLabel(['disks', i, f.endsWith('path') ? 'path' : f.split('.').pop()!])} ${message}` });
    const t = lvmTarget(disk.path, targets);
    if (t === null) add(`must be /dev/VG/NAME in an LVM storage pool (${targets.lvm.map((l) => l.vg).join(', ') || 'there is none'}) or a file in a directory pool`);
    else if (volumeNameProblem(t.name) !== null) add(`names a logical volume that ${volumeNameProblem(t.name)}`);
    else if (t.exists) add(`${disk.path} already exists; the wizard never overwrites a volume (choose another name)`);
    else if (disk.format !== 'raw') add('is a logical volume, which holds raw data: choose raw', `disks[${i}].format`);
    else if (!t.thin) {
      const acc = need.get(t.vg) ?? { bytes: 0, first: i, free: t.freeBytes };
      acc.bytes += disk.sizeGiB * GIB;
      need.set(t.vg, acc);
    }
  }
  for (const [vg, n] of need) {
    if (n.free !== null && n.bytes > n.free) out.push({ field: `disks[${n.first}].sizeGiB`, message: `${planLabel(['disks', n.first, 'sizeGiB'])} needs ${(n.bytes / GIB).toFixed(1)} GiB in volume group ${vg}, which has ${(n.free / GIB).toFixed(1)} GiB free` });
  }
  return out;
}

/** Makes a new disk: a logical volume in its pool, or an image file through the one image maker. */
export async function makeNewDisk(d: WizardDeps, disk: NewDisk, targets: PoolTargets): Promise<{ kind: 'lv'; vg: string; name: string } | { kind: 'image' }> {
  const lv = lvmTarget(disk.path, targets);
  if (lv !== null) {
    await d.api.createVolume({ pool: lv.pool, name: lv.name, sizeGiB: disk.sizeGiB });
    return { kind: 'lv', vg: lv.vg, name: lv.name };
  }
  await d.api.createImage(disk.path, { sizeBytes: gibToBytes(disk.sizeGiB), format: disk.format });
  return { kind: 'image' };
}
