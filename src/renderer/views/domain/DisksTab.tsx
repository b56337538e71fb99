import { useEffect, useState, type ReactNode } from 'react';
import type { DiskInfo } from '../../../shared/contract-types';
import type { DomainSummary } from '../../../shared/dto';
import type { ApplyMode } from '../../../shared/schemas';
import { xen } from '../../api/client';
import { APPLY_WORDS, ApplyChoice, defaultApply } from '../../components/ApplyChoice';
import { EditStatus } from '../../components/EditStatus';
import { useStorage } from '../storage/use-storage';
import { ExistingVolume, NewDiskPool } from './disk-pools';
import { IsoPicker } from '../../components/IsoPicker';
import { PathField } from '../../components/FileChooser';
import { ConfirmDialog } from '../../components/Modal';
import { FieldProblems } from '../../components/FieldProblems';
import { formatBytes } from '../../lib/format';
import { useEdit, type EditState } from '../../lib/use-domain';
import { nextVdev } from '../../lib/vdev';
import { detachApply, isRunning, placeWords, type TabProps } from './tab-props';
import { DEFAULT_IMAGE_DIR } from '../../../shared/storage';

type Format = 'raw' | 'qcow2' | 'vhd' | 'qcow';

type Detach = { vdev: string; apply: ApplyMode };

interface CdControlsProps {
  name: string;
  d: DiskInfo;
  medium: string;
  onMedium: (path: string) => void;
  cd: EditState;
}

/** A running domain's CD drive: choose a medium and insert it, or eject the one inside. */
function CdControls({ name, d, medium, onMedium, cd }: CdControlsProps) {
  return (
    <>
      <IsoPicker value={medium} onPick={onMedium} testId={`cd-library-${d.vdev}`} />
      <PathField value={medium} onChange={onMedium} filter="iso" startDir="/var/lib/xen/iso" label="Medium" testId={`cd-path-${d.vdev}`} />
      <button
        type="button"
        className="btn"
        disabled={cd.busy || !medium.startsWith('/')}
        data-testid={`cd-insert-${d.vdev}`}
        onClick={() => void cd.run(() => xen.domain.cdInsert({ name, vdev: d.vdev, file: medium }), `Medium inserted in ${d.vdev} (now).`)}
      >
        Insert
      </button>
      <button
        type="button"
        className="btn"
        disabled={cd.busy || inDrive(d) === ''}
        title={inDrive(d) === '' ? 'The drive is empty.' : undefined}
        data-testid={`cd-eject-${d.vdev}`}
        onClick={() => void cd.run(() => xen.domain.cdEject({ name, vdev: d.vdev }), `${d.vdev} ejected (now).`)}
      >
        Eject
      </button>
    </>
  );
}

/** What a drive holds: a running CD drive's medium as the backend has it (cd-insert/cd-eject), else the config's target. */
function inDrive(d: DiskInfo): string {
  return d.medium ?? d.target;
}

/** The path cell: what is in the drive now and, when the config inserts something else at the next start, that too. */
function DiskPath({ d }: { d: DiskInfo }) {
  const now = inDrive(d);
  const differs = d.medium !== null && d.inConfig && d.medium !== d.target;
  return (
    <>
      <span data-testid={`disk-path-${d.vdev}`}>{now || (d.devtype !== 'cdrom' ? '—' : d.medium === '' ? 'Empty now (no medium)' : '(empty drive)')}</span>
      {differs && (
        <span className="muted small block" data-testid={`disk-next-${d.vdev}`}>
          {d.target === '' ? 'The config starts the drive empty at next start.' : `The config inserts ${d.target} at next start.`}
        </span>
      )}
    </>
  );
}

/** One disk: device, path, format, mode, sizes, where it is present; `cdControls` (a running CD drive's) and Detach. */
function DiskRow({ d, cdControls, onDetach }: { d: DiskInfo; cdControls: ReactNode; onDetach: (detach: Detach) => void }) {
  return (
    <>
      <tr data-testid={`disk-row-${d.vdev}`} className={cdControls ? 'has-sub-row' : undefined}>
        <td>
          {d.vdev}
          {d.devtype === 'cdrom' && <span className="tag">CD</span>}
        </td>
        <td className="mono wrap">
          <DiskPath d={d} />
          <FieldProblems problems={d.problems} testId={`disk-problems-${d.vdev}`} />
        </td>
        <td>{d.format}</td>
        <td>{d.access === 'rw' ? 'read/write' : 'read-only'}</td>
        <td>{d.sizeBytes === null ? '—' : formatBytes(d.sizeBytes)}</td>
        <td>{d.allocatedBytes === null ? '—' : formatBytes(d.allocatedBytes)}</td>
        <td>{placeWords(d)}</td>
        <td>
          <button type="button" className="btn danger" data-testid={`disk-detach-${d.vdev}`} onClick={() => onDetach({ vdev: d.vdev, apply: detachApply(d) })}>
            Detach…
          </button>
        </td>
      </tr>
      {cdControls && (
        // The drive's controls under its row, across the table: beside it they squeezed the paths to a letter a line.
        <tr className="sub-row" data-testid={`disk-cd-row-${d.vdev}`}>
          <td />
          <td colSpan={7}>
            <div className="cd-controls">{cdControls}</div>
          </td>
        </tr>
      )}
    </>
  );
}

interface DiskListCardProps {
  name: string;
  disks: DiskInfo[];
  loaded: boolean;
  running: boolean;
  onDetach: (detach: Detach) => void;
}

/** The table of disks, with CD insert and eject on a running domain. */
function DiskListCard({ name, disks, loaded, running, onDetach }: DiskListCardProps) {
  const cd = useEdit();
  const [media, setMedia] = useState<Record<string, string>>({});
  return (
    <section className="card">
      <h2>Disks</h2>
      <table className="table" data-testid="disk-table">
        <thead>
          <tr>
            <th>Device</th>
            <th>Path on host</th>
            <th>Format</th>
            <th>Mode</th>
            <th>Size</th>
            <th>Allocated</th>
            <th>Present</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {disks.map((d) => (
            <DiskRow
              key={d.vdev}
              d={d}
              onDetach={onDetach}
              cdControls={d.devtype === 'cdrom' && running ? <CdControls name={name} d={d} medium={media[d.vdev] ?? (d.medium === '' ? d.target : '')} onMedium={(v) => setMedia({ ...media, [d.vdev]: v })} cd={cd} /> : null}
            />
          ))}
          {disks.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                {loaded ? 'No disks.' : 'Loading…'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <EditStatus edit={cd} testId="cd" />
    </section>
  );
}

/** The add-a-disk form: its fields, their checks, and the next free device (and image path) whenever the set of devices changes. */
function useAddDiskForm(name: string, summary: DomainSummary | undefined, used: string[], running: boolean) {
  const [mode, setMode] = useState<'new' | 'existing'>('new');
  const [path, setPath] = useState('');
  const [format, setFormat] = useState<Format>('raw');
  const [vdev, setVdev] = useState('xvdb');
  const [access, setAccess] = useState<'rw' | 'ro'>('rw');
  const [devtype, setDevtype] = useState<'disk' | 'cdrom'>('disk');
  const [sizeGiB, setSizeGiB] = useState(10);
  const [apply, setApply] = useState<ApplyMode>(defaultApply(running));
  const usedKey = used.join(',');
  useEffect(() => {
    const v = nextVdev(used, 'xvd', summary?.type === 'hvm');
    setVdev(v);
    // A path Xenith derived (NAME-VDEV in any pool, .img for files) follows the next free device; a typed one stays.
    const derived = new RegExp(`^(.*/)${name.replace(/[.+-]/g, '\\$&')}-[a-z]+(\\.img)?$`);
    setPath((p) => {
      const m = derived.exec(p);
      return p === '' ? `${DEFAULT_IMAGE_DIR}/${name}-${v}.img` : m ? `${m[1] ?? ''}${name}-${v}${m[2] ?? ''}` : p;
    });
  }, [usedKey, name]); // recompute only when the set of devices changes
  useEffect(() => setApply(defaultApply(running)), [running]);
  const vdevOk = /^(xvd|hd|sd)[a-z]{1,2}[0-9]{0,2}$/.test(vdev) && !used.includes(vdev);
  const pathOk = /^\/[^"'\\,=]+$/.test(path) && !path.split('/').includes('..');
  const sizeOk = mode === 'existing' || (sizeGiB >= 0.01 && sizeGiB <= 65536);
  return { mode, setMode, path, setPath, format, setFormat, vdev, setVdev, access, setAccess, devtype, setDevtype, sizeGiB, setSizeGiB, apply, setApply, vdevOk, pathOk, sizeOk };
}

type AddDiskForm = ReturnType<typeof useAddDiskForm>;

/** The image, format, device, access, kind and (for a new image) size of the disk to add. */
function DiskFields({ f, name }: { f: AddDiskForm; name: string }) {
  // The pools and volumes as the Storage page has them (refetched when storage or the domains change).
  const storage = useStorage().data;
  return (
    <div className="form-grid">
      {f.mode === 'new' ? (
        <NewDiskPool storage={storage} path={f.path} onPath={f.setPath} name={name} vdev={f.vdev} testId="disk-pool" />
      ) : (
        <ExistingVolume storage={storage} path={f.path} onPath={f.setPath} self={name} testId="disk-volume" />
      )}
      <PathField value={f.path} onChange={f.setPath} filter="image" startDir={DEFAULT_IMAGE_DIR} label={f.mode === 'new' ? 'New image file (never overwritten)' : 'Image or device'} testId="disk-path" />
      <label className="field-label">
        Format
        <select className="input" value={f.format} onChange={(e) => f.setFormat(e.target.value as Format)} data-testid="disk-format">
          <option value="raw">raw</option>
          <option value="qcow2">qcow2</option>
          {f.mode === 'existing' && <option value="vhd">vhd</option>}
          {f.mode === 'existing' && <option value="qcow">qcow</option>}
        </select>
      </label>
      <label className="field-label">
        Device
        <input className="input mono" value={f.vdev} onChange={(e) => f.setVdev(e.target.value)} aria-invalid={!f.vdevOk} data-testid="disk-vdev" />
      </label>
      <label className="field-label">
        Access
        <select className="input" value={f.access} onChange={(e) => f.setAccess(e.target.value as 'rw' | 'ro')} data-testid="disk-access">
          <option value="rw">read/write</option>
          <option value="ro">read-only</option>
        </select>
      </label>
      <label className="field-label">
        Kind
        <select className="input" value={f.devtype} onChange={(e) => f.setDevtype(e.target.value as 'disk' | 'cdrom')} data-testid="disk-devtype">
          <option value="disk">disk</option>
          <option value="cdrom">CD-ROM</option>
        </select>
      </label>
      {f.mode === 'new' && (
        <label className="field-label">
          Size (GiB, sparse)
          <input type="number" className="input num" min={0.01} step={1} value={f.sizeGiB} onChange={(e) => f.setSizeGiB(Number(e.target.value))} aria-invalid={!f.sizeOk} data-testid="disk-size" />
        </label>
      )}
    </div>
  );
}

interface AddDiskCardProps {
  name: string;
  summary: DomainSummary | undefined;
  /** The devices the domain has (config or running). */
  used: string[];
  running: boolean;
  edit: EditState;
}

/** Create a new image or take an existing one, and attach it now and/or in the config. */
function AddDiskCard({ name, summary, used, running, edit }: AddDiskCardProps) {
  const f = useAddDiskForm(name, summary, used, running);
  const { mode, vdev, apply } = f;
  const attach = () => {
    const disk = { target: f.path, format: f.format, vdev, access: f.access, ...(f.devtype === 'cdrom' ? { devtype: f.devtype } : {}) };
    void edit.run(
      () => (mode === 'new' ? xen.domain.createDisk({ name, disk, sizeGiB: f.sizeGiB, apply }) : xen.domain.attachDisk({ name, disk, apply })),
      `${vdev} attached: ${APPLY_WORDS[apply].toLowerCase()}.`,
    );
  };
  return (
    <section className="card">
      <h2>Add a disk</h2>
      <div className="row-gap" role="radiogroup" aria-label="New or existing image">
        <label className="check-row">
          <input type="radio" name="disk-mode" checked={mode === 'new'} onChange={() => f.setMode('new')} data-testid="disk-mode-new" />
          Create a new image
        </label>
        <label className="check-row">
          <input type="radio" name="disk-mode" checked={mode === 'existing'} onChange={() => f.setMode('existing')} data-testid="disk-mode-existing" />
          Use an existing image or device
        </label>
      </div>
      <DiskFields f={f} name={name} />
      <ApplyChoice value={apply} onChange={f.setApply} running={running} testId="disk-apply" />
      <div className="row-gap">
        <button type="button" className="btn primary" disabled={edit.busy || !f.vdevOk || !f.pathOk || !f.sizeOk} onClick={attach} data-testid="disk-attach">
          {mode === 'new' ? 'Create and attach' : 'Attach'}
        </button>
        {!f.vdevOk && <span className="error-text small">{used.includes(vdev) ? `${vdev} is taken.` : 'Device must look like xvdb, hdc or sdb.'}</span>}
        {!f.pathOk && <span className="error-text small">An absolute path without quotes, commas or “..”.</span>}
        <EditStatus edit={edit} testId="disk-attach" />
      </div>
    </section>
  );
}

/** Disks: what the config and the running domain have; attach new or existing images; detach; CD insert and eject. */
export function DisksTab({ name, summary, data }: TabProps) {
  const running = isRunning(summary);
  const disks = data.details?.disks ?? [];
  const edit = useEdit();
  const [detach, setDetach] = useState<Detach | null>(null);
  return (
    <div className="tab-body">
      <DiskListCard name={name} disks={disks} loaded={data.details !== null} running={running} onDetach={setDetach} />
      <AddDiskCard name={name} summary={summary} used={disks.map((d) => d.vdev)} running={running} edit={edit} />
      {detach && (
        <ConfirmDialog
          open
          onOpenChange={(o) => !o && setDetach(null)}
          title={`Detach ${detach.vdev}?`}
          description={`The image file stays on the host. ${APPLY_WORDS[detach.apply]}. A live detach needs the guest to release the device.`}
          confirmLabel="Detach"
          testId="detach-dialog"
          onConfirm={() => {
            const d = detach;
            void edit.run(() => xen.domain.detachDisk({ name, vdev: d.vdev, apply: d.apply }), `${d.vdev} detached: ${APPLY_WORDS[d.apply].toLowerCase()}.`);
          }}
        />
      )}
    </div>
  );
}
