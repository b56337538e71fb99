import { PHASE_WORDS, type WizardPhase } from '../../../shared/wizard-plan';
import { ErrorNote } from '../../components/ErrorNote';
import type { ErrorInfo } from '../../lib/errors';

/** One phase as the panel shows it. */
export interface PhaseView {
  phase: WizardPhase;
  state: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  message: string;
}

const MARK: Record<PhaseView['state'], string> = { pending: '○', running: '◌', done: '✓', failed: '✕', skipped: '–' };

/** Finish's progress: each phase with its state and message, then the outcome. */
export function ProgressPanel({ phases, error, outcome }: { phases: PhaseView[]; error: ErrorInfo | null; outcome: string | null }) {
  return (
    <div className="wiz-progress" data-testid="wiz-progress">
      <ol className="wiz-phases" aria-label="Progress">
        {phases.map((p) => (
          <li key={p.phase} className={`wiz-phase ${p.state}`} data-testid={`wiz-phase-${p.phase}`} data-state={p.state}>
            <span className="wiz-phase-mark" aria-hidden="true">
              {p.state === 'running' ? <span className="spinner" /> : MARK[p.state]}
            </span>
            <span className="wiz-phase-name">{PHASE_WORDS[p.phase]}</span>
            <span className="muted small wiz-phase-msg">{p.message}</span>
          </li>
        ))}
      </ol>
      {error && <ErrorNote error={error} testId="wiz-error" prefix="The domain was not created" />}
      {outcome && (
        <p className="ok-text" role="status" data-testid="wiz-outcome">
          {outcome}
        </p>
      )}
    </div>
  );
}
