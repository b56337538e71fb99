import { useEffect, useState } from 'react';
import type { ApplyMode } from '../../../shared/schemas';
import { xen } from '../../api/client';
import { APPLY_WORDS, ApplyChoice, defaultApply } from '../../components/ApplyChoice';
import { EditStatus } from '../../components/EditStatus';
import { PathField } from '../../components/FileChooser';
import { ConfirmDialog } from '../../components/Modal';
import { formatBytes } from '../../lib/format';
import { useEdit } from '../../lib/use-domain';
import { nextVdev } from '../../lib/vdev';
import { detachApply, isRunning, placeWords, type TabProps } from './tab-props';

const IMAGE_DIR = '/var/lib/xen/images';
type Format = 'raw' | 'qcow2' | 'vhd' | 'qcow';

/** Disks: what the config and the running domain have; attach new or existing images; detach; CD insert and eject. */
export function DisksTab({ name, summary, data }: TabProps) {
  const running = isRunning(summary);
  const disks = data.details?.disks ?? [];
  const edit = useEdit();
  const cd = useEdit();
  const [mode, setMode] = useState<'new' | 'existing'>('new');
  const [path, setPath] = useState('');
  const [format, setFormat] = useState<Format>('raw');
  const [vdev, setVdev] = useState('xvdb');
  const [access, setAccess] = useState<'rw' | 'ro'>('rw');
  const [devtype, setDevtype] = useState<'disk' | 'cdrom'>('disk');
  const [sizeGiB, setSizeGiB] = useState(10);
  const [apply, setApply] = useState<ApplyMode>(defaultApply(running));
  const [detach, setDetach] = useState<{ vdev: string; apply: ApplyMode } | null>(null);
  const [media, setMedia] = useState<Record<string, string>>({});
  const used = disks.map((d) => d.vdev);
  const usedKey = used.join(',');
  useEffect(() => {
    const v = nextVdev(used, summary?.type === 'hvm' ? 'xvd' : 'xvd');
    setVdev(v);
    setPath((p) => (p === '' || p.startsWith(`${IMAGE_DIR}/${name}-`) ? `${IMAGE_DIR}/${name}-${v}.img` : p));
  }, [usedKey, name]); // recompute only when the set of devices changes
  useEffect(() => setApply(defaultApply(running)), [running]);
  const vdevOk = /^(xvd|hd|sd)[a-z]{1,2}[0-9]{0,2}$/.test(vdev) && !used.includes(vdev);
  const pathOk = /^\/[^"'\\,=]+$/.test(path) && !path.split('/').includes('..');
  const sizeOk = mode === 'existing' || (sizeGiB >= 0.01 && sizeGiB <= 65536);
  const attach = () => {
    const disk = { target: path, format, vdev, access, ...(devtype === 'cdrom' ? { devtype } : {}) };
    void edit.run(
      () => (mode === 'new' ? xen.domain.createDisk({ name, disk, sizeGiB, apply }) : xen.domain.attachDisk({ name, disk, apply })),
      `${vdev} attached: ${APPLY_WORDS[apply].toLowerCase()}.`,
    );
  };
  return (
    <div className="tab-body">
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
              <tr key={d.vdev} data-testid={`disk-row-${d.vdev}`}>
                <td>
                  {d.vdev}
                  {d.devtype === 'cdrom' && <span className="tag">CD</span>}
                </td>
                <td className="mono wrap">{d.target || (d.devtype === 'cdrom' ? '(empty drive)' : '—')}</td>
                <td>{d.format}</td>
                <td>{d.access === 'rw' ? 'read/write' : 'read-only'}</td>
                <td>{d.sizeBytes === null ? '—' : formatBytes(d.sizeBytes)}</td>
                <td>{d.allocatedBytes === null ? '—' : formatBytes(d.allocatedBytes)}</td>
                <td>{placeWords(d)}</td>
                <td className="actions-cell">
                  {d.devtype === 'cdrom' && running && (
                    <>
                      <PathField
                        value={media[d.vdev] ?? ''}
                        onChange={(v) => setMedia({ ...media, [d.vdev]: v })}
                        filter="iso"
                        startDir="/var/lib/xen/iso"
                        label="Medium"
                        testId={`cd-path-${d.vdev}`}
                      />
                      <button
                        type="button"
                        className="btn"
                        disabled={cd.busy || !(media[d.vdev] ?? '').startsWith('/')}
                        data-testid={`cd-insert-${d.vdev}`}
                        onClick={() => void cd.run(() => xen.domain.cdInsert({ name, vdev: d.vdev, file: media[d.vdev] ?? '' }), `Medium inserted in ${d.vdev} (now).`)}
                      >
                        Insert
                      </button>
                      <button type="button" className="btn" disabled={cd.busy || d.target === ''} data-testid={`cd-eject-${d.vdev}`} onClick={() => void cd.run(() => xen.domain.cdEject({ name, vdev: d.vdev }), `${d.vdev} ejected (now).`)}>
                        Eject
                      </button>
                    </>
                  )}
                  <button type="button" className="btn danger" data-testid={`disk-detach-${d.vdev}`} onClick={() => setDetach({ vdev: d.vdev, apply: detachApply(d) })}>
                    Detach…
                  </button>
                </td>
              </tr>
            ))}
            {disks.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  {data.details ? 'No disks.' : 'Loading…'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <EditStatus edit={cd} testId="cd" />
      </section>
      <section className="card">
        <h2>Add a disk</h2>
        <div className="row-gap" role="radiogroup" aria-label="New or existing image">
          <label className="check-row">
            <input type="radio" name="disk-mode" checked={mode === 'new'} onChange={() => setMode('new')} data-testid="disk-mode-new" />
            Create a new image
          </label>
          <label className="check-row">
            <input type="radio" name="disk-mode" checked={mode === 'existing'} onChange={() => setMode('existing')} data-testid="disk-mode-existing" />
            Use an existing image or device
          </label>
        </div>
        <div className="form-grid">
          <PathField value={path} onChange={setPath} filter="image" startDir={IMAGE_DIR} label={mode === 'new' ? 'New image file (never overwritten)' : 'Image or device'} testId="disk-path" />
          <label className="field-label">
            Format
            <select className="input" value={format} onChange={(e) => setFormat(e.target.value as Format)} data-testid="disk-format">
              <option value="raw">raw</option>
              <option value="qcow2">qcow2</option>
              {mode === 'existing' && <option value="vhd">vhd</option>}
              {mode === 'existing' && <option value="qcow">qcow</option>}
            </select>
          </label>
          <label className="field-label">
            Device
            <input className="input mono" value={vdev} onChange={(e) => setVdev(e.target.value)} aria-invalid={!vdevOk} data-testid="disk-vdev" />
          </label>
          <label className="field-label">
            Access
            <select className="input" value={access} onChange={(e) => setAccess(e.target.value as 'rw' | 'ro')} data-testid="disk-access">
              <option value="rw">read/write</option>
              <option value="ro">read-only</option>
            </select>
          </label>
          <label className="field-label">
            Kind
            <select className="input" value={devtype} onChange={(e) => setDevtype(e.target.value as 'disk' | 'cdrom')} data-testid="disk-devtype">
              <option value="disk">disk</option>
              <option value="cdrom">CD-ROM</option>
            </select>
          </label>
          {mode === 'new' && (
            <label className="field-label">
              Size (GiB, sparse)
              <input type="number" className="input num" min={0.01} step={1} value={sizeGiB} onChange={(e) => setSizeGiB(Number(e.target.value))} aria-invalid={!sizeOk} data-testid="disk-size" />
            </label>
          )}
        </div>
        <ApplyChoice value={apply} onChange={setApply} running={running} testId="disk-apply" />
        <div className="row-gap">
          <button type="button" className="btn primary" disabled={edit.busy || !vdevOk || !pathOk || !sizeOk} onClick={attach} data-testid="disk-attach">
            {mode === 'new' ? 'Create and attach' : 'Attach'}
          </button>
          {!vdevOk && <span className="error-text small">{used.includes(vdev) ? `${vdev} is taken.` : 'Device must look like xvdb, hdc or sdb.'}</span>}
          {!pathOk && <span className="error-text small">An absolute path without quotes, commas or “..”.</span>}
          <EditStatus edit={edit} testId="disk-attach" />
        </div>
      </section>
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
