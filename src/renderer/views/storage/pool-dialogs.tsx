import { useEffect, useState } from 'react';
import { poolNameProblem, vgNameProblem, type BlockDeviceInfo } from '../../../shared/storage';
import { absPathProblem } from '../../../shared/rules';
import { xen } from '../../api/client';
import { EditStatus } from '../../components/EditStatus';
import { Modal } from '../../components/Modal';
import { formatBytes } from '../../lib/format';
import { useEdit, type EditState } from '../../lib/use-domain';

/** Cancel and the dialog's main button. */
function Actions({ onClose, label, disabled, onClick, testId }: { onClose: () => void; label: string; disabled: boolean; onClick: () => void; testId: string }) {
  return (
    <div className="modal-actions">
      <button type="button" className="btn" onClick={onClose}>
        Cancel
      </button>
      <button type="button" className="btn primary" disabled={disabled} onClick={onClick} data-testid={testId}>
        {label}
      </button>
    </div>
  );
}

const problemOf = (rule: (v: string) => string | null, v: string, what: string): string | null => (v === '' ? null : rule(v) === null ? null : `${what} ${rule(v)}`);

/** Adds an existing directory or volume group as a pool. */
export function AddPoolDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [kind, setKind] = useState<'dir' | 'lvm'>('dir');
  const [name, setName] = useState('');
  const [where, setWhere] = useState('');
  const edit = useEdit();
  useEffect(() => edit.clear(), [open, edit.clear]);
  const problems = [problemOf(poolNameProblem, name, 'The name'), problemOf(kind === 'dir' ? absPathProblem : vgNameProblem, where, kind === 'dir' ? 'The directory' : 'The volume group')].filter((p) => p !== null);
  const add = async () => {
    const pool = kind === 'dir' ? { name, kind, path: where } : { name, kind, vg: where };
    if (await edit.run(() => xen.storage.poolAdd({ pool }), `Added ${name}.`)) onClose();
  };
  return (
    <Modal open={open} onOpenChange={(o) => !o && onClose()} title="Add a storage pool" description="A directory of image files, or an LVM volume group dom0 already has. Nothing on disk changes." testId="add-pool-dialog">
      <div className="form-grid">
        <label className="field-label">
          Kind
          <select className="input" value={kind} onChange={(e) => setKind(e.target.value as 'dir' | 'lvm')} data-testid="add-pool-kind">
            <option value="dir">Directory</option>
            <option value="lvm">LVM volume group</option>
          </select>
        </label>
        <label className="field-label">
          Name
          <input className="input" value={name} onChange={(e) => setName(e.target.value)} data-testid="add-pool-name" autoFocus />
        </label>
        <label className="field-label">
          {kind === 'dir' ? 'Directory on the host' : 'Volume group'}
          <input className="input mono" value={where} onChange={(e) => setWhere(e.target.value)} placeholder={kind === 'dir' ? '/srv/xen/images' : 'vg1'} data-testid="add-pool-where" />
        </label>
      </div>
      {problems.map((p) => (
        <p key={p} className="error-text small">{p}</p>
      ))}
      <EditStatus edit={edit} testId="add-pool" />
      <Actions onClose={onClose} label="Add pool" disabled={name === '' || where === '' || problems.length > 0 || edit.busy} onClick={() => void add()} testId="add-pool-confirm" />
    </Modal>
  );
}

/** dom0's disks, the unusable ones greyed out with the reason. */
function DeviceChoice({ devices, value, onChange }: { devices: readonly BlockDeviceInfo[]; value: string; onChange: (v: string) => void }) {
  return (
    <label className="field-label">
      Disk
      <select className="input" value={value} onChange={(e) => onChange(e.target.value)} data-testid="new-vg-device">
        <option value="">Choose an empty disk…</option>
        {devices.map((d) => (
          <option key={d.path} value={d.path} disabled={d.inUse !== null}>
            {`${d.path} · ${formatBytes(d.sizeBytes)}${d.model ? ` · ${d.model}` : ''}${d.inUse !== null ? ` — not usable: ${d.inUse}` : ''}`}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Makes a volume group on an empty disk and adds it as a pool, after a confirmation naming the disk and its size. */
export function NewVgDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [devices, setDevices] = useState<BlockDeviceInfo[] | null>(null);
  const [device, setDevice] = useState('');
  const [vg, setVg] = useState('');
  const [confirming, setConfirming] = useState(false);
  const edit = useEdit();
  useEffect(() => {
    if (!open) return;
    setConfirming(false);
    edit.clear();
    void edit.run(async () => setDevices(await xen.storage.devices()), '');
  }, [open, edit.clear, edit.run]);
  const dev = devices?.find((d) => d.path === device);
  const problem = problemOf(vgNameProblem, vg, 'The name');
  return (
    <Modal open={open} onOpenChange={(o) => !o && onClose()} title="New LVM volume group" description="Turns an empty disk into a volume group and adds it as a pool. Everything on that disk is lost." testId="new-vg-dialog">
      <DeviceChoice devices={devices ?? []} value={device} onChange={setDevice} />
      <label className="field-label">
        Volume group name (also the pool's)
        <input className="input" value={vg} onChange={(e) => setVg(e.target.value)} placeholder="vg1" data-testid="new-vg-name" />
      </label>
      {problem !== null && <p className="error-text small">{problem}</p>}
      {confirming && dev && <p className="warn-text" data-testid="new-vg-warning">{`Erase ${dev.path} (${formatBytes(dev.sizeBytes)}${dev.model ? `, ${dev.model}` : ''}) and make volume group ${vg} on it?`}</p>}
      <VgStatus edit={edit} />
      <Actions
        onClose={onClose}
        label={confirming ? `Erase ${device} and create` : 'Create…'}
        disabled={!dev || vg === '' || problem !== null || edit.busy}
        onClick={() => (confirming ? void create(edit, { device, vg, pool: vg }, onClose) : setConfirming(true))}
        testId="new-vg-confirm"
      />
    </Modal>
  );
}

function VgStatus({ edit }: { edit: EditState }) {
  return edit.done === '' ? null : <EditStatus edit={edit} testId="new-vg" />;
}

async function create(edit: EditState, a: { device: string; vg: string; pool: string }, onClose: () => void): Promise<void> {
  if (await edit.run(() => xen.storage.vgCreate(a), `Created ${a.vg}.`)) onClose();
}
