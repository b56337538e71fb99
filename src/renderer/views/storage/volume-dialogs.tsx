import { useEffect, useState } from 'react';
import { volumeNameProblem, type PoolInfo, type VolumeInfo } from '../../../shared/storage';
import { xen } from '../../api/client';
import { EditStatus } from '../../components/EditStatus';
import { Modal } from '../../components/Modal';
import { formatBytes } from '../../lib/format';
import { useEdit } from '../../lib/use-domain';

const GiB = 1024 ** 3;

/** A new volume in `pool`: a raw or qcow2 file, or a logical volume (thin when the group has a thin pool). */
export function NewVolumeDialog({ pool, open, onClose }: { pool: PoolInfo; open: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [size, setSize] = useState(10);
  const [format, setFormat] = useState<'raw' | 'qcow2'>('raw');
  const edit = useEdit();
  useEffect(() => {
    if (open) {
      setName('');
      edit.clear();
    }
  }, [open, edit.clear]);
  const lvm = pool.def.kind === 'lvm';
  const nameProblem = name === '' ? null : volumeNameProblem(name);
  // Files and thin volumes are sparse; a plain logical volume takes its whole size now.
  const tooBig = lvm && pool.thinPool === null && pool.freeBytes !== null && size * GiB > pool.freeBytes;
  const ok = name !== '' && nameProblem === null && size >= 0.01 && !tooBig;
  const create = async () => {
    const done = await edit.run(() => xen.storage.volumeCreate({ pool: pool.def.name, name, sizeGiB: size, ...(lvm ? {} : { format }) }), `Created ${name}.`);
    if (done) onClose();
  };
  return (
    <Modal open={open} onOpenChange={(o) => !o && onClose()} title={`New volume in ${pool.def.name}`} testId="new-volume-dialog">
      <div className="form-grid">
        <label className="field-label">
          Name
          <input className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder={lvm ? 'web-root' : 'web-root.img'} data-testid="new-volume-name" aria-invalid={nameProblem !== null} autoFocus />
        </label>
        <label className="field-label">
          {`Size (GiB${pool.freeBytes !== null ? `, ${formatBytes(pool.freeBytes)} free` : ''})`}
          <input type="number" className="input num" min={0.01} step={1} value={size} onChange={(e) => setSize(Number(e.target.value))} data-testid="new-volume-size" aria-invalid={tooBig} />
        </label>
        {!lvm && (
          <label className="field-label">
            Format
            <select className="input" value={format} onChange={(e) => setFormat(e.target.value as 'raw' | 'qcow2')} data-testid="new-volume-format">
              <option value="raw">raw (sparse file)</option>
              <option value="qcow2">qcow2 (needs qemu-img on the host)</option>
            </select>
          </label>
        )}
      </div>
      {nameProblem !== null && <p className="error-text small">{`The name ${nameProblem}`}</p>}
      {tooBig && <p className="error-text small">{`${size} GiB is more than the pool has free.`}</p>}
      {lvm && <p className="muted small">{pool.thinPool !== null ? `A thin volume in ${pool.thinPool}: space is taken as the guest writes.` : 'A logical volume of the full size, taken now.'}</p>}
      <EditStatus edit={edit} testId="new-volume" />
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn primary" disabled={!ok || edit.busy} onClick={() => void create()} data-testid="new-volume-create">
          Create
        </button>
      </div>
    </Modal>
  );
}

/** Grows a volume, or shrinks one no domain uses after the user confirms the end of the disk is lost. */
export function ResizeDialog({ volume, onClose }: { volume: VolumeInfo | null; onClose: () => void }) {
  const [size, setSize] = useState(0);
  const [confirmed, setConfirmed] = useState(false);
  const edit = useEdit();
  useEffect(() => {
    if (volume) setSize(Math.ceil(volume.virtualBytes / GiB) + 1);
    setConfirmed(false);
    edit.clear();
  }, [volume, edit.clear]);
  if (volume === null) return null;
  const shrinking = size * GiB < volume.virtualBytes;
  const ok = size >= 0.01 && size * GiB !== volume.virtualBytes && (!shrinking || (confirmed && volume.users.length === 0));
  const resize = async () => {
    if (await edit.run(() => xen.storage.volumeResize({ pool: volume.pool, name: volume.name, sizeGiB: size, ...(shrinking ? { shrink: true } : {}) }), `Resized ${volume.name}.`)) onClose();
  };
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={`Resize ${volume.name}`} description={`Now ${formatBytes(volume.virtualBytes)}. The guest sees the new size at its next start; its partitions and filesystems are not changed.`} testId="resize-dialog">
      <label className="field-label">
        New size (GiB)
        <input type="number" className="input num" min={0.01} step={1} value={size} onChange={(e) => setSize(Number(e.target.value))} aria-invalid={!ok} data-testid="resize-size" autoFocus />
      </label>
      {shrinking && volume.users.length > 0 && <p className="error-text small" data-testid="resize-in-use">{`${volume.users[0]!.domain} uses this volume: a volume is shrunk only when no domain uses it.`}</p>}
      {shrinking && volume.users.length === 0 && (
        <label className="check-row warn-text">
          <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="resize-shrink-confirm" />
          {` Shrink: everything past ${size} GiB is lost. Shrink the guest's filesystem and partitions first.`}
        </label>
      )}
      <EditStatus edit={edit} testId="resize" />
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className={`btn ${shrinking ? 'danger-solid' : 'primary'}`} disabled={!ok || edit.busy} onClick={() => void resize()} data-testid="resize-confirm">
          {shrinking ? 'Shrink' : 'Resize'}
        </button>
      </div>
    </Modal>
  );
}
