import { useState } from 'react';
import { runAction } from '../lib/actions';
import { useDomainsStore } from '../store/domains-store';
import { Modal } from './Modal';

type Choice = 'restore' | 'discard';

/**
 * Start on a domain with a saved state: restore it (the default) or start fresh, which says plainly that the saved
 * memory is deleted. Domains of the selection without a saved state start from their configs as usual.
 */
export function StartSavedDialog({ names, onClose }: { names: readonly string[]; onClose: () => void }) {
  const domains = useDomainsStore((s) => s.domains);
  const [choice, setChoice] = useState<Choice>('restore');
  const saved = domains.filter((d) => names.includes(d.name) && d.state === 'stopped' && d.savedFile !== null);
  const plain = names.filter((n) => !saved.some((d) => d.name === n));
  const one = saved.length === 1 ? saved[0] : undefined;
  const title = one ? `Start ${one.name}` : `Start ${names.length} domains`;
  const what = one ? `${one.name} was saved to ${one.savedFile ?? ''}: its memory, every program as it was, is in that file.` : `${saved.map((d) => d.name).join(', ')} have saved states in ${saved[0]?.savedFile?.replace(/\/[^/]*$/, '') ?? ''}.`;
  const start = () => {
    onClose();
    if (plain.length > 0) void runAction('start', plain);
    void runAction('start', saved.map((d) => d.name), { saved: choice });
  };
  return (
    <Modal open onOpenChange={(o) => !o && onClose()} title={title} description={what} testId="start-saved-dialog">
      <div className="choice-list" role="radiogroup" aria-label="What to do with the saved state">
        <label className="check-row align-start">
          <input type="radio" name="saved-choice" checked={choice === 'restore'} onChange={() => setChoice('restore')} data-testid="start-saved-restore" />
          <span>
            <strong>Restore saved state</strong>
            <span className="muted small block">It carries on where it was saved. The file is deleted once it runs again: restoring the same memory twice, over disks it has written since, would corrupt them.</span>
          </span>
        </label>
        <label className="check-row align-start">
          <input type="radio" name="saved-choice" checked={choice === 'discard'} onChange={() => setChoice('discard')} data-testid="start-saved-discard" />
          <span>
            <strong>Start fresh (discard saved state)</strong>
            <span className="muted small block">It boots from its disks as after a power cut. The saved memory is deleted: anything the guest had not written to disk is lost.</span>
          </span>
        </label>
      </div>
      {plain.length > 0 && <p className="muted small">{`${plain.join(', ')} ${plain.length === 1 ? 'has' : 'have'} no saved state and start${plain.length === 1 ? 's' : ''} from ${plain.length === 1 ? 'its config' : 'their configs'}.`}</p>}
      <div className="modal-actions">
        <button type="button" className="btn" onClick={onClose} data-testid="start-saved-cancel">
          Cancel
        </button>
        <button type="button" className={choice === 'restore' ? 'btn primary' : 'btn danger-solid'} onClick={start} data-testid="start-saved-confirm">
          {choice === 'restore' ? 'Restore' : saved.length === 1 ? 'Delete saved state and start fresh' : 'Delete saved states and start fresh'}
        </button>
      </div>
    </Modal>
  );
}
