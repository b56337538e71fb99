import type { DomainSummary } from '../../../shared/dto';
import { ErrorNote } from '../../components/ErrorNote';
import { ACTIONS, canDo, useActions } from '../../lib/actions';
import { requestAction } from '../../lib/dialogs';

/** Lifecycle buttons for one domain, with its progress and its last error beside them. */
export function DomainActionsBar({ summary }: { summary: DomainSummary }) {
  const busy = useActions((s) => s.busy[summary.name]);
  const outcome = useActions((s) => s.outcomes[summary.name]);
  const dismiss = useActions((s) => s.dismiss);
  return (
    <div className="toolbar" role="toolbar" aria-label={`Actions on ${summary.name}`} data-testid="details-actions">
      {ACTIONS.filter((a) => canDo(a.id, summary)).map((a) => (
        <button
          key={a.id}
          type="button"
          className={`btn${a.id === 'destroy' || a.id === 'delete' ? ' danger' : ''}`}
          disabled={busy !== undefined}
          onClick={() => requestAction(a.id, [summary.name])}
          data-testid={`details-action-${a.id}`}
        >
          {a.label}
        </button>
      ))}
      {busy && (
        <span className="busy" data-testid="details-busy">
          <span className="spinner" aria-hidden="true" />
          {busy}…
        </span>
      )}
      {outcome && !outcome.ok && outcome.error && !busy && (
        <ErrorNote error={outcome.error} prefix={`${outcome.action} failed`} onDismiss={() => dismiss(summary.name)} testId="details-action-error" />
      )}
    </div>
  );
}
