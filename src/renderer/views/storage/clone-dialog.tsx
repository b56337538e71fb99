import { useEffect, useState } from 'react';
import { volumeNameProblem, type VolumeInfo } from '../../../shared/storage';
import { xen } from '../../api/client';
import { EditStatus } from '../../components/EditStatus';
import { Modal } from '../../components/Modal';
import { formatBytes } from '../../lib/format';
import { useEdit } from '../../lib/use-domain';

/** "web.img" -> "web-copy.img", "web-root" -> "web-root-copy". */
function copyName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}-copy${name.slice(dot)}` : `${name}-copy`;
}

/** Copies a volume into a new one in its pool, showing qemu-img's progress as it comes. */
export function CloneDialog({ volume, onClose }: { volume: VolumeInfo | null; onClose: () => void }) {
  const [newName, setNewName] = useState('');
  const [pct, setPct] = useState<number | null>(null);
  const edit = useEdit();
  useEffect(() => {
    if (volume) setNewName(copyName(volume.name));
    setPct(null);
    edit.clear();
  }, [volume, edit.clear]);
  if (volume === null) return null;
  const problem = newName === '' ? null : volumeNameProblem(newName);
  const clone = async () => {
    const jobId = `clone-${Math.random().toString(36).slice(2, 12)}${Date.now().toString(36)}`;
    const off = xen.on('job:progress', (p) => {
      const m = p.jobId === jobId ? /: (\d+)%$/.exec(p.message) : null;
      if (m) setPct(Number(m[1]));
    });
    setPct(0);
    try {
      if (await edit.run(() => xen.storage.volumeClone({ pool: volume.pool, name: volume.name, newName, jobId }), `Copied to ${newName}.`)) onClose();
    } finally {
      off();
    }
  };
  return (
    <Modal open onOpenChange={(o) => !o && !edit.busy && onClose()} title={`Clone ${volume.name}`} description={`A full, sparse copy (${formatBytes(volume.virtualBytes)}) in pool ${volume.pool}. A disk a running domain writes cannot be copied.`} testId="clone-dialog">
      <label className="field-label">
        Name of the copy
        <input className="input mono" value={newName} onChange={(e) => setNewName(e.target.value)} aria-invalid={problem !== null} data-testid="clone-name" autoFocus />
      </label>
      {problem !== null && <p className="error-text small">{`The name ${problem}`}</p>}
      {pct !== null && (
        <div className="meter" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Copied" data-testid="clone-progress">
          <span className="meter-used" style={{ width: `${pct}%` }} />
        </div>
      )}
      <EditStatus edit={edit} testId="clone" />
      <div className="modal-actions">
        <button type="button" className="btn" disabled={edit.busy} onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn primary" disabled={newName === '' || problem !== null || edit.busy} onClick={() => void clone()} data-testid="clone-confirm">
          Clone
        </button>
      </div>
    </Modal>
  );
}
