import { isXenError } from '../errors';
import type { OpsContext } from './context';
import { joinPath, readDirOrEmpty } from './paths';

// A domain's saved state: the file Xenith's Save proposes, SAVE_DIR/NAME.save (DEFAULT_SAVE_DIR, /var/lib/xen/save).
// While that file exists and the domain is not running, the list calls it Saved and Start offers to restore it.

const SUFFIX = '.save';

/** Where `name`'s saved state lives. */
export function savedStatePath(ctx: OpsContext, name: string): string {
  return joinPath(ctx.opts.saveDir, `${name}${SUFFIX}`);
}

/** The domain whose saved state `file` is (NAME for SAVE_DIR/NAME.save), or null for any other file. */
export function savedStateName(ctx: OpsContext, file: string): string | null {
  const dir = `${ctx.opts.saveDir}/`;
  if (!file.startsWith(dir) || !file.endsWith(SUFFIX)) return null;
  const name = file.slice(dir.length, -SUFFIX.length);
  return name === '' || name.includes('/') ? null : name;
}

/**
 * The names with a saved state, in one listing of the save directory: names only (root's broker lists that one
 * directory and never reads a save file, which holds a guest's memory). Empty when the directory is missing or this
 * user may not read it: a saved state Xenith cannot see is one it cannot offer, not a reason to fail the list.
 */
export async function readSavedNames(ctx: OpsContext): Promise<ReadonlySet<string>> {
  try {
    const entries = await readDirOrEmpty(ctx, ctx.opts.saveDir, { suffix: SUFFIX, text: false });
    // A link is not a save file Xenith wrote: restore would follow it.
    return new Set(entries.filter((e) => e.link === null).map((e) => e.name.slice(0, -SUFFIX.length)).filter((n) => n !== ''));
  } catch (e) {
    if (isXenError(e)) return new Set();
    throw e;
  }
}

/** Whether `name` has a saved state now (one stat); false when it cannot be told. */
export async function hasSavedState(ctx: OpsContext, name: string): Promise<boolean> {
  try {
    const st = await ctx.runner.fs.stat(savedStatePath(ctx, name));
    // A link is not a save file Xenith wrote (the list skips it too): restore would follow it.
    return st !== null && st.isFile && !st.isSymlink;
  } catch (e) {
    if (isXenError(e)) return false;
    throw e;
  }
}
