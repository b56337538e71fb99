import type { WizardPreview } from '../../shared/contract-types';
import { validateDomainConfig, type DomainConfig } from '../../shared/domain-config';
import { checkPlan, planLabel, type PlanProblem, type WizardPlan } from '../../shared/wizard-plan';
import { isXenError } from '../errors';
import { renderXlConfig } from '../config/render';
import { clashingUser, clashMessage } from '../ops/disk-use';
import { gibToBytes } from '../ops/images';
import type { HostFileStat } from '../runner/types';
import { dirOf, joinPath, type WizardDeps } from './deps';
import { inFilePool, lvmDiskProblems } from './new-disks';
import { usedIdentities } from './options';
import { notRun } from '../ops/dry-run';
import { planFieldOf, planToConfig } from './plan-config';

const GIB = 1024 * 1024 * 1024;

/** What previewing a plan found, plus the model and text create goes on to use. */
export interface PlanReview extends Omit<WizardPreview, 'xl'> {
  config: DomainConfig | null;
}

async function statOrNull(d: WizardDeps, path: string): Promise<HostFileStat | null> {
  try {
    return await d.runner.fs.stat(path);
  } catch (e) {
    if (isXenError(e, 'NOT_FOUND')) return null;
    throw e;
  }
}

/** Bytes a new image of `sizeGiB` holds: the one image maker's rule. */
export const imageBytes = gibToBytes;

/** New images whose directories have less free space than they need. */
async function spaceProblems(d: WizardDeps, needByDir: Map<string, { bytes: number; first: number }>, add: (path: (string | number)[], field: string, message: string) => void): Promise<void> {
  for (const [dir, need] of needByDir) {
    let free: number | null = null;
    try {
      free = await d.runner.fs.freeBytes(dir);
    } catch {
      free = null;
    }
    // Sparse images take space as the guest writes; a disk bigger than the filesystem's free space will fail later.
    if (free !== null && need.bytes > free) {
      add(['disks', need.first, 'sizeGiB'], `disks[${need.first}].sizeGiB`, `needs ${(need.bytes / GIB).toFixed(1)} GiB in ${dir}, which has ${(free / GIB).toFixed(1)} GiB free`);
    }
  }
}

/**
 * Checks against the host's files: new images and the config absent, sources present, directories there, space enough.
 * `creates` gains each of Xenith's default directories the plan needs and the host lacks.
 */
async function hostProblems(d: WizardDeps, plan: WizardPlan, configPath: string, creates: Set<string>): Promise<PlanProblem[]> {
  const out: PlanProblem[] = [];
  const add = (path: (string | number)[], field: string, message: string): void => {
    out.push({ field, message: `${planLabel(path)} ${message}` });
  };
  const sources: ['iso' | 'kernel' | 'ramdisk', string | undefined][] = [['iso', plan.iso], ['kernel', plan.kernel], ['ramdisk', plan.ramdisk]];
  const newLv = (x: WizardPlan['disks'][number]): boolean => x.mode === 'new' && x.path.startsWith('/dev/');
  const targets = plan.disks.some((x) => x.mode === 'new') ? await d.api.poolTargets() : { dirs: [], lvm: [] };
  out.push(...lvmDiskProblems(plan, targets));
  // Every path the checks look at, asked for at once: each stat is a round trip on a remote host. (New logical
  // volumes are checked against lvs above, not by path.)
  const wanted = new Set<string>([
    configPath,
    ...sources.flatMap(([, p]) => (p === undefined ? [] : [p])),
    ...plan.disks.flatMap((x) => (newLv(x) ? [] : x.mode === 'new' ? [x.path, dirOf(x.path)] : [x.path])),
  ]);
  const stats = new Map(await Promise.all([...wanted].map(async (p) => [p, await statOrNull(d, p)] as const)));
  const statOf = (p: string): HostFileStat | null => stats.get(p) ?? null;
  if (statOf(configPath) !== null) add(['name'], 'name', `is taken: ${configPath} already exists`);
  for (const [field, path] of sources) {
    if (path === undefined) continue;
    const st = statOf(path);
    if (st === null) add([field], field, `${path} does not exist`);
    else if (!st.isFile && !st.isBlockDevice) add([field], field, `${path} is not a file`);
  }
  const needByDir = new Map<string, { bytes: number; first: number }>();
  for (const [i, disk] of plan.disks.entries()) {
    if (newLv(disk)) continue;
    const st = statOf(disk.path);
    if (disk.mode === 'existing') {
      if (st === null) add(['disks', i, 'path'], `disks[${i}].path`, `${disk.path} does not exist`);
      else if (!st.isFile && !st.isBlockDevice) add(['disks', i, 'path'], `disks[${i}].path`, `${disk.path} is not an image file, logical volume or device`);
      continue;
    }
    if (st !== null) {
      add(['disks', i, 'path'], `disks[${i}].path`, `${disk.path} already exists; the wizard never overwrites a file (choose another name)`);
      continue;
    }
    if (!inFilePool(disk.path, d.paths.imageDir, targets)) {
      const dirs = [...new Set([d.paths.imageDir, ...targets.dirs.map((x) => x.path)])];
      add(['disks', i, 'path'], `disks[${i}].path`, `must be directly in ${dirs.join(' or ')} (a storage pool), where Xenith creates images`);
      continue;
    }
    const dir = dirOf(disk.path);
    const dst = statOf(dir);
    // Xenith's default image directory is made when first needed (stock Debian has none); the review says so, and
    // the space it needs is counted where it will be made.
    const missingDefault = dst === null && dir === d.paths.imageDir;
    if (missingDefault) creates.add(dir);
    else if (dst === null || !dst.isDirectory) {
      add(['disks', i, 'path'], `disks[${i}].path`, `is in ${dir}, which is not an existing directory`);
      continue;
    }
    const where = missingDefault ? dirOf(dir) : dir;
    const acc = needByDir.get(where) ?? { bytes: 0, first: i };
    acc.bytes += imageBytes(disk.sizeGiB);
    needByDir.set(where, acc);
  }
  await spaceProblems(d, needByDir, add);
  return out;
}

/**
 * Existing disks another domain uses: the new domain gets them read-write, so any other use (running or defined)
 * clashes; the install ISO is read-only, so only another domain writing it clashes.
 */
async function diskUseProblems(d: WizardDeps, plan: WizardPlan): Promise<PlanProblem[]> {
  const wanted: { path: (string | number)[]; field: string; target: string; access: 'rw' | 'ro' }[] = plan.disks.flatMap((x, i) =>
    x.mode === 'existing' ? [{ path: ['disks', i, 'path'], field: `disks[${i}].path`, target: x.path, access: 'rw' as const }] : [],
  );
  if (plan.iso !== undefined) wanted.push({ path: ['iso'], field: 'iso', target: plan.iso, access: 'ro' });
  if (wanted.length === 0) return [];
  const uses = await d.api.diskUses();
  const out: PlanProblem[] = [];
  for (const w of wanted) {
    const clash = clashingUser(uses.get(w.target), w.access, plan.name);
    if (clash !== null) out.push({ field: w.field, message: `${planLabel(w.path)} ${clashMessage(w.target, clash)}` });
  }
  return out;
}

/** Validates a plan with every rule and the host's files, and renders the exact xl.cfg text create would write. */
export async function reviewPlan(d: WizardDeps, plan: WizardPlan): Promise<PlanReview> {
  const configPath = joinPath(d.paths.configDir, `${plan.name}.cfg`);
  const [info, used, qemuImg] = await Promise.all([d.api.hostInfo(), usedIdentities(d), d.api.hasQemuImg()]);
  const problems: PlanProblem[] = checkPlan(plan, { usedNames: used.names, usedMacs: used.macs, hostCpus: info.nrCpus, qemuImg });
  const warnings: string[] = [];
  const add = (list: PlanProblem[]): void => {
    for (const p of list) if (!problems.some((q) => q.field === p.field)) problems.push(p);
  };
  let config: DomainConfig | null = null;
  let text = '';
  const v = validateDomainConfig(planToConfig(plan), { existingNames: used.names, existingMacs: used.macs, maxHostCpus: info.nrCpus });
  if (v.ok) {
    try {
      text = renderXlConfig(v.value);
      config = v.value;
    } catch (e) {
      const field = isXenError(e) && typeof e.detail['field'] === 'string' ? planFieldOf(e.detail['field'], plan) : 'name';
      add([{ field, message: e instanceof Error ? e.message : String(e) }]);
    }
  } else {
    add(v.errors.map((err) => ({ field: planFieldOf(err.field, plan), message: err.message })));
  }
  const creates = new Set<string>();
  add(await hostProblems(d, plan, configPath, creates));
  for (const dir of creates) warnings.push(`Storage: ${dir} does not exist yet; Xenith creates it for the new disk images.`);
  add(await diskUseProblems(d, plan));
  if (plan.memoryMiB > info.freeMemMiB) {
    warnings.push(`Memory: ${plan.memoryMiB} MiB is more than the host's ${info.freeMemMiB} MiB free; the domain will not start until memory is freed.`);
  }
  if (plan.vcpus > info.nrCpus / 2 && plan.vcpus <= info.nrCpus) {
    warnings.push(`vCPUs: ${plan.vcpus} of the host's ${info.nrCpus} CPUs; busy guests will compete for them.`);
  }
  if (plan.nics.length === 0) warnings.push('Network: the domain has no network interface.');
  // A bridge the host does not have fails in xl's hotplug script, after the domain was built: refuse it here.
  if (info.bridges.length > 0) {
    plan.nics.forEach((n, i) => {
      if (n.bridge !== undefined && !info.bridges.includes(n.bridge)) {
        add([{ field: `nics[${i}].bridge`, message: `${planLabel(['nics', i, 'bridge'])} ${n.bridge} is not a bridge on this host (it has ${info.bridges.join(', ')})` }]);
      }
    });
  }
  const ok = problems.length === 0 && config !== null;
  return { ok, configPath, text, problems, warnings, config: ok ? config : null };
}

/**
 * wizard:preview's answer: the review without the model, and xl's own dry run of the exact text once it is valid (its
 * warnings shown beside Xenith's; a refusal of xl's is a problem of the plan). No file is written for it.
 */
export async function previewPlan(d: WizardDeps, plan: WizardPlan): Promise<WizardPreview> {
  const { config: _config, ...preview } = await reviewPlan(d, plan);
  if (!preview.ok) return { ...preview, xl: notRun('xl create -n checks the config once every field is valid.') };
  const xl = await d.api.xlDryRun({ text: preview.text });
  if (xl.errors.length === 0) return { ...preview, xl };
  return { ...preview, ok: false, problems: [...preview.problems, ...xl.errors.map((message) => ({ field: '', message: `xl create -n: ${message}` }))], xl };
}
