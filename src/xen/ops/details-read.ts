import type { ConfigProblem } from '../../shared/domain-config';
import type { OpsContext } from './context';

// Small reads the details share: a fact that may be missing, one xenstore key, the problems of one config entry.

/** Resolves to null instead of throwing: one missing fact (no credit2, no xenstore key) must not hide the rest. */
export async function maybe<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch {
    return null;
  }
}

/** One xenstore key's value, or null when it cannot be read. */
export async function xenstoreRead(ctx: OpsContext, key: string): Promise<string | null> {
  const r = await maybe(ctx.run('xenstore.read', { key }, { timeoutMs: 5000 }));
  return r === null ? null : r.stdout.trim();
}

/** Xenbus state numbers in words. */
export const XENBUS: Record<number, string> = { 1: 'initialising', 2: 'init-wait', 3: 'initialised', 4: 'connected', 5: 'closing', 6: 'closed' };

/** Messages of the problems on one config entry (`disks[1]`, `vifs[0].mac`). */
export function problemsOf(problems: readonly ConfigProblem[], prefix: string): string[] {
  return problems.filter((p) => p.field === prefix || p.field.startsWith(`${prefix}.`)).map((p) => p.message);
}

