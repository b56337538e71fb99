import type { DomainSummary } from '../../shared/dto';
import { ACTIONS, applicable, isBulk, useActions } from '../lib/actions';
import { requestAction, requestRestore } from '../lib/dialogs';
import { useListUi } from '../lib/list-ui';
import { navigate } from '../lib/route';
import { ErrorNote } from './ErrorNote';

const SHORT: Partial<Record<string, string>> = { destroy: 'Force off', save: 'Save', clone: 'Clone', delete: 'Delete' };

/** Actions on the selected domains, a filter, Restore and New. Buttons say how many domains each applies to. */
export function DomainToolbar({ selection }: { selection: readonly DomainSummary[] }) {
  const query = useListUi((s) => s.query);
  const setUi = useListUi((s) => s.set);
  const restoreBusy = useActions((s) => s.busy['restore']);
  const restoreOutcome = useActions((s) => s.outcomes['restore']);
  const dismiss = useActions((s) => s.dismiss);
  return (
    <div className="toolbar" role="toolbar" aria-label="Domain actions" data-testid="domain-toolbar">
      <input
        type="search"
        className="input filter"
        placeholder="Filter: name, state, type…"
        aria-label="Filter domains"
        value={query}
        onChange={(e) => setUi({ query: e.target.value })}
        data-testid="domain-filter"
      />
      <div className="tb-group">
        {ACTIONS.map((a) => {
          if (a.id === 'autostart-off') return null;
          // One Autostart button: it turns autostart on unless every applicable domain already has it.
          const id = a.id === 'autostart-on' && applicable('autostart-on', selection).length === 0 && applicable('autostart-off', selection).length > 0 ? 'autostart-off' : a.id;
          const targets = applicable(id, selection);
          const usable = targets.length > 0 && (selection.length === 1 || isBulk(a.id));
          const label = id === 'autostart-on' ? 'Autostart on' : id === 'autostart-off' ? 'Autostart off' : SHORT[id] ?? a.label;
          return (
            <button
              key={a.id}
              type="button"
              className={`btn${id === 'destroy' || id === 'delete' ? ' danger' : ''}`}
              disabled={!usable}
              title={`${a.label} (${a.keyLabel})`}
              aria-keyshortcuts={a.key === 'Delete' ? 'Delete' : a.key.toUpperCase()}
              data-testid={`action-${id}`}
              onClick={() => requestAction(id, targets.map((t) => t.name))}
            >
              {label}
              {selection.length > 1 && usable ? ` (${targets.length})` : ''}
            </button>
          );
        })}
      </div>
      <div className="tb-group end">
        <button type="button" className="btn" onClick={requestRestore} data-testid="action-restore" disabled={restoreBusy !== undefined}>
          {restoreBusy ? 'Restoring…' : 'Restore…'}
        </button>
        <button type="button" className="btn primary" onClick={() => navigate({ view: 'new' })} data-testid="action-new">
          New VM…
        </button>
      </div>
      {restoreOutcome && !restoreOutcome.ok && restoreOutcome.error && (
        <ErrorNote error={restoreOutcome.error} prefix="Restore" onDismiss={() => dismiss('restore')} testId="restore-error" />
      )}
    </div>
  );
}
