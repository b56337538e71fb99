import { create } from 'zustand';
import { actionDef, runAction, type ActionId } from './actions';

/** Which action dialog is open and for which domains; the toolbar, the context menu, the keyboard and the details view share it. */
interface DialogState {
  action: 'destroy' | 'save' | 'delete' | 'restore' | null;
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
  if (actionDef(action).dialog && (action === 'destroy' || action === 'save' || action === 'delete')) {
    useDialogs.setState({ action, names: [...names] });
    return;
  }
  void runAction(action, names);
}

/** Opens the restore dialog. */
export function requestRestore(): void {
  useDialogs.setState({ action: 'restore', names: [] });
}
