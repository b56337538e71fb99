import { useEffect, useState } from 'react';
import type { VolumeInfo } from '../../shared/storage';
import { xen } from '../api/client';
import { formatBytes } from '../lib/format';

/**
 * The ISO library (ISO images in every storage pool, the ISO pool's first) as a choice beside a path field: picking one
 * fills the path. Hidden when the library is empty or cannot be read (the path field and Browse still work).
 */
export function IsoPicker({ value, onPick, testId }: { value: string; onPick: (path: string) => void; testId: string }) {
  const [isos, setIsos] = useState<VolumeInfo[]>([]);
  useEffect(() => {
    let live = true;
    xen.storage.isos().then(
      (list) => live && setIsos(list),
      () => live && setIsos([]),
    );
    return () => {
      live = false;
    };
  }, []);
  if (isos.length === 0) return null;
  return (
    <label className="field-label">
      ISO library
      <select className="input" value={isos.some((i) => i.path === value) ? value : ''} onChange={(e) => e.target.value && onPick(e.target.value)} data-testid={testId}>
        <option value="">{`Choose one of ${isos.length} ISO images…`}</option>
        {isos.map((i) => (
          <option key={i.path} value={i.path}>
            {`${i.name} · ${formatBytes(i.virtualBytes)} · ${i.pool}`}
          </option>
        ))}
      </select>
    </label>
  );
}
