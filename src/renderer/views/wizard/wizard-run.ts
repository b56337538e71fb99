import type { Dispatch } from 'react';
import type { WizardOptions, WizardPreview } from '../../../shared/contract-types';
import { plannedPhases, wizardPlanSchema, WIZARD_STEPS, type PlanProblem, type WizardPhase, type WizardPlan } from '../../../shared/wizard-plan';
import { xen } from '../../api/client';
import { errorInfo } from '../../lib/errors';
import { navigate } from '../../lib/route';
import { draftToPlan, fieldOnStep, stepProblems, type Draft } from './draft';
import type { PhaseView } from './ProgressPanel';
import type { WizardAction } from './wizard-state';

/** What Next and Finish act on: the draft and step of the render they were pressed in. */
export interface WizardRun {
  draft: Draft;
  opts: WizardOptions;
  step: number;
  dispatch: Dispatch<WizardAction>;
}

function jobId(): string {
  return `wiz-${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
}

/** Main's problems that block Next on `step` (with the step to go back to when none is on this one), or null. */
function serverRefusal(p: WizardPreview, draft: Draft, step: number): { problems: PlanProblem[]; step?: number } | null {
  const current = WIZARD_STEPS[step] ?? WIZARD_STEPS[0];
  // Only what this step or an earlier one owns blocks Next; later steps are checked when reached.
  const ownedSoFar = p.problems.filter((x) => WIZARD_STEPS.slice(0, step + 1).some((s) => fieldOnStep(x.field, s.id, draft)));
  const mine = ownedSoFar.filter((x) => fieldOnStep(x.field, current.id, draft));
  if (ownedSoFar.length === 0) return null;
  const firstStep = WIZARD_STEPS.findIndex((s) => ownedSoFar.some((x) => fieldOnStep(x.field, s.id, draft)));
  return { problems: mine.length > 0 ? mine : ownedSoFar, ...(mine.length === 0 && firstStep >= 0 ? { step: firstStep } : {}) };
}

/** Checks the current step with the shared rules, then with main (files on the host); advances when both pass. */
export async function checkStep({ draft, opts, step, dispatch }: WizardRun): Promise<void> {
  const current = WIZARD_STEPS[step] ?? WIZARD_STEPS[0];
  const local = stepProblems(draft, current.id, opts);
  if (local.length > 0) {
    dispatch({ type: 'refused', problems: local });
    return;
  }
  dispatch({ type: 'problems', problems: local });
  const parsed = wizardPlanSchema.safeParse(draftToPlan(draft));
  if (parsed.success) {
    dispatch({ type: 'checking', checking: true });
    try {
      const p = await xen.wizard.preview({ plan: parsed.data });
      const refusal = serverRefusal(p, draft, step);
      if (refusal) {
        dispatch({ type: 'refused', ...refusal });
        return;
      }
    } catch (e) {
      dispatch({ type: 'problems', problems: [{ field: '', message: errorInfo(e).message }] });
      return;
    } finally {
      dispatch({ type: 'checking', checking: false });
    }
  }
  dispatch({ type: 'goTo', step: step + 1 });
}

/** Creates the domain, following main's per-phase progress, then opens what the plan asks for. */
export async function createDomain({ draft, opts, dispatch }: Omit<WizardRun, 'step'>): Promise<void> {
  const parsed = wizardPlanSchema.safeParse(draftToPlan(draft));
  if (!parsed.success) {
    dispatch({ type: 'problems', problems: stepProblems(draft, 'finish', opts) });
    return;
  }
  const plan: WizardPlan = parsed.data;
  const id = jobId();
  const phases: PhaseView[] = plannedPhases(plan).map((phase) => ({ phase, state: 'pending', message: '' }));
  dispatch({ type: 'jobStarted', name: plan.name, phases });
  const off = xen.on('job:progress', (p) => {
    if (p.jobId === id) dispatch({ type: 'phase', phase: p.phase as WizardPhase, state: p.state, message: p.message });
  });
  try {
    const r = await xen.wizard.create({ plan, jobId: id });
    dispatch({ type: 'jobSucceeded', outcome: r.started ? `${r.name} is running.` : `${r.name} is defined and stopped (${r.configPath}).` });
    if (plan.customise) navigate({ view: 'domain', name: r.name, tab: 'overview' });
    else if (plan.openConsole && r.started) navigate({ view: 'domain', name: r.name, tab: 'console' });
  } catch (e) {
    dispatch({ type: 'jobFailed', error: errorInfo(e) });
  } finally {
    off();
  }
}
