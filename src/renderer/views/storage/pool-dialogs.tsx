import { useEffect, useState } from 'react';
import { nfsServerProblem, poolNameProblem, vgNameProblem, type BlockDeviceInfo } from '../../../shared/storage';
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

type Kind = 'dir' | 'lvm' | 'nfs';
const WHERE: Record<Kind, { label: string; placeholder: string; rule: (v: string) => string | null; what: string }> = {
  dir: { label: 'Directory on the host', placeholder: '/srv/xen/images', rule: absPathProblem, what: 'The directory' },
  lvm: { label: 'Volume group', placeholder: 'vg1', rule: vgNameProblem, what: 'The volume group' },
  nfs: { label: 'Mount point on the host', placeholder: '/srv/xen/nas', rule: absPathProblem, what: 'The mount point' },
};

/** NFS: the server and its export. */
function NfsFields({ server, setServer, exp, setExp }: { server: string; setServer: (v: string) => void; exp: string; setExp: (v: string) => void }) {
  return (
    <>
      <label className="field-label">
        NFS server
        <input className="input mono" value={server} onChange={(e) => setServer(e.target.value)} placeholder="nas.example.lan" data-testid="add-pool-server" />
      </label>
      <label className="field-label">
        Export
        <input className="input mono" value={exp} onChange={(e) => setExp(e.target.value)} placeholder="/srv/xen" data-testid="add-pool-export" />
      </label>
    </>
  );
}

/** Adds an existing directory or volume group as a pool, or mounts an NFS export as one. */
export function AddPoolDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [kind, setKind] = useState<Kind>('dir');
  const [name, setName] = useState('');
  const [where, setWhere] = useState('');
  const [server, setServer] = useState('');
  const [exp, setExp] = useState('');
  const [iso, setIso] = useState(false);
  const [persist, setPersist] = useState(false);
  const edit = useEdit();
  useEffect(() => edit.clear(), [open, edit.clear]);
  const w = WHERE[kind];
  const problems = [problemOf(poolNameProblem, name, 'The name'), problemOf(w.rule, where, w.what)];
  if (kind === 'nfs') problems.push(problemOf(nfsServerProblem, server, 'The server'), problemOf(absPathProblem, exp, 'The export'));
  const shown = problems.filter((p) => p !== null);
  const complete = name !== '' && where !== '' && (kind !== 'nfs' || (server !== '' && exp !== ''));
  const add = async () => {
    const pool = kind === 'dir' ? { name, kind, path: where, ...(iso ? { iso } : {}) } : kind === 'lvm' ? { name, kind, vg: where } : { name, kind, server, export: exp, path: where, ...(persist ? { persist } : {}) };
    if (await edit.run(() => xen.storage.poolAdd({ pool }), `Added ${name}.`)) onClose();
  };
  return (
    <Modal open={open} onOpenChange={(o) => !o && onClose()} title="Add a storage pool" description="A directory of image files, an LVM volume group dom0 already has, or an NFS export to mount (on an empty directory)." testId="add-pool-dialog">
      <div className="form-grid">
        <label className="field-label">
          Kind
          <select className="input" value={kind} onChange={(e) => setKind(e.target.value as Kind)} data-testid="add-pool-kind">
            <option value="dir">Directory</option>
            <option value="lvm">LVM volume group</option>
            <option value="nfs">NFS export</option>
          </select>
        </label>
        <label className="field-label">
          Name
          <input className="input" value={name} onChange={(e) => setName(e.target.value)} data-testid="add-pool-name" autoFocus />
        </label>
        {kind === 'nfs' && <NfsFields server={server} setServer={setServer} exp={exp} setExp={setExp} />}
        <label className="field-label">
          {w.label}
          <input className="input mono" value={where} onChange={(e) => setWhere(e.target.value)} placeholder={w.placeholder} data-testid="add-pool-where" />
        </label>
      </div>
      {kind === 'dir' && (
        <label className="check-row">
          <input type="checkbox" checked={iso} onChange={(e) => setIso(e.target.checked)} data-testid="add-pool-iso" /> ISO library (its ISO images are offered first)
        </label>
      )}
      {kind === 'nfs' && (
        <label className="check-row">
          <input type="checkbox" checked={persist} onChange={(e) => setPersist(e.target.checked)} data-testid="add-pool-persist" /> Mount at boot too (one line in /etc/fstab, the old file kept as /etc/fstab.xenith-bak)
        </label>
      )}
      {shown.map((p) => (
        <p key={p} className="error-text small">{p}</p>
      ))}
      <EditStatus edit={edit} testId="add-pool" />
      <Actions onClose={onClose} label={kind === 'nfs' ? 'Mount and add' : 'Add pool'} disabled={!complete || shown.length > 0 || edit.busy} onClick={() => void add()} testId="add-pool-confirm" />
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
