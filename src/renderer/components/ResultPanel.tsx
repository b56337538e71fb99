import { actionDef, useActions, type ActionId } from '../lib/actions';
import { ErrorNote } from './ErrorNote';

function label(action: string): string {
  try {
    return actionDef(action as ActionId).label.replace('…', '');
  } catch {
    return action;
  }
}

/** The outcome of the last action, one line per domain; failures in words with xl's message one click away. */
export function ResultPanel() {
  const last = useActions((s) => s.last);
  const outcomes = useActions((s) => s.outcomes);
  const dismiss = useActions((s) => s.dismiss);
  if (!last || last.action === 'restore') return null;
  const rows = last.names.map((n) => ({ name: n, o: outcomes[n] })).filter((r) => r.o !== undefined);
  if (rows.length === 0) return null;
  const failed = rows.filter((r) => r.o && !r.o.ok).length;
  // One domain that simply worked needs no panel: its row already shows the new state.
  if (rows.length === 1 && failed === 0) return null;
  return (
    <section className={`result-panel${failed ? ' has-failed' : ''}`} aria-live="polite" data-testid="result-panel">
      <header>
        <strong>{`${label(last.action)}: ${rows.length - failed} done${failed ? `, ${failed} failed` : ''}`}</strong>
        <button type="button" className="link-btn" onClick={() => dismiss()} data-testid="result-dismiss">
          Dismiss
        </button>
      </header>
      <ul>
        {rows.map(({ name, o }) => (
          <li key={name} data-testid={`result-${name}`} data-ok={o?.ok ? 'true' : 'false'}>
            <span className="mono">{name}</span> {o?.ok ? <span className="ok-text">done</span> : o?.error ? <ErrorNote error={o.error} testId={`result-error-${name}`} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
