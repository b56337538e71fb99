import type { WizardOptions, WizardPreview } from '../../../shared/contract-types';
import type { PlanProblem, WizardPhase } from '../../../shared/wizard-plan';
import type { ErrorInfo } from '../../lib/errors';
import { initialDraft, valueAtField, withDerivedFiles, type Draft } from './draft';
import type { PhaseView } from './ProgressPanel';

/** A Finish in progress or done: its phases, and the error or the outcome at the end. */
export interface Job {
  phases: PhaseView[];
  error: ErrorInfo | null;
  outcome: string | null;
  done: boolean;
  name: string;
}

/** Everything the new-VM wizard holds while it is open. */
export interface WizardState {
  opts: WizardOptions | null;
  loadError: ErrorInfo | null;
  draft: Draft | null;
  step: number;
  /** The furthest step reached: the step list lets the person go back to any step up to it. */
  visited: number;
  problems: PlanProblem[];
  checking: boolean;
  preview: WizardPreview | null;
  previewing: boolean;
  job: Job | null;
  /** Counts refused Nexts: each one moves focus to the first field that is wrong. */
  focusError: number;
}

/** What can happen to the wizard. */
export type WizardAction =
  | { type: 'load' }
  | { type: 'loaded'; opts: WizardOptions }
  | { type: 'loadFailed'; error: ErrorInfo }
  | { type: 'edit'; edit: (d: Draft) => Draft }
  | { type: 'planChanged'; before: unknown; plan: unknown }
  | { type: 'goTo'; step: number }
  | { type: 'problems'; problems: PlanProblem[] }
  | { type: 'refused'; problems: PlanProblem[]; step?: number }
  | { type: 'checking'; checking: boolean }
  | { type: 'previewCleared'; problems: PlanProblem[] }
  | { type: 'previewing'; previewing: boolean }
  | { type: 'previewed'; preview: WizardPreview }
  | { type: 'jobStarted'; name: string; phases: PhaseView[] }
  | { type: 'phase'; phase: WizardPhase; state: PhaseView['state']; message: string }
  | { type: 'jobSucceeded'; outcome: string }
  | { type: 'jobFailed'; error: ErrorInfo }
  | { type: 'jobDismissed' }
  /** "New VM…" asked for again: after a finished create, a fresh wizard (new options, new draft); else no change. */
  | { type: 'fresh' };

/** The wizard before the host's options arrive. */
export const initialWizardState: WizardState = {
  opts: null,
  loadError: null,
  draft: null,
  step: 0,
  visited: 0,
  problems: [],
  checking: false,
  preview: null,
  previewing: false,
  job: null,
  focusError: 0,
};

/** `s` with `p` applied; `s` itself when nothing changes, so React skips the render as it does for an equal useState value. */
function assign(s: WizardState, p: Partial<WizardState>): WizardState {
  for (const k of Object.keys(p) as (keyof WizardState)[]) {
    if (!Object.is(s[k], p[k])) return { ...s, ...p };
  }
  return s;
}

/** A field the person changed loses its old error; the next check says whether the new value is right. */
function keepUnchanged(problems: PlanProblem[], before: unknown, plan: unknown): PlanProblem[] {
  return problems.filter((p) => p.field === '' || JSON.stringify(valueAtField(before, p.field)) === JSON.stringify(valueAtField(plan, p.field)));
}

/** The job with `phase` set to `state` (appended when main reports a phase the list did not plan). */
function withPhase(j: Job, phase: WizardPhase, state: PhaseView['state'], message: string): Job {
  const has = j.phases.some((p) => p.phase === phase);
  const list = has ? j.phases.map((p) => (p.phase === phase ? { ...p, state, message } : p)) : [...j.phases, { phase, state, message }];
  return { ...j, phases: list };
}

/** Phases that never started once the job is over. */
function skipPending(phases: PhaseView[]): PhaseView[] {
  return phases.map((p) => (p.state === 'pending' ? { ...p, state: 'skipped' } : p));
}

/** The wizard's one reducer. */
export function wizardReducer(s: WizardState, a: WizardAction): WizardState {
  switch (a.type) {
    case 'load':
      return assign(s, { loadError: null });
    case 'loaded':
      // A reload keeps what the person already typed.
      return assign(s, { opts: a.opts, draft: s.draft ?? initialDraft(a.opts) });
    case 'loadFailed':
      return assign(s, { loadError: a.error });
    case 'edit':
      return s.draft === null ? s : assign(s, { draft: withDerivedFiles(a.edit(s.draft)) });
    case 'planChanged':
      return s.problems.length === 0 ? s : assign(s, { problems: keepUnchanged(s.problems, a.before, a.plan) });
    case 'goTo':
      return assign(s, { problems: [], step: a.step, visited: Math.max(s.visited, a.step) });
    case 'problems':
      return assign(s, { problems: a.problems });
    case 'refused':
      return assign(s, { ...(a.step === undefined ? {} : { step: a.step }), problems: a.problems, focusError: s.focusError + 1 });
    case 'checking':
      return assign(s, { checking: a.checking });
    case 'previewCleared':
      return assign(s, { problems: a.problems, preview: null });
    case 'previewing':
      return assign(s, { previewing: a.previewing });
    case 'previewed':
      return assign(s, { preview: a.preview, problems: a.preview.problems });
    case 'jobStarted':
      return assign(s, { job: { phases: a.phases, error: null, outcome: null, done: false, name: a.name } });
    case 'phase':
      return s.job === null ? s : assign(s, { job: withPhase(s.job, a.phase, a.state, a.message) });
    case 'jobSucceeded':
      return s.job === null ? s : assign(s, { job: { ...s.job, done: true, phases: skipPending(s.job.phases), outcome: a.outcome } });
    case 'jobFailed':
      return s.job === null ? s : assign(s, { job: { ...s.job, done: true, error: a.error, phases: skipPending(s.job.phases) } });
    case 'jobDismissed':
      return assign(s, { job: null });
    case 'fresh':
      // Work in progress is never thrown away; a created guest's wizard starts over once the options are read again.
      return s.job?.done === true && s.job.error === null ? initialWizardState : s;
  }
}
