import { create } from 'zustand';
import { actionDef, type ActionId } from './action-defs';
import { isLifecycleAction } from '../../shared/lifecycle';
import { xen } from '../api/client';
import { errorInfo, errorInfoFromPlain, type ErrorInfo } from './errors';

export { ACTIONS, actionDef, applicable, canDo, isBulk, type ActionDef, type ActionId } from './action-defs';

/** The last outcome of an action on one domain. */
export interface Outcome {
  /** An ActionId, or 'restore'. */
  action: string;
  ok: boolean;
  error: ErrorInfo | null;
  at: number;
}

interface ActionState {
  /** Domains with an action in progress, and its progressive label. */
  busy: Record<string, string>;
  /** Last outcome per domain (or per "restore"). */
  outcomes: Record<string, Outcome>;
  /** Names of the last action's domains, for the result panel. */
  last: { action: string; names: string[] } | null;
  dismiss: (name?: string) => void;
}

/** Progress and outcomes of actions: the list and the details view both read it. */
export const useActions = create<ActionState>((set) => ({
  busy: {},
  outcomes: {},
  last: null,
  dismiss(name) {
    if (name === undefined) set({ last: null });
    else
      set((s) => {
        const outcomes = { ...s.outcomes };
        delete outcomes[name];
        return { outcomes };
      });
  },
}));

function markBusy(names: readonly string[], label: string): void {
  useActions.setState((s) => {
    const busy = { ...s.busy };
    for (const n of names) busy[n] = label;
    return { busy };
  });
}

function record(action: string, results: { name: string; ok: boolean; error: ErrorInfo | null }[]): void {
  const at = Date.now();
  useActions.setState((s) => {
    const busy = { ...s.busy };
    const outcomes = { ...s.outcomes };
    for (const r of results) {
      delete busy[r.name];
      outcomes[r.name] = { action, ok: r.ok, error: r.error, at };
    }
    return { busy, outcomes, last: { action, names: results.map((r) => r.name) } };
  });
}

/** What some actions need beyond the names: Save's file, Delete's disks, Start's choice for a saved state. */
export interface ActionExtra {
  file?: string;
  disks?: string[];
  saved?: 'restore' | 'discard';
}

/** Calls for one domain. */
async function single(action: ActionId, name: string, extra: ActionExtra): Promise<void> {
  switch (action) {
    case 'start':
      return xen.domain.start({ name, ...(extra.saved ? { saved: extra.saved } : {}) });
    case 'shutdown':
      return xen.domain.shutdown({ name });
    case 'reboot':
      return xen.domain.reboot({ name });
    case 'destroy':
      return xen.domain.destroy({ name });
    case 'pause':
      return xen.domain.pause({ name });
    case 'unpause':
      return xen.domain.unpause({ name });
    case 'save':
      if (!extra.file) throw new Error('save needs a file');
      return xen.domain.save({ name, file: extra.file });
    case 'delete': {
      const report = await xen.domain.delete({ name, disks: extra.disks ?? [] });
      const failed = report.steps.filter((s) => !s.ok);
      if (failed.length > 0) throw new Error(failed.map((f) => `${f.what} ${f.path}: ${f.message ?? 'failed'}`).join('; '));
      return;
    }
    case 'autostart-on':
      return xen.domain.autostart({ name, enabled: true });
    case 'autostart-off':
      return xen.domain.autostart({ name, enabled: false });
    case 'clone':
      throw new Error('A clone runs from its dialog');
  }
}

/**
 * Runs `action` on `names`. Several domains with a bulk action go as one domains:bulk call, each with its own result;
 * otherwise one call per domain, in parallel (xl serialises them on the host anyway). Never throws: outcomes land in
 * the store, beside the row and in the result panel.
 */
export async function runAction(action: ActionId, names: readonly string[], extra: ActionExtra = {}): Promise<void> {
  if (names.length === 0) return;
  const def = actionDef(action);
  markBusy(names, extra.saved === 'restore' ? 'restoring' : def.busy);
  // domains:bulk carries no saved-state choice: those starts go one call per domain.
  if (names.length > 1 && isLifecycleAction(action) && extra.saved === undefined) {
    try {
      const res = await xen.domains.bulk({ action, names: [...names] });
      record(action, res.map((r) => ({ name: r.name, ok: r.ok, error: r.error ? errorInfoFromPlain(r.error) : null })));
    } catch (e) {
      const err = errorInfo(e);
      record(action, names.map((name) => ({ name, ok: false, error: err })));
    }
    return;
  }
  const results = await Promise.all(
    names.map(async (name) => {
      try {
        await single(action, name, extra);
        return { name, ok: true, error: null };
      } catch (e) {
        return { name, ok: false, error: errorInfo(e) };
      }
    }),
  );
  record(action, results);
}

/** Restores a saved domain from `file`; its outcome is kept under the key "restore". */
export async function runRestore(file: string): Promise<boolean> {
  markBusy(['restore'], 'restoring');
  try {
    await xen.domain.restore({ file });
    record('restore', [{ name: 'restore', ok: true, error: null }]);
    return true;
  } catch (e) {
    record('restore', [{ name: 'restore', ok: false, error: errorInfo(e) }]);
    return false;
  }
}
