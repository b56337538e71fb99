import { useEffect, useState } from 'react';
import type { DiskInfo } from '../../shared/contract-types';
import { xen } from '../api/client';
import { runAction, runRestore } from '../lib/actions';
import { useDialogs } from '../lib/dialogs';
import { useDomainsStore } from '../store/domains-store';
import { errorInfo, type ErrorInfo } from '../lib/errors';
import { ErrorNote } from './ErrorNote';
import { PathField } from './FileChooser';
import { ConfirmDialog, Modal } from './Modal';
import { StartSavedDialog } from './StartSavedDialog';
import { CloneDomainDialog } from './CloneDomainDialog';
import { DEFAULT_SAVE_DIR } from '../../shared/storage';


function listNames(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * What happens to the save file's folder: nothing when it exists, made when it is Xenith's default save directory,
 * else a refusal naming it (null while asking the host).
 */
function useSaveFolder(file: string): { ok: boolean; note: string | null } | null {
  const dir = file.slice(0, file.lastIndexOf('/')) || '/';
  const [state, setState] = useState<{ dir: string; ok: boolean; note: string | null } | null>(null);
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      xen.files
        .list({ dir, filter: 'dir' })
        .then(() => live && setState({ dir, ok: true, note: null }))
        .catch((e: unknown) => {
          if (!live) return;
          const missing = errorInfo(e).code === 'NOT_FOUND';
          if (missing && dir === DEFAULT_SAVE_DIR) setState({ dir, ok: true, note: `${DEFAULT_SAVE_DIR} does not exist yet; Xenith creates it.` });
          else setState({ dir, ok: false, note: missing ? `The folder ${dir} does not exist.` : errorInfo(e).message });
        });
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [dir]);
  return state?.dir === dir ? state : null;
}

/** Asks for the save file; the domain stops once its memory is in the file. */
function SaveDialog({ name, onClose }: { name: string; onClose: () => void }) {
  const [file, setFile] = useState(`${DEFAULT_SAVE_DIR}/${name}.save`);
  const folder = useSaveFolder(file);
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={`Save ${name} to a file`} description="Xen writes the domain's memory to a new file and the domain stops. Restore brings it back where it was." testId="save-dialog">
      <PathField value={file} onChange={setFile} filter="any" startDir={DEFAULT_SAVE_DIR} label="Save file" testId="save-file" />
      {folder?.note && (
        <p className={folder.ok ? 'muted small' : 'error-text'} data-testid="save-folder-note">
          {folder.note}
        </p>
      )}
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="btn primary"
          data-testid="save-confirm"
          disabled={!file.startsWith('/') || folder?.ok === false}
          onClick={() => {
            onClose();
            void runAction('save', [name], { file });
          }}
        >
          Save
        </button>
      </div>
    </Modal>
  );
}

/** Restores a domain from a save file. */
function RestoreDialog({ onClose }: { onClose: () => void }) {
  const [file, setFile] = useState(`${DEFAULT_SAVE_DIR}/`);
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title="Restore a saved domain" description={`Choose a file written by Save; the domain resumes where it was saved. A saved state named for its domain (${DEFAULT_SAVE_DIR}/NAME.save) is deleted once that domain runs again, so it is never restored twice.`} testId="restore-dialog">
      <PathField value={file} onChange={setFile} filter="any" startDir={DEFAULT_SAVE_DIR} label="Save file" testId="restore-file" />
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="btn primary"
          data-testid="restore-confirm"
          disabled={!file.startsWith('/') || file.endsWith('/')}
          onClick={() => {
            onClose();
            void runRestore(file);
          }}
        >
          Restore
        </button>
      </div>
    </Modal>
  );
}

/** Deletes a stopped domain's config; each file disk can be deleted too, but every disk is kept unless ticked. */
function DeleteDialog({ name, onClose }: { name: string; onClose: () => void }) {
  const savedFile = useDomainsStore((s) => s.domains.find((d) => d.name === name)?.savedFile ?? null);
  const [disks, setDisks] = useState<DiskInfo[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [chosen, setChosen] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    xen.domain
      .details({ name })
      .then((d) => live && setDisks(d.disks.filter((x) => x.devtype === 'disk' && x.target !== '' && x.inConfig)))
      .catch((e: unknown) => live && setError(errorInfo(e)));
    return () => {
      live = false;
    };
  }, [name]);
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={`Delete ${name}?`} description="Its config file and autostart entry are removed. Disks are kept unless you tick them." testId="delete-dialog">
      {error && <ErrorNote error={error} testId="delete-error" />}
      {savedFile && (
        <p className="muted small" data-testid="delete-saved-note">{`Its saved state ${savedFile} stays on the host; Restore… can still bring it back.`}</p>
      )}
      {disks === null && !error && <p className="muted">Reading its disks…</p>}
      {disks && disks.length === 0 && <p className="muted">It has no file disks.</p>}
      {disks && disks.length > 0 && (
        <fieldset className="disk-choices">
          <legend>Also delete these disk images</legend>
          {disks.map((d) => (
            <label key={d.vdev} className="check-row">
              <input
                type="checkbox"
                checked={chosen.includes(d.target)}
                data-testid={`delete-disk-${d.vdev}`}
                onChange={(e) => setChosen(e.target.checked ? [...chosen, d.target] : chosen.filter((p) => p !== d.target))}
              />
              <span className="mono">{d.target}</span>
              <span className="muted">{d.vdev}</span>
            </label>
          ))}
        </fieldset>
      )}
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose} autoFocus data-testid="delete-cancel">
          Cancel
        </button>
        <button
          type="button"
          className="btn danger-solid"
          data-testid="delete-confirm"
          onClick={() => {
            onClose();
            void runAction('delete', [name], { disks: chosen });
          }}
        >
          {chosen.length ? `Delete domain and ${chosen.length} disk${chosen.length > 1 ? 's' : ''}` : 'Delete domain, keep disks'}
        </button>
      </div>
    </Modal>
  );
}

/** The action dialogs, mounted once; which one is open lives in useDialogs. */
export function ActionDialogs() {
  const action = useDialogs((s) => s.action);
  const names = useDialogs((s) => s.names);
  const close = useDialogs((s) => s.close);
  const first = names[0] ?? '';
  if (action === 'destroy')
    return (
      <ConfirmDialog
        open
        onOpenChange={(o) => !o && close()}
        title={`Force off ${listNames(names)}?`}
        description="Like pulling the power cord: the guest gets no chance to save its work. Use Shut down when the guest responds."
        confirmLabel="Force off"
        onConfirm={() => void runAction('destroy', names)}
        testId="destroy-dialog"
      />
    );
  if (action === 'save' && first) return <SaveDialog name={first} onClose={close} />;
  if (action === 'delete' && first) return <DeleteDialog name={first} onClose={close} />;
  if (action === 'clone' && first) return <CloneDomainDialog name={first} onClose={close} />;
  if (action === 'restore') return <RestoreDialog onClose={close} />;
  if (action === 'start-saved') return <StartSavedDialog names={names} onClose={close} />;
  return null;
}
