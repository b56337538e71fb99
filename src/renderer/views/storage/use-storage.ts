import { useCallback, useEffect, useState } from 'react';
import type { StorageOverview } from '../../../shared/storage';
import { xen } from '../../api/client';
import { errorInfo, type ErrorInfo } from '../../lib/errors';

/** The storage overview, refetched when storage or the set of domains changes (anyone's change, any window). */
export function useStorage(): { data: StorageOverview | null; error: ErrorInfo | null; reload: () => Promise<void> } {
  const [data, setData] = useState<StorageOverview | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const reload = useCallback(async () => {
    try {
      setData(await xen.storage.overview({}));
      setError(null);
    } catch (e) {
      setError(errorInfo(e));
    }
  }, []);
  useEffect(() => {
    void reload();
    const offs = [xen.on('storage:changed', () => void reload()), xen.on('domains:changed', () => void reload())];
    return () => offs.forEach((off) => off());
  }, [reload]);
  return { data, error, reload };
}
