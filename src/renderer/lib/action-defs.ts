import type { DomainSummary } from '../../shared/dto';

/** Lifecycle actions on domains. */
export type ActionId = 'start' | 'shutdown' | 'reboot' | 'destroy' | 'pause' | 'unpause' | 'save' | 'delete' | 'autostart-on' | 'autostart-off';

/** What the UI needs to show one action. */
export interface ActionDef {
  id: ActionId;
  label: string;
  /** Progressive form shown while it runs. */
  busy: string;
  /** Key that triggers it when the list has focus. */
  key: string;
  keyLabel: string;
  /** Asks first (force off, delete) or needs a dialog (save). */
  dialog: boolean;
  /** Runs as one domains:bulk call when several domains are selected. */
  bulk: boolean;
}

/** Every action, in menu order. */
export const ACTIONS: readonly ActionDef[] = [
  { id: 'start', label: 'Start', busy: 'starting', key: 's', keyLabel: 'S', dialog: false, bulk: true },
  { id: 'shutdown', label: 'Shut down', busy: 'shutting down', key: 'h', keyLabel: 'H', dialog: false, bulk: true },
  { id: 'reboot', label: 'Reboot', busy: 'rebooting', key: 'r', keyLabel: 'R', dialog: false, bulk: true },
  { id: 'pause', label: 'Pause', busy: 'pausing', key: 'p', keyLabel: 'P', dialog: false, bulk: true },
  { id: 'unpause', label: 'Resume', busy: 'resuming', key: 'u', keyLabel: 'U', dialog: false, bulk: true },
  { id: 'destroy', label: 'Force off…', busy: 'forcing off', key: 'f', keyLabel: 'F', dialog: true, bulk: true },
  { id: 'save', label: 'Save to file…', busy: 'saving', key: 'v', keyLabel: 'V', dialog: true, bulk: false },
  { id: 'autostart-on', label: 'Start at host boot', busy: 'updating autostart', key: 'a', keyLabel: 'A', dialog: false, bulk: false },
  { id: 'autostart-off', label: 'Do not start at host boot', busy: 'updating autostart', key: 'a', keyLabel: 'A', dialog: false, bulk: false },
  { id: 'delete', label: 'Delete…', busy: 'deleting', key: 'Delete', keyLabel: 'Del', dialog: true, bulk: false },
];

/** The definition of one action. */
export function actionDef(id: ActionId): ActionDef {
  const d = ACTIONS.find((a) => a.id === id);
  if (!d) throw new Error(`unknown action ${id}`);
  return d;
}

const RUNNING_STATES = new Set(['running', 'blocked', 'paused', 'shutdown', 'crashed']);

/** Whether `action` makes sense for domain `d` now. */
export function canDo(action: ActionId, d: DomainSummary): boolean {
  const running = RUNNING_STATES.has(d.state);
  switch (action) {
    case 'start':
      return d.state === 'stopped' && d.configPath !== null;
    case 'shutdown':
    case 'reboot':
      return running && !d.isDom0 && d.state !== 'paused';
    case 'destroy':
      return d.state !== 'stopped' && !d.isDom0;
    case 'pause':
      return (d.state === 'running' || d.state === 'blocked') && !d.isDom0;
    case 'unpause':
      return d.state === 'paused';
    case 'save':
      return (d.state === 'running' || d.state === 'blocked' || d.state === 'paused') && !d.isDom0;
    case 'delete':
      return d.state === 'stopped' && d.configPath !== null;
    case 'autostart-on':
      return d.configPath !== null && !d.autostart;
    case 'autostart-off':
      return d.configPath !== null && d.autostart;
  }
}

/** Which of `domains` `action` applies to. */
export function applicable(action: ActionId, domains: readonly DomainSummary[]): DomainSummary[] {
  return domains.filter((d) => canDo(action, d));
}
