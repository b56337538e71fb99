import type { WizardResult } from '../../shared/contract-types';
import { plannedPhases, type WizardPhase, type WizardPlan } from '../../shared/wizard-plan';
import { XenError } from '../errors';
import type { PoolTargets } from '../storage/list';
import { joinPath, type WizardDeps } from './deps';
import { makeNewDisk } from './new-disks';
import { reviewPlan } from './preview';
import { removeMade, type Cleanup } from '../ops/undo';

/** One progress report: a phase started, finished or failed. */
export interface PhaseReport {
  phase: WizardPhase;
  state: 'running' | 'done' | 'failed';
  message: string;
}

/** Receives each phase's progress (main forwards it as job:progress to the calling client). */
export type ProgressSink = (r: PhaseReport) => void;

/** What a run made, newest last, so a failure removes exactly that and nothing else. */
interface Made {
  kind: 'image' | 'lv' | 'config' | 'autostart';
  path: string;
  /** A logical volume's group and name (kind 'lv'). */
  lv?: { vg: string; name: string };
}

/** Turns anything thrown into a XenError, keeping code, message and detail (xl's stderr) when it already is one. */
function asXenError(e: unknown): XenError {
  if (e instanceof XenError) return e;
  return new XenError('XL_FAILED', e instanceof Error ? e.message : String(e));
}

/** Creates one new image; the file is ours from the moment an exclusive create succeeds, never before. */
async function makeImage(d: WizardDeps, disk: Extract<WizardPlan['disks'][number], { mode: 'new' }>, made: Made[], targets: PoolTargets): Promise<void> {
  // The one image maker (exclusive, inside a pool, removes its own file when it fails), or a new logical volume.
  const r = await makeNewDisk(d, disk, targets);
  made.push(r.kind === 'lv' ? { kind: 'lv', path: disk.path, lv: { vg: r.vg, name: r.name } } : { kind: 'image', path: disk.path });
}

/** The autostart link setAutostart makes for NAME.cfg. */
function autostartLink(d: WizardDeps, name: string): string {
  return joinPath(d.paths.autoDir, `${name}.cfg`);
}

/**
 * Runs a plan: validate, create the new images, write NAME.cfg (never over a file), optionally check it with
 * `xl create -n`, optionally link it for autostart, then `xl create` unless the user wants to customise first or
 * not start. Each phase is reported. On any failure exactly what this run made is removed (images, config, link,
 * newest first); pre-existing images the plan uses are never touched. The error keeps xl's code, message and
 * detail, plus `phase`, `removed` and `left` (what could not be removed).
 */
export async function createFromPlan(d: WizardDeps, plan: WizardPlan, progress: ProgressSink = () => undefined): Promise<WizardResult> {
  const made: Made[] = [];
  // Assigned inside step(); the cast stops TypeScript narrowing it to 'validate' in the catch block.
  let phase = 'validate' as WizardPhase;
  const step: Step = async (p, running, fn, done) => {
    phase = p;
    progress({ phase: p, state: 'running', message: running });
    const value = await fn();
    progress({ phase: p, state: 'done', message: done });
    return value;
  };
  try {
    return await runPlan(d, plan, step, made);
  } catch (e) {
    const err = asXenError(e);
    progress({ phase, state: 'failed', message: err.message });
    const cleanup = await cleanUp(d, plan.name, made, phase === 'start' && err.code !== 'XL_FAILED', progress);
    // A step that cleaned up after itself (the image maker removes a file it claimed) says so in its error.
    const removedByStep = Array.isArray(err.detail['removed']) ? (err.detail['removed'] as string[]) : [];
    throw new XenError(err.code, err.message, { ...err.detail, phase, removed: [...removedByStep, ...cleanup.removed], left: cleanup.left });
  }
}

/** Runs one phase: reports it running, does it, reports it done. */
type Step = <T>(p: WizardPhase, running: string, fn: () => Promise<T>, done: string) => Promise<T>;

/** The phases in order; `made` grows with each thing this run creates, newest last. */
async function runPlan(d: WizardDeps, plan: WizardPlan, step: Step, made: Made[]): Promise<WizardResult> {
  const phases = plannedPhases(plan);
  const review = await step('validate', 'Checking the plan against the host…', () => reviewPlan(d, plan), 'The plan is valid.');
  if (!review.ok || review.config === null) {
    const first = review.problems[0];
    throw new XenError('INVALID_ARG', first?.message ?? 'The plan is not valid', { field: first?.field ?? '', problems: review.problems });
  }
  const configPath = review.configPath;
  const newDisks = plan.disks.filter((x) => x.mode === 'new');
  if (phases.includes('disks')) {
    const many = `${newDisks.length} disk image${newDisks.length === 1 ? '' : 's'}`;
    await step('disks', `Creating ${many}…`, async () => {
      const targets = await d.api.poolTargets();
      for (const disk of newDisks) await makeImage(d, disk, made, targets);
    }, `Created ${newDisks.map((x) => x.path).join(', ')}.`);
  }
  await step('config', `Writing ${configPath}…`, async () => {
    await d.runner.fs.writeFileExclusive(configPath, review.text);
    made.push({ kind: 'config', path: configPath });
  }, `Wrote ${configPath}.`);
  if (phases.includes('check')) await step('check', `xl create -n ${configPath}…`, () => d.api.dryRun(configPath), 'xl accepts the config.');
  if (phases.includes('autostart')) {
    const link = autostartLink(d, plan.name);
    await step('autostart', `Linking ${link}…`, async () => {
      // setAutostart does nothing when an entry is already there; only a link it makes now is ours.
      const before = await d.runner.fs.stat(link).catch(() => null);
      await d.api.setAutostart(plan.name, true);
      if (before === null && (await d.runner.fs.stat(link).catch(() => null)) !== null) made.push({ kind: 'autostart', path: link });
    }, `${plan.name} starts at boot.`);
  }
  const started = phases.includes('start');
  if (started) await step('start', `xl create ${configPath}…`, () => d.api.create(configPath), `${plan.name} is running.`);
  return { name: plan.name, configPath, created: made.map((m) => m.path), started };
}

/**
 * Removes what this run made after a failure. xl create that timed out or was cut off (`startUnknown`) may still have
 * built the domain: its disks are then in use. Files are removed only when xl says the domain is not there; when that
 * cannot be known, nothing that may be in use goes.
 */
async function cleanUp(d: WizardDeps, name: string, made: Made[], startUnknown: boolean, progress: ProgressSink): Promise<Cleanup> {
  if (made.length === 0) return { removed: [], left: [] };
  const files = made.map((m) => m.path).join(', ');
  const outcome = startUnknown ? await d.api.domainExists(name) : { answer: 'no' as const, why: '' };
  if (outcome.answer !== 'no') {
    const message =
      outcome.answer === 'yes'
        ? `${name} exists despite the error, so its files are kept: ${files}.`
        : `Xenith could not tell whether ${name} was created (${outcome.why}), so its files are kept: ${files}. Check with "xl list ${name}"; if it is not there, delete ${name} in Xenith to remove them.`;
    progress({ phase: 'cleanup', state: 'failed', message });
    const why = outcome.answer === 'yes' ? 'kept: the domain exists' : 'kept: whether the domain exists is unknown';
    return { removed: [], left: made.map((m) => ({ path: m.path, message: why })) };
  }
  progress({ phase: 'cleanup', state: 'running', message: `Removing ${files}…` });
  const cleanup = await removeMade(d.runner, made);
  progress({
    phase: 'cleanup',
    state: cleanup.left.length === 0 ? 'done' : 'failed',
    message: cleanup.left.length === 0 ? `Removed ${cleanup.removed.join(', ')}.` : `Could not remove ${cleanup.left.map((l) => `${l.path} (${l.message})`).join(', ')}.`,
  });
  return cleanup;
}
