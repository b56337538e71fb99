import { create } from 'zustand';
import { useDomainsStore } from '../store/domains-store';
import { actionDef, runAction, type ActionId } from './actions';

/** Which action dialog is open and for which domains; the toolbar, the context menu, the keyboard and the details view share it. */
interface DialogState {
  action: 'destroy' | 'save' | 'clone' | 'delete' | 'restore' | 'start-saved' | null;
  names: string[];
  close: () => void;
}

/** The open action dialog. */
export const useDialogs = create<DialogState>((set) => ({
  action: null,
  names: [],
  close: () => set({ action: null, names: [] }),
}));

/** Starts `action` on `names`: opens its dialog when it asks first, else runs it at once (without waiting). */
export function requestAction(action: ActionId, names: readonly string[]): void {
  if (names.length === 0) return;
  // A saved domain is never cold-booted by a plain Start: the dialog asks restore or start fresh.
  if (action === 'start' && hasSaved(names)) {
    useDialogs.setState({ action: 'start-saved', names: [...names] });
    return;
  }
  // A clone is of one domain: with several selected, the first.
  if (action === 'clone') {
    useDialogs.setState({ action, names: [names[0] ?? ''] });
    return;
  }
  if (actionDef(action).dialog && (action === 'destroy' || action === 'save' || action === 'delete')) {
    useDialogs.setState({ action, names: [...names] });
    return;
  }
  void runAction(action, names);
}

/** True when one of `names` is a stopped domain with a saved state. */
function hasSaved(names: readonly string[]): boolean {
  const domains = useDomainsStore.getState().domains;
  return domains.some((d) => names.includes(d.name) && d.state === 'stopped' && d.savedFile !== null);
}

/** Opens the restore dialog. */
export function requestRestore(): void {
  useDialogs.setState({ action: 'restore', names: [] });
}
