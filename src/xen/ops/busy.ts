import { XenError } from '../errors';
import type { OpsContext } from './context';

/** Refuses to act on a domain a long operation holds (IN_USE, naming what it is doing). */
export function assertNotBusy(ctx: OpsContext, name: string, field = 'name'): void {
  const what = ctx.busy.get(name);
  if (what !== undefined) throw new XenError('IN_USE', `${name} is busy: ${what}; try again when that has finished`, { field });
}

/** Runs `fn` holding `names` (refused when one is already held), and lets them go however it ends. */
export async function whileBusy<T>(ctx: OpsContext, names: readonly string[], what: string, fn: () => Promise<T>): Promise<T> {
  for (const n of names) assertNotBusy(ctx, n);
  for (const n of names) ctx.busy.set(n, what);
  try {
    return await fn();
  } finally {
    for (const n of names) ctx.busy.delete(n);
  }
}
