import { useCallback, useEffect, useRef, useState } from 'react';
import type { WizardOptions, WizardPreview } from '../../../shared/contract-types';
import { plannedPhases, wizardPlanSchema, WIZARD_STEPS, type PlanProblem, type WizardPhase, type WizardPlan } from '../../../shared/wizard-plan';
import { xen } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { errorInfo, type ErrorInfo } from '../../lib/errors';
import { navigate } from '../../lib/route';
import { draftToPlan, fieldOnStep, initialDraft, stepProblems, valueAtField, withDerivedFiles, type Draft } from './draft';
import { FinishStep } from './FinishStep';
import { ProgressPanel, type PhaseView } from './ProgressPanel';
import { CpuStep, SourceStep, TypeStep } from './steps-basic';
import { NetworkStep, StorageStep } from './steps-devices';
import './wizard.css';

type Job = { phases: PhaseView[]; error: ErrorInfo | null; outcome: string | null; done: boolean; name: string };

function jobId(): string {
  return `wiz-${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
}

/** The new-VM wizard (#/new): six steps with Back/Next, each checked before Next, then Finish with per-phase progress. */
export function WizardView() {
  const [opts, setOpts] = useState<WizardOptions | null>(null);
  const [loadError, setLoadError] = useState<ErrorInfo | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [step, setStep] = useState(0);
  const [visited, setVisited] = useState(0);
  const [problems, setProblems] = useState<PlanProblem[]>([]);
  const [checking, setChecking] = useState(false);
  const [preview, setPreview] = useState<WizardPreview | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [job, setJob] = useState<Job | null>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const bodyRef = useRef<HTMLFormElement>(null);
  const [focusError, setFocusError] = useState(0);

  const load = useCallback(() => {
    setLoadError(null);
    xen.wizard
      .options()
      .then((o) => {
        setOpts(o);
        setDraft((d) => d ?? initialDraft(o));
      })
      .catch((e: unknown) => setLoadError(errorInfo(e)));
  }, []);
  useEffect(load, [load]);

  const set = useCallback((fn: (d: Draft) => Draft) => setDraft((d) => (d === null ? d : withDerivedFiles(fn(d)))), []);
  const current = WIZARD_STEPS[step] ?? WIZARD_STEPS[0];
  const onFinish = current.id === 'finish';

  // On the last step the preview follows every change (debounced): the exact text, or what is still wrong.
  const planKey = draft ? JSON.stringify(draftToPlan(draft)) : '';
  // A field the person changed loses its old error; the next check says whether the new value is right.
  const lastPlan = useRef<unknown>(null);
  useEffect(() => {
    const plan: unknown = planKey === '' ? null : JSON.parse(planKey);
    const before = lastPlan.current;
    lastPlan.current = plan;
    if (before === null) return;
    setProblems((ps) => (ps.length === 0 ? ps : ps.filter((p) => p.field === '' || JSON.stringify(valueAtField(before, p.field)) === JSON.stringify(valueAtField(plan, p.field)))));
  }, [planKey]);
  useEffect(() => {
    if (!onFinish || draft === null || opts === null || job !== null) return;
    const local = stepProblems(draft, 'finish', opts);
    const parsed = wizardPlanSchema.safeParse(draftToPlan(draft));
    if (!parsed.success) {
      setProblems(local.length > 0 ? local : []);
      setPreview(null);
      return;
    }
    let live = true;
    setPreviewing(true);
    const t = setTimeout(() => {
      xen.wizard
        .preview({ plan: parsed.data })
        .then((p) => {
          if (!live) return;
          setPreview(p);
          setProblems(p.problems);
        })
        .catch((e: unknown) => live && setProblems([{ field: '', message: errorInfo(e).message }]))
        .finally(() => live && setPreviewing(false));
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // planKey stands for the draft's meaning; the draft object changes on every keystroke.
  }, [onFinish, planKey, opts, job]);

  useEffect(() => titleRef.current?.focus(), [step]);
  // After a refused Next, keyboard and screen-reader users land on the first field that is wrong.
  useEffect(() => {
    if (focusError === 0) return;
    const el = bodyRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], .wiz-error, .wiz-problems');
    if (el && !el.matches('input, select, textarea')) el.setAttribute('tabindex', '-1');
    el?.focus();
  }, [focusError]);

  if (loadError) {
    return (
      <div className="page" data-testid="wizard">
        <h1>New virtual machine</h1>
        <ErrorNote error={loadError} testId="wiz-load-error" prefix="Could not read the host" />
        <button type="button" className="btn" onClick={load}>
          Try again
        </button>
      </div>
    );
  }
  if (opts === null || draft === null) return <div className="page muted">Reading the host…</div>;

  const goTo = (i: number): void => {
    setProblems([]);
    setStep(i);
    setVisited((v) => Math.max(v, i));
  };

  /** Checks the current step with the shared rules, then with main (files on the host); advances when both pass. */
  const next = async (): Promise<void> => {
    const local = stepProblems(draft, current.id, opts);
    setProblems(local);
    if (local.length > 0) {
      setFocusError((n) => n + 1);
      return;
    }
    const parsed = wizardPlanSchema.safeParse(draftToPlan(draft));
    if (parsed.success) {
      setChecking(true);
      try {
        const p = await xen.wizard.preview({ plan: parsed.data });
        // Only what this step or an earlier one owns blocks Next; later steps are checked when reached.
        const ownedSoFar = p.problems.filter((x) => WIZARD_STEPS.slice(0, step + 1).some((s) => fieldOnStep(x.field, s.id, draft)));
        const mine = ownedSoFar.filter((x) => fieldOnStep(x.field, current.id, draft));
        if (ownedSoFar.length > 0) {
          const firstStep = WIZARD_STEPS.findIndex((s) => ownedSoFar.some((x) => fieldOnStep(x.field, s.id, draft)));
          if (mine.length === 0 && firstStep >= 0) setStep(firstStep);
          setProblems(mine.length > 0 ? mine : ownedSoFar);
          setFocusError((n) => n + 1);
          return;
        }
      } catch (e) {
        setProblems([{ field: '', message: errorInfo(e).message }]);
        return;
      } finally {
        setChecking(false);
      }
    }
    goTo(step + 1);
  };

  const finish = async (): Promise<void> => {
    const parsed = wizardPlanSchema.safeParse(draftToPlan(draft));
    if (!parsed.success) {
      setProblems(stepProblems(draft, 'finish', opts));
      return;
    }
    const plan: WizardPlan = parsed.data;
    const id = jobId();
    const phases: PhaseView[] = plannedPhases(plan).map((phase) => ({ phase, state: 'pending', message: '' }));
    setJob({ phases, error: null, outcome: null, done: false, name: plan.name });
    const update = (phase: WizardPhase, state: PhaseView['state'], message: string): void =>
      setJob((j) => {
        if (j === null) return j;
        const has = j.phases.some((p) => p.phase === phase);
        const list = has ? j.phases.map((p) => (p.phase === phase ? { ...p, state, message } : p)) : [...j.phases, { phase, state, message }];
        return { ...j, phases: list };
      });
    const off = xen.on('job:progress', (p) => {
      if (p.jobId === id) update(p.phase as WizardPhase, p.state, p.message);
    });
    try {
      const r = await xen.wizard.create({ plan, jobId: id });
      setJob((j) => j && { ...j, done: true, phases: j.phases.map((p) => (p.state === 'pending' ? { ...p, state: 'skipped' } : p)), outcome: r.started ? `${r.name} is running.` : `${r.name} is defined and stopped (${r.configPath}).` });
      if (plan.customise) navigate({ view: 'domain', name: r.name, tab: 'overview' });
      else if (plan.openConsole && r.started) navigate({ view: 'console', name: r.name, kind: 'text' });
    } catch (e) {
      const info = errorInfo(e);
      setJob((j) => j && { ...j, done: true, error: info, phases: j.phases.map((p) => (p.state === 'pending' ? { ...p, state: 'skipped' } : p)) });
    } finally {
      off();
    }
  };

  const stepProps = { draft, set, opts, problems };
  const generalProblems = problems.filter((p) => p.field === '' || !fieldOnStep(p.field, current.id, draft));
  return (
    <div className="page wiz" data-testid="wizard">
      <div className="page-head">
        <h1>New virtual machine</h1>
      </div>
      <div className="wiz-layout">
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
        <form
          className="wiz-main card"
          aria-labelledby="wiz-step-title"
          data-testid={`wiz-body-${current.id}`}
          ref={bodyRef}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            // Enter in a field means Next; Finish always takes a deliberate click.
            if (job === null && !onFinish && !checking) void next();
          }}
        >
          <h2 id="wiz-step-title" ref={titleRef} tabIndex={-1}>
            {job === null ? `${step + 1}. ${current.title}` : !job.done ? `Creating ${job.name}…` : job.error ? `${job.name} was not created` : `${job.name} is ready`}
          </h2>
          {job ? (
            <ProgressPanel phases={job.phases} error={job.error} outcome={job.outcome} />
          ) : (
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
          )}
          <div className="wiz-nav">
            {job === null && (
              <>
                <button type="button" className="btn" disabled={step === 0} onClick={() => goTo(step - 1)} data-testid="wiz-back">
                  Back
                </button>
                <span className="grow" />
                {onFinish ? (
                  <button type="button" className="btn primary" disabled={previewing || problems.length > 0 || preview === null || !preview.ok} onClick={() => void finish()} data-testid="wiz-finish">
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
                  <button type="button" className="btn" onClick={() => setJob(null)} data-testid="wiz-retry">
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
        </form>
      </div>
    </div>
  );
}
