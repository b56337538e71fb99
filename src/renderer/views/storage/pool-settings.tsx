import { useEffect, useState } from 'react';
import type { PoolInfo } from '../../../shared/storage';
import { xen } from '../../api/client';
import { EditStatus } from '../../components/EditStatus';
import { Modal } from '../../components/Modal';
import { useEdit } from '../../lib/use-domain';

/**
 * A pool's settings after it is made: a directory or NFS pool can become (or stop being) the ISO library, and an NFS
 * pool can start or stop mounting at boot. Nothing about where the pool is changes here: that is a different pool.
 */
export function PoolSettingsDialog({ pool, open, onClose }: { pool: PoolInfo; open: boolean; onClose: () => void }) {
  const def = pool.def;
  const [iso, setIso] = useState(def.kind !== 'lvm' && def.iso === true);
  const [persist, setPersist] = useState(def.kind === 'nfs' && def.persist === true);
  const edit = useEdit();
  useEffect(() => {
    edit.clear();
    setIso(def.kind !== 'lvm' && def.iso === true);
    setPersist(def.kind === 'nfs' && def.persist === true);
  }, [open, def, edit.clear]);
  const wasIso = def.kind !== 'lvm' && def.iso === true;
  const wasPersist = def.kind === 'nfs' && def.persist === true;
  const change = { ...(iso !== wasIso ? { iso } : {}), ...(persist !== wasPersist ? { persist } : {}) };
  const save = async () => {
    if (await edit.run(() => xen.storage.poolEdit({ name: def.name, ...change }), `Saved the settings of ${def.name}.`)) onClose();
  };
  return (
    <Modal open={open} onOpenChange={(o) => !o && onClose()} title={`Settings of ${def.name}`} description={pool.path} testId="pool-settings-dialog">
      {def.kind === 'lvm' ? (
        <p className="muted">An LVM pool has no settings to change: its volumes are logical volumes of {def.vg}, and it holds no ISO images.</p>
      ) : (
        <label className="check-row">
          <input type="checkbox" checked={iso} onChange={(e) => setIso(e.target.checked)} data-testid="pool-settings-iso" /> ISO library (its ISO images are offered first in the wizard and the CD dialog)
        </label>
      )}
      {def.kind === 'nfs' && (
        <label className="check-row">
          <input type="checkbox" checked={persist} onChange={(e) => setPersist(e.target.checked)} data-testid="pool-settings-persist" /> Mount at boot (one line in /etc/fstab, the old file kept as /etc/fstab.xenith-bak)
        </label>
      )}
      <EditStatus edit={edit} testId="pool-settings" />
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn primary" disabled={Object.keys(change).length === 0 || edit.busy} onClick={() => void save()} data-testid="pool-settings-save">
          Save
        </button>
      </div>
    </Modal>
  );
}
