import * as CM from '@radix-ui/react-context-menu';
import type { DomainSummary } from '../../shared/dto';
import { ACTIONS, applicable, isBulk } from '../lib/actions';
import { requestAction } from '../lib/dialogs';
import { navigate } from '../lib/route';

/** The context menu of the domain list: every action that applies to the selection, with its key. */
export function DomainMenuContent({ selection }: { selection: readonly DomainSummary[] }) {
  const one = selection.length === 1 ? selection[0] : undefined;
  return (
    <CM.Portal>
      <CM.Content className="menu" data-testid="domain-menu" loop>
        {one && (
          <>
            <CM.Item className="menu-item" data-testid="menu-open" onSelect={() => navigate({ view: 'domain', name: one.name, tab: 'overview' })}>
              <span>Open details</span>
              <kbd>Enter</kbd>
            </CM.Item>
            <CM.Item className="menu-item" data-testid="menu-console" onSelect={() => navigate({ view: 'domain', name: one.name, tab: 'console' })} disabled={one.state === 'stopped'}>
              <span>Open console</span>
            </CM.Item>
            <CM.Separator className="menu-sep" />
          </>
        )}
        {ACTIONS.map((a) => {
          const targets = applicable(a.id, selection);
          if (targets.length === 0) return null;
          if (selection.length > 1 && !isBulk(a.id)) return null;
          return (
            <CM.Item key={a.id} className={`menu-item${a.id === 'destroy' || a.id === 'delete' ? ' danger' : ''}`} data-testid={`menu-${a.id}`} onSelect={() => requestAction(a.id, targets.map((t) => t.name))}>
              <span>{selection.length > 1 ? `${a.label} (${targets.length})` : a.label}</span>
              <kbd>{a.keyLabel}</kbd>
            </CM.Item>
          );
        })}
      </CM.Content>
    </CM.Portal>
  );
}
