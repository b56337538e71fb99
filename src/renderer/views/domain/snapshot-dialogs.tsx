import { useState } from 'react';
import { snapshotNameProblem, type SnapshotList } from '../../../shared/snapshot';
import { xen } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { JobProgress, useJobProgress } from '../../components/JobProgress';
import { Modal } from '../../components/Modal';
import { errorInfo, type ErrorInfo } from '../../lib/errors';

/** Takes a snapshot: a name and a description; of a running domain, its memory too (the guest pauses for it). */
export function TakeSnapshotDialog({ list, onClose, onDone }: { list: SnapshotList; onClose: () => void; onDone: () => void }) {
  const [snapName, setSnapName] = useState(`Snapshot ${list.snapshots.length + 1}`);
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const job = useJobProgress('snap');
  const problem = snapshotNameProblem(snapName);
  const taken = list.snapshots.some((s) => s.name === snapName);
  const take = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await job.run((jobId) => xen.snapshot.create({ name: list.domain, snapName, description, jobId }));
      onDone();
      onClose();
    } catch (e) {
      setError(errorInfo(e));
    } finally {
      setBusy(false);
    }
  };
  const what = list.running
    ? `${list.domain} is running: its memory is saved with its disks, so a revert continues from this moment. The guest is paused while that happens${list.disks.some((d) => d.how === 'qcow2') ? ' (with a qcow2 disk it is saved and restored, which takes longer)' : ''}.`
    : `${list.domain} is off: its disks are captured as they are.`;
  return (
    <Modal open onOpenChange={(o) => !o && !busy && onClose()} title={`Take a snapshot of ${list.domain}`} description={what} testId="snapshot-take-dialog">
      <div className="form-grid">
        <label className="field-label">
          Name
          <input className="input" value={snapName} disabled={busy} onChange={(e) => setSnapName(e.target.value)} aria-invalid={problem !== null || taken} data-testid="snapshot-name" autoFocus />
        </label>
        <label className="field-label">
          Description
          <textarea className="input" rows={3} value={description} disabled={busy} onChange={(e) => setDescription(e.target.value)} data-testid="snapshot-description" />
        </label>
      </div>
      {problem !== null && <p className="error-text small" data-testid="snapshot-name-problem">{`The snapshot name ${problem}`}</p>}
      {taken && <p className="error-text small" data-testid="snapshot-name-problem">{`There is already a snapshot called ${snapName}`}</p>}
      {busy && <JobProgress message={job.message} pct={job.pct} testId="snapshot-take-progress" />}
      {error && <ErrorNote error={error} testId="snapshot-take-error" />}
      <div className="modal-actions">
        <button type="button" className="btn" disabled={busy} onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn primary" disabled={busy || problem !== null || taken} onClick={() => void take()} data-testid="snapshot-take-confirm">
          Take snapshot
        </button>
      </div>
    </Modal>
  );
}
