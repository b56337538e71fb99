import type { Services } from '../core/services';

/** Runs an operation that changes domains, then tells every client to refetch (also when it failed half-way). */
export async function changing<T>(s: Services, reason: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } finally {
    s.notifyChanged(reason);
  }
}
