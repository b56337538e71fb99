import { useEffect, useRef, useState } from 'react';
import type { JobProgress } from '../../../shared/contract-types';
import { volumeNameProblem, type PoolInfo, type VolumeInfo } from '../../../shared/storage';
import { suggestVolumeName } from '../../../shared/transfer';
import { XenithError } from '../../../shared/ipc-errors';
import { inElectron } from '../../api/client';
import { EditStatus } from '../../components/EditStatus';
import { Modal } from '../../components/Modal';
import { formatBytes, formatRate } from '../../lib/format';
import { useEdit } from '../../lib/use-domain';
import { cancelTransfer, downloadVolume, followJob, newJobId, pickInMain, uploadPicked, type PickedFile } from './transfer-client';

/** A transfer's bar: bytes moved, the percentage and the rate, from job:progress. */
function TransferBar({ progress, testId }: { progress: JobProgress | null; testId: string }) {
  const b = progress?.bytes;
  if (progress === null || b === undefined) return null;
  const pct = b.total > 0 ? Math.floor((b.done / b.total) * 100) : 100;
  return (
    <div className="transfer-progress" data-testid={testId}>
      <div className="meter" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Transferred">
        <span className="meter-used" style={{ width: `${pct}%` }} />
      </div>
      <p className="muted small" data-testid={`${testId}-text`}>{`${formatBytes(b.done)} of ${formatBytes(b.total)} (${pct}%) · ${formatRate(b.rate)}`}</p>
    </div>
  );
}

/** Runs one transfer job: its id, its latest progress, and cancel while it runs. */
function useJob(kind: 'up' | 'down') {
  const [jobId, setJobId] = useState(() => newJobId(kind));
  const [progress, setProgress] = useState<JobProgress | null>(null);
  const edit = useEdit();
  const offRef = useRef<(() => void) | null>(null);
  useEffect(() => () => offRef.current?.(), []);
  const run = async (op: (jobId: string) => Promise<unknown>, doneText: string): Promise<boolean> => {
    setProgress(null);
    offRef.current = followJob(jobId, (p) => p.bytes !== undefined && setProgress(p));
    try {
      return await edit.run(() => op(jobId), doneText);
    } finally {
      offRef.current?.();
      offRef.current = null;
      setJobId(newJobId(kind));
    }
  };
  const reset = (): void => {
    setProgress(null);
    edit.clear();
  };
  return { jobId, progress, edit, run, reset, cancel: () => void cancelTransfer(jobId) };
}

/** Choosing the local file: <input type=file> in the browser, main's own dialog in Electron. */
function FileChooser({ jobId, picked, onPick, disabled }: { jobId: string; picked: PickedFile | null; onPick: (p: PickedFile) => void; disabled: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const chooseInMain = async () => {
    setError(null);
    try {
      const p = await pickInMain(jobId);
      if (p !== null) onPick(p);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="field-label">
      Image file (ISO, raw or qcow2) on this computer
      {inElectron ? (
        <button type="button" className="btn" disabled={disabled} onClick={() => void chooseInMain()} data-testid="upload-choose">
          Choose file…
        </button>
      ) : (
        <input
          type="file"
          className="input"
          disabled={disabled}
          data-testid="upload-file"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) onPick({ kind: 'browser', file: f, fileName: f.name, bytes: f.size });
          }}
        />
      )}
      {picked !== null && <span className="muted small" style={{ marginBottom: 8 }} data-testid="upload-picked">{`${picked.fileName} · ${formatBytes(picked.bytes)}`}</span>}
      {error !== null && <span className="error-text small">{error}</span>}
    </div>
  );
}

/** The upload's checks before anything is sent: the one volume-name rule and the pool's free space, each naming its field. */
function uploadProblem(pool: PoolInfo, picked: PickedFile | null, name: string): { field: 'file' | 'name'; text: string } | null {
  if (picked !== null && pool.freeBytes !== null && picked.bytes > pool.freeBytes) {
    return { field: 'file', text: `The file (${formatBytes(picked.bytes)}) is larger than the ${formatBytes(pool.freeBytes)} free in ${pool.def.name}` };
  }
  const p = name === '' ? null : volumeNameProblem(name);
  return p === null ? null : { field: 'name', text: `The volume name ${p}` };
}

/** Upload an image into a directory or NFS pool: file, volume name, progress with bytes, percentage and rate, cancel. */
export function UploadDialog({ pool, open, onClose }: { pool: PoolInfo; open: boolean; onClose: () => void }) {
  const [picked, setPicked] = useState<PickedFile | null>(null);
  const [name, setName] = useState('');
  const job = useJob('up');
  useEffect(() => {
    if (!open) return;
    setPicked(null);
    setName('');
    job.reset();
    // A fresh form each time the dialog opens (job.reset is new each render; open is what matters).
  }, [open]);
  if (!open) return null;
  const problem = uploadProblem(pool, picked, name);
  const start = async () => {
    if (picked === null) return;
    if (await job.run((id) => uploadPicked(picked, pool.def.name, name, id), `Uploaded ${name} to ${pool.def.name}.`)) onClose();
    // Main hands a picked file to one upload job only: after a failure the person picks it again (for the next job).
    else if (picked.kind === 'electron') setPicked(null);
  };
  const busy = job.edit.busy;
  return (
    <Modal open onOpenChange={(o) => !o && !busy && onClose()} title={`Upload an image to ${pool.def.name}`} description={`The file becomes a new volume in ${pool.path}; an existing file is never replaced. A qcow2 image that reads another file (a backing or data file) is refused.`} testId="upload-dialog">
      <FileChooser jobId={job.jobId} picked={picked} disabled={busy} onPick={(p) => (setPicked(p), setName(suggestVolumeName(p.fileName)))} />
      <label className="field-label">
        Volume name
        <input className="input mono" value={name} disabled={busy} onChange={(e) => setName(e.target.value)} aria-invalid={problem?.field === 'name'} data-testid="upload-name" />
      </label>
      {problem !== null && <p className="error-text small" data-testid={`upload-problem-${problem.field}`}>{problem.text}</p>}
      <TransferBar progress={busy ? job.progress : null} testId="upload-progress" />
      <EditStatus edit={job.edit} testId="upload" />
      <TransferActions kind="upload" busy={busy} ready={picked !== null && name !== '' && problem === null} onCancel={job.cancel} onClose={onClose} onStart={() => void start()} />
    </Modal>
  );
}

/** Cancel while a transfer runs, Close otherwise, and the button that starts it. */
function TransferActions(p: { kind: 'upload' | 'download'; busy: boolean; ready: boolean; onCancel: () => void; onClose: () => void; onStart: () => void }) {
  return (
    <div className="modal-actions">
      {p.busy ? (
        <button type="button" className="btn danger" onClick={p.onCancel} data-testid={`${p.kind}-cancel`}>
          {`Cancel ${p.kind}`}
        </button>
      ) : (
        <button type="button" className="btn" onClick={p.onClose}>
          Close
        </button>
      )}
      <button type="button" className="btn primary" disabled={!p.ready || p.busy} onClick={p.onStart} data-testid={`${p.kind}-confirm`}>
        {p.kind === 'upload' ? 'Upload' : 'Download'}
      </button>
    </div>
  );
}

/** Download a file volume to this computer, with progress and cancel. */
export function DownloadDialog({ volume, onClose }: { volume: VolumeInfo | null; onClose: () => void }) {
  const job = useJob('down');
  useEffect(() => {
    job.reset();
    // A fresh state for each volume.
  }, [volume]);
  if (volume === null) return null;
  const busy = job.edit.busy;
  const start = () =>
    void job.run(async (id) => {
      // Electron: the save dialog was closed without a file; nothing was read.
      if ((await downloadVolume(volume.pool, volume.name, id)) === null) throw new XenithError('ABORTED', 'No file was chosen; nothing was downloaded', { field: 'file' });
    }, `Downloaded ${volume.name}.`);
  const where = inElectron ? 'You choose where it is saved.' : 'Your browser saves it in its downloads folder.';
  return (
    <Modal open onOpenChange={(o) => !o && !busy && onClose()} title={`Download ${volume.name}`} description={`${volume.path}, copied as it is on the host. ${where} A disk a running domain writes cannot be downloaded (the copy would be torn).`} testId="download-dialog">
      <TransferBar progress={busy ? job.progress : null} testId="download-progress" />
      <EditStatus edit={job.edit} testId="download" />
      <TransferActions kind="download" busy={busy} ready onCancel={job.cancel} onClose={onClose} onStart={start} />
    </Modal>
  );
}
