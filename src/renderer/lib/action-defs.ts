import type { DomainSummary } from '../../shared/dto';
import { isLifecycleAction, type LifecycleAction } from '../../shared/lifecycle';

/** Actions on domains: the lifecycle ones (shared/lifecycle.ts) and the few with their own dialogs or channels. */
export type ActionId = LifecycleAction | 'save' | 'clone' | 'delete' | 'autostart-on' | 'autostart-off';

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
}

/** Runs as one domains:bulk call when several domains are selected: exactly the lifecycle actions. */
export function isBulk(id: ActionId): boolean {
  return isLifecycleAction(id);
}

/** Every action, in menu order. */
export const ACTIONS: readonly ActionDef[] = [
  { id: 'start', label: 'Start', busy: 'starting', key: 's', keyLabel: 'S', dialog: false },
  { id: 'shutdown', label: 'Shut down', busy: 'shutting down', key: 'h', keyLabel: 'H', dialog: false },
  { id: 'reboot', label: 'Reboot', busy: 'rebooting', key: 'r', keyLabel: 'R', dialog: false },
  { id: 'pause', label: 'Pause', busy: 'pausing', key: 'p', keyLabel: 'P', dialog: false },
  { id: 'unpause', label: 'Resume', busy: 'resuming', key: 'u', keyLabel: 'U', dialog: false },
  { id: 'destroy', label: 'Force off…', busy: 'forcing off', key: 'f', keyLabel: 'F', dialog: true },
  { id: 'save', label: 'Save to file…', busy: 'saving', key: 'v', keyLabel: 'V', dialog: true },
  { id: 'clone', label: 'Clone…', busy: 'cloning', key: 'k', keyLabel: 'K', dialog: true },
  { id: 'autostart-on', label: 'Start at host boot', busy: 'updating autostart', key: 'a', keyLabel: 'A', dialog: false },
  { id: 'autostart-off', label: 'Do not start at host boot', busy: 'updating autostart', key: 'a', keyLabel: 'A', dialog: false },
  { id: 'delete', label: 'Delete…', busy: 'deleting', key: 'Delete', keyLabel: 'Del', dialog: true },
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
    case 'clone':
      return d.state === 'stopped' && d.configPath !== null && !d.isDom0;
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
