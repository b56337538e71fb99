import type { Services } from '../core/services';

/**
 * Runs an operation that changes domains, then tells every client which domains it touched so they refetch (also when
 * it failed half-way): `names` null means any domain may have changed.
 */
export async function changing<T>(s: Services, action: string, names: readonly string[] | null, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } finally {
    s.notifyChanged({ reason: names === null ? action : `${action} ${names.join(', ')}`, names: names === null ? null : [...names] });
  }
}
