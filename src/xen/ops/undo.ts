import type { Runner } from '../runner/types';
import { isXenError } from '../errors';

/** Something an operation made and removes again when it fails: a file, or a logical volume (`lv`). */
export interface MadeThing {
  path: string;
  lv?: { vg: string; name: string };
}

/** What a clean-up removed, and what it left with why. */
export interface Cleanup {
  removed: string[];
  left: { path: string; message: string }[];
}

/**
 * Removes what an operation made, newest first (the wizard's run, a clone); each failure is kept and the rest still
 * removed. Something already gone counts as removed.
 */
export async function removeMade(runner: Runner, made: readonly MadeThing[]): Promise<Cleanup> {
  const removed: string[] = [];
  const left: { path: string; message: string }[] = [];
  for (const m of [...made].reverse()) {
    try {
      if (m.lv) await runner.run('lvm.lvremove', m.lv);
      else await runner.fs.remove(m.path);
      removed.push(m.path);
    } catch (e) {
      if (isXenError(e, 'NOT_FOUND')) removed.push(m.path);
      else left.push({ path: m.path, message: e instanceof Error ? e.message : String(e) });
    }
  }
  return { removed, left };
}
