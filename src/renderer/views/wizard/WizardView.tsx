import { useCallback, useEffect, useReducer, useRef, type Dispatch } from 'react';
import type { WizardOptions, WizardPreview } from '../../../shared/contract-types';
import { wizardPlanSchema, WIZARD_STEPS } from '../../../shared/wizard-plan';
import { xen } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { errorInfo, type ErrorInfo } from '../../lib/errors';
import { navigate, RENAVIGATE } from '../../lib/route';
import { draftToPlan, fieldOnStep, stepProblems, type Draft } from './draft';
import { FinishStep } from './FinishStep';
import { ProgressPanel } from './ProgressPanel';
import { CpuStep, SourceStep, TypeStep, type StepProps } from './steps-basic';
import { NetworkStep, StorageStep } from './steps-devices';
import { checkStep, createDomain } from './wizard-run';
import { initialWizardState, wizardReducer, type Job, type WizardAction } from './wizard-state';
import './wizard.css';

type Step = (typeof WIZARD_STEPS)[number];

/** Drops the problems of fields whose value changed since the last plan (main or the rules re-check them). */
function useDropChangedProblems(planKey: string, dispatch: Dispatch<WizardAction>): void {
  const lastPlan = useRef<unknown>(null);
  useEffect(() => {
    const plan: unknown = planKey === '' ? null : JSON.parse(planKey);
    const before = lastPlan.current;
    lastPlan.current = plan;
    if (before === null) return;
    dispatch({ type: 'planChanged', before, plan });
  }, [planKey, dispatch]);
}

/** On the last step the preview follows every change (debounced): the exact text, or what is still wrong. */
function useFinishPreview(onFinish: boolean, planKey: string, draft: Draft | null, opts: WizardOptions | null, job: Job | null, dispatch: Dispatch<WizardAction>): void {
  useEffect(() => {
    if (!onFinish || draft === null || opts === null || job !== null) return;
    const local = stepProblems(draft, 'finish', opts);
    const parsed = wizardPlanSchema.safeParse(draftToPlan(draft));
    if (!parsed.success) {
      dispatch({ type: 'previewCleared', problems: local.length > 0 ? local : [] });
      return;
    }
    let live = true;
    dispatch({ type: 'previewing', previewing: true });
    const t = setTimeout(() => {
      xen.wizard
        .preview({ plan: parsed.data })
        .then((p) => {
          if (!live) return;
          dispatch({ type: 'previewed', preview: p });
        })
        .catch((e: unknown) => live && dispatch({ type: 'problems', problems: [{ field: '', message: errorInfo(e).message }] }))
        .finally(() => live && dispatch({ type: 'previewing', previewing: false }));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // planKey stands for the draft's meaning; the draft object changes on every keystroke.
  }, [onFinish, planKey, opts, job, dispatch]);
}

/** The step title takes focus on each step; after a refused Next, the first field that is wrong does. */
function useWizardFocus(step: number, focusError: number) {
  const titleRef = useRef<HTMLHeadingElement>(null);
  const bodyRef = useRef<HTMLFormElement>(null);
  useEffect(() => titleRef.current?.focus(), [step]);
  // After a refused Next, keyboard and screen-reader users land on the first field that is wrong.
  useEffect(() => {
    if (focusError === 0) return;
    const el = bodyRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], .wiz-error, .wiz-problems');
    if (el && !el.matches('input, select, textarea')) el.setAttribute('tabindex', '-1');
    el?.focus();
  }, [focusError]);
  return { titleRef, bodyRef };
}

function LoadFailure({ error, onRetry }: { error: ErrorInfo; onRetry: () => void }) {
  return (
    <div className="page" data-testid="wizard">
      <h1>New virtual machine</h1>
      <ErrorNote error={error} testId="wiz-load-error" prefix="Could not read the host" />
      <button type="button" className="btn" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

function StepList({ step, visited, job, goTo }: { step: number; visited: number; job: Job | null; goTo: (i: number) => void }) {
  return (
    <nav aria-label="Wizard steps">
      <ol className="wiz-steps" data-testid="wiz-steps">
        {WIZARD_STEPS.map((s, i) => (
          <li key={s.id}>
            <button
              type="button"
              className={`wiz-step-link${i === step ? ' current' : ''}${i < step ? ' done' : ''}`}
              aria-current={i === step ? 'step' : undefined}
              disabled={i > visited || job !== null}
              onClick={() => goTo(i)}
              data-testid={`wiz-step-${s.id}`}
            >
              <span className="wiz-step-num">{i < step || (job?.done === true && job.error === null) ? '✓' : i + 1}</span>
              {s.title}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}

function stepTitle(job: Job | null, step: number, current: Step): string {
  return job === null ? `${step + 1}. ${current.title}` : !job.done ? `Creating ${job.name}…` : job.error ? `${job.name} was not created` : `${job.name} is ready`;
}

/** The current step's fields, then the problems no field of this step shows. */
function StepBody({ current, stepProps, preview, previewing }: { current: Step; stepProps: StepProps; preview: WizardPreview | null; previewing: boolean }) {
  const generalProblems = stepProps.problems.filter((p) => p.field === '' || !fieldOnStep(p.field, current.id, stepProps.draft));
  return (
    <>
      {current.id === 'type' && <TypeStep {...stepProps} />}
      {current.id === 'source' && <SourceStep {...stepProps} />}
      {current.id === 'cpu' && <CpuStep {...stepProps} />}
      {current.id === 'storage' && <StorageStep {...stepProps} />}
      {current.id === 'network' && <NetworkStep {...stepProps} />}
      {current.id === 'finish' && <FinishStep {...stepProps} preview={preview} previewing={previewing} />}
      {generalProblems.length > 0 && (
        <ul className="wiz-problems" data-testid="wiz-problems" role="alert">
          {generalProblems.map((p) => (
            <li key={`${p.field}:${p.message}`}>{p.message}</li>
          ))}
        </ul>
      )}
    </>
  );
}

interface NavProps {
  job: Job | null;
  step: number;
  onFinish: boolean;
  checking: boolean;
  canFinish: boolean;
  goTo: (i: number) => void;
  finish: () => void;
  dismissJob: () => void;
}

/** Back and Next (or Finish) while editing; after Finish, back to the wizard on failure or open the new domain. */
function WizardNav({ job, step, onFinish, checking, canFinish, goTo, finish, dismissJob }: NavProps) {
  return (
    <div className="wiz-nav">
      {job === null && (
        <>
          <button type="button" className="btn" disabled={step === 0} onClick={() => goTo(step - 1)} data-testid="wiz-back">
            Back
          </button>
          <span className="grow" />
          {onFinish ? (
            <button type="button" className="btn primary" disabled={!canFinish} onClick={finish} data-testid="wiz-finish">
              Finish
            </button>
          ) : (
            <button type="submit" className="btn primary" disabled={checking} data-testid="wiz-next">
              {checking ? 'Checking…' : 'Next'}
            </button>
          )}
        </>
      )}
      {job?.done && (
        <>
          {job.error && (
            <button type="button" className="btn" onClick={dismissJob} data-testid="wiz-retry">
              Back to the wizard
            </button>
          )}
          <span className="grow" />
          {!job.error && (
            <button type="button" className="btn primary" onClick={() => navigate({ view: 'domain', name: job.name, tab: 'overview' })} data-testid="wiz-open-domain">
              {`Open ${job.name}`}
            </button>
          )}
        </>
      )}
    </div>
  );
}

/** The new-VM wizard (#/new): six steps with Back/Next, each checked before Next, then Finish with per-phase progress. */
/** "New VM…" again after a guest was created: a fresh wizard, with the options (used names, a free MAC) read anew. */
function useFreshOnRenavigate(dispatch: (a: WizardAction) => void, load: () => void): void {
  useEffect(() => {
    const again = (): void => {
      dispatch({ type: 'fresh' });
      load();
    };
    window.addEventListener(RENAVIGATE, again);
    return () => window.removeEventListener(RENAVIGATE, again);
  }, [dispatch, load]);
}

export function WizardView() {
  const [state, dispatch] = useReducer(wizardReducer, initialWizardState);
  const { opts, loadError, draft, step, visited, problems, checking, preview, previewing, job } = state;

  const load = useCallback(() => {
    dispatch({ type: 'load' });
    xen.wizard
      .options()
      .then((o) => dispatch({ type: 'loaded', opts: o }))
      .catch((e: unknown) => dispatch({ type: 'loadFailed', error: errorInfo(e) }));
  }, []);
  useEffect(load, [load]);
  useFreshOnRenavigate(dispatch, load);

  const set = useCallback((fn: (d: Draft) => Draft) => dispatch({ type: 'edit', edit: fn }), []);
  const current = WIZARD_STEPS[step] ?? WIZARD_STEPS[0];
  const onFinish = current.id === 'finish';
  const planKey = draft ? JSON.stringify(draftToPlan(draft)) : '';
  useDropChangedProblems(planKey, dispatch);
  useFinishPreview(onFinish, planKey, draft, opts, job, dispatch);
  const { titleRef, bodyRef } = useWizardFocus(step, state.focusError);

  if (loadError) return <LoadFailure error={loadError} onRetry={load} />;
  if (opts === null || draft === null) return <div className="page muted">Reading the host…</div>;

  const goTo = (i: number): void => dispatch({ type: 'goTo', step: i });
  const stepProps: StepProps = { draft, set, opts, problems };
  return (
    <div className="page wiz" data-testid="wizard">
      <div className="page-head">
        <h1>New virtual machine</h1>
      </div>
      <div className="wiz-layout">
        <StepList step={step} visited={visited} job={job} goTo={goTo} />
        <form
          className="wiz-main card"
          aria-labelledby="wiz-step-title"
          data-testid={`wiz-body-${current.id}`}
          ref={bodyRef}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            // Enter in a field means Next; Finish always takes a deliberate click.
            if (job === null && !onFinish && !checking) void checkStep({ draft, opts, step, dispatch });
          }}
        >
          <h2 id="wiz-step-title" ref={titleRef} tabIndex={-1}>
            {stepTitle(job, step, current)}
          </h2>
          {job ? <ProgressPanel phases={job.phases} error={job.error} outcome={job.outcome} /> : <StepBody current={current} stepProps={stepProps} preview={preview} previewing={previewing} />}
          <WizardNav
            job={job}
            step={step}
            onFinish={onFinish}
            checking={checking}
            canFinish={!(previewing || problems.length > 0 || preview === null || !preview.ok)}
            goTo={goTo}
            finish={() => void createDomain({ draft, opts, dispatch })}
            dismissJob={() => dispatch({ type: 'jobDismissed' })}
          />
        </form>
      </div>
    </div>
  );
}
