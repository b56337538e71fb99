import { useEffect, useState } from 'react';
import { xen } from '../../api/client';
import { PathField } from '../../components/FileChooser';
import { formatBytes } from '../../lib/format';
import { diskFileName, freshMac, newDisk, newKey, type DiskDraft, type Draft } from './draft';
import { Field, FieldError, invalidProps } from './field';
import type { StepProps } from './steps-basic';

/** Free bytes in `dir` on the host (main asks the host; null while unknown or when the directory is missing). */
function useFreeBytes(dir: string): number | null | 'missing' {
  const [free, setFree] = useState<number | null | 'missing'>(null);
  useEffect(() => {
    if (!dir.startsWith('/')) {
      setFree('missing');
      return;
    }
    let live = true;
    setFree(null);
    xen.files
      .list({ dir: dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir, filter: 'dir' })
      .then((l) => live && setFree(l.freeBytes))
      .catch(() => live && setFree('missing'));
    return () => {
      live = false;
    };
  }, [dir]);
  return free;
}

function FreeSpace({ dir }: { dir: string }) {
  const free = useFreeBytes(dir);
  if (free === 'missing') return <span className="warn-text small">The directory cannot be read on the host.</span>;
  if (free === null) return <span className="muted small">…</span>;
  return <span className="muted small" data-testid="wiz-free">{`${formatBytes(free)} free in ${dir}`}</span>;
}

/** What the parts of a disk card share: the disk, where it sits, and a way to change it. */
interface DiskPartProps {
  disk: DiskDraft;
  index: number;
  draft: Draft;
  opts: StepProps['opts'];
  problems: StepProps['problems'];
  patch: (p: Partial<DiskDraft>) => void;
  tid: string;
}

/** The plan field `sub` of disk `index` ("disks[1].path"). */
function diskField(index: number, sub: string): string {
  return `disks[${index}].${sub}`;
}

/** Which storage pool a new disk goes in: picking one sets its directory (or /dev/VG) and, for LVM, raw. */
function PoolChoice({ disk, index, draft, opts, patch, tid }: DiskPartProps) {
  if (opts.pools.length === 0) return null;
  const current = opts.pools.find((p) => p.dir === disk.dir);
  const pick = (name: string): void => {
    const p = opts.pools.find((x) => x.name === name);
    if (!p) return;
    const format = p.kind === 'lvm' ? 'raw' : disk.format;
    patch({ dir: p.dir, format, ...(disk.fileTouched ? {} : { file: diskFileName(draft.name, index, disk.vdev, format, p.dir) }) });
  };
  return (
    <label className="field-label">
      Storage pool
      <select className="input" value={current?.name ?? ''} onChange={(e) => pick(e.target.value)} data-testid={`${tid}-pool`}>
        {current === undefined && <option value="">another directory</option>}
        {opts.pools.map((p) => (
          <option key={p.name} value={p.name}>
            {p.kind === 'lvm' ? `${p.name} · LVM ${p.dir}${p.thin ? ', thin' : ''}${p.freeBytes !== null ? ` · ${formatBytes(p.freeBytes)} free` : ''}` : `${p.name} · ${p.dir}`}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A new image: pool or directory (with its free space), file name, size, format and device. */
function NewDiskFields(props: DiskPartProps) {
  const { disk, index, draft, opts, problems, patch, tid } = props;
  const f = (sub: string): string => diskField(index, sub);
  const lvm = disk.dir.startsWith('/dev/');
  return (
    <>
      <div className="wiz-row">
        <PoolChoice {...props} />
        {!lvm && (
          <div className="wiz-field grow">
            <PathField value={disk.dir} onChange={(v) => patch({ dir: v })} filter="dir" startDir={opts.imageDir} label="Directory" testId={`${tid}-dir`} />
            <FreeSpace dir={disk.dir} />
          </div>
        )}
        <Field label={lvm ? 'Logical volume name (never overwritten)' : 'File name (never overwritten)'} field={f('path')} problems={problems}>
          <input className="input mono" value={disk.file} onChange={(e) => patch({ file: e.target.value, fileTouched: true })} spellCheck={false} data-testid={`${tid}-file`} {...invalidProps(problems, f('path'))} />
        </Field>
      </div>
      <div className="wiz-grid">
        <Field label="Size (GiB)" field={f('sizeGiB')} problems={problems}>
          <input className="input num" inputMode="decimal" value={disk.sizeGiB} onChange={(e) => patch({ sizeGiB: e.target.value })} data-testid={`${tid}-size`} {...invalidProps(problems, f('sizeGiB'))} />
        </Field>
        <Field label="Format" field={f('format')} problems={problems} hint={opts.qemuImg ? undefined : 'qcow2 needs qemu-img, which this host does not have.'}>
          <select
            className="input"
            value={disk.format}
            onChange={(e) => patch({ format: e.target.value as DiskDraft['format'], ...(disk.fileTouched ? {} : { file: diskFileName(draft.name, index, disk.vdev, e.target.value as DiskDraft['format'], disk.dir) }) })}
            data-testid={`${tid}-format`}
          >
            <option value="raw">raw (sparse)</option>
            <option value="qcow2" disabled={!opts.qemuImg || lvm}>
              qcow2 (qemu-img)
            </option>
          </select>
        </Field>
        <Field label="Device" field={f('vdev')} problems={problems}>
          <input className="input mono num" value={disk.vdev} onChange={(e) => patch({ vdev: e.target.value })} data-testid={`${tid}-vdev`} {...invalidProps(problems, f('vdev'))} />
        </Field>
      </div>
    </>
  );
}

/** An existing image, logical volume or device (the boot disk shows its path, chosen on Source), and its device. */
function ExistingDiskFields({ disk, index, opts, problems, patch, tid, bootDisk }: DiskPartProps & { bootDisk: boolean }) {
  const f = (sub: string): string => diskField(index, sub);
  return (
    <div className="wiz-row">
      {!bootDisk && (
        <div className="wiz-field grow">
          <PathField value={disk.path} onChange={(v) => patch({ path: v })} filter="image" startDir={opts.imageDir} label="Image, logical volume or device" testId={`${tid}-path`} />
          <FieldError problems={problems} field={f('path')} />
        </div>
      )}
      {bootDisk && <p className="mono wiz-grow">{disk.path || '(none chosen)'}</p>}
      {!bootDisk && (
        <label className="field-label">
          Format
          <select className="input" value={disk.format} onChange={(e) => patch({ format: e.target.value as DiskDraft['format'] })} data-testid={`${tid}-format`}>
            <option value="raw">raw (also LVs and devices)</option>
            <option value="qcow2">qcow2</option>
            <option value="vhd">vhd</option>
          </select>
        </label>
      )}
      <Field label="Device" field={f('vdev')} problems={problems}>
        <input className="input mono num" value={disk.vdev} onChange={(e) => patch({ vdev: e.target.value })} data-testid={`${tid}-vdev`} {...invalidProps(problems, f('vdev'))} />
      </Field>
    </div>
  );
}

function DiskCard({ disk, index, draft, set, opts, problems }: StepProps & { disk: DiskDraft; index: number }) {
  const patch = (p: Partial<DiskDraft>): void => set((d) => ({ ...d, disks: d.disks.map((x, i) => (i === index ? { ...x, ...p } : x)) }));
  const bootDisk = index === 0 && (draft.method === 'pygrub' || draft.method === 'disk');
  const tid = `wiz-disk${index}`;
  const parts: DiskPartProps = { disk, index, draft, opts, problems, patch, tid };
  return (
    <section className="wiz-device card" aria-label={`Disk ${index + 1}`} data-testid={tid}>
      <div className="wiz-device-head">
        <h3>{`Disk ${index + 1}`}</h3>
        <span className="tag mono">{disk.vdev}</span>
        {bootDisk && <span className="tag">boot disk (chosen on Source)</span>}
        <span className="grow" />
        {!bootDisk && (
          <button type="button" className="btn" onClick={() => set((d) => ({ ...d, disks: d.disks.filter((_, i) => i !== index) }))} data-testid={`${tid}-remove`}>
            Remove
          </button>
        )}
      </div>
      {!bootDisk && (
        <div className="row-gap" role="radiogroup" aria-label={`Disk ${index + 1} kind`}>
          <label className="check-row">
            <input type="radio" checked={disk.mode === 'new'} onChange={() => patch({ mode: 'new', format: disk.format === 'vhd' ? 'raw' : disk.format, sizeGiB: disk.sizeGiB || '10' })} data-testid={`${tid}-mode-new`} />
            Create a new image
          </label>
          <label className="check-row">
            <input type="radio" checked={disk.mode === 'existing'} onChange={() => patch({ mode: 'existing' })} data-testid={`${tid}-mode-existing`} />
            Use an existing image, logical volume or device
          </label>
        </div>
      )}
      <FieldError problems={problems} field={diskField(index, 'mode')} />
      {disk.mode === 'new' ? <NewDiskFields {...parts} /> : <ExistingDiskFields {...parts} bootDisk={bootDisk} />}
    </section>
  );
}

/** Step 4: new images (raw or qcow2, size, directory with its free space) or existing images; more disks. */
export function StorageStep(props: StepProps) {
  const { draft, set, opts, problems } = props;
  // newDisk picks a device that collides with no other disk (nor, in HVM, with the ISO's IDE slot).
  const add = (): void => set((d: Draft) => ({ ...d, disks: [...d.disks, newDisk(d, opts.imageDir, 10)] }));
  return (
    <div className="wiz-step-body">
      {draft.disks.length === 0 && <p className="muted">No disks: the guest has only what it boots from.</p>}
      {draft.disks.map((disk, i) => (
        <DiskCard key={disk.key} {...props} disk={disk} index={i} />
      ))}
      <FieldError problems={problems} field="disks" />
      <div className="row-gap">
        <button type="button" className="btn" onClick={add} disabled={draft.disks.length >= 16} data-testid="wiz-disk-add">
          Add a disk
        </button>
        {draft.type === 'hvm' && draft.method === 'iso' && <span className="muted small">The install ISO is attached as a CD drive (hdc).</span>}
      </div>
    </div>
  );
}

/** One network interface: bridge, MAC (or a fresh random one) and, for HVM, the emulated model. */
function NicCard({ n, i, draft, set, opts, problems }: StepProps & { n: Draft['nics'][number]; i: number }) {
  const patch = (p: Partial<Draft['nics'][number]>): void => set((d) => ({ ...d, nics: d.nics.map((x, j) => (j === i ? { ...x, ...p } : x)) }));
  const f = (sub: string): string => `nics[${i}].${sub}`;
  const tid = `wiz-nic${i}`;
  return (
    <section className="wiz-device card" aria-label={`Network interface ${i + 1}`} data-testid={tid}>
      <div className="wiz-device-head">
        <h3>{`Network interface ${i + 1}`}</h3>
        <span className="grow" />
        <button type="button" className="btn" onClick={() => set((d) => ({ ...d, nics: d.nics.filter((_, j) => j !== i) }))} data-testid={`${tid}-remove`}>
          Remove
        </button>
      </div>
      <div className="wiz-grid">
        <Field label="Bridge" field={f('bridge')} problems={problems}>
          <select className="input" value={n.bridge} onChange={(e) => patch({ bridge: e.target.value })} disabled={opts.bridges.length === 0} data-testid={`${tid}-bridge`} {...invalidProps(problems, f('bridge'))}>
            {!opts.bridges.includes(n.bridge) && <option value={n.bridge}>{n.bridge === '' ? 'no bridge on this host' : `${n.bridge} (not on this host)`}</option>}
            {opts.bridges.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </Field>
        <Field label="MAC address" field={f('mac')} problems={problems}>
          <span className="wiz-inline">
            <input className="input mono" value={n.mac} onChange={(e) => patch({ mac: e.target.value })} spellCheck={false} data-testid={`${tid}-mac`} {...invalidProps(problems, f('mac'))} />
            <button type="button" className="btn" onClick={() => patch({ mac: freshMac(opts, draft.nics) })} data-testid={`${tid}-random`}>
              Random
            </button>
          </span>
        </Field>
        {draft.type === 'hvm' && (
          <Field label="Emulated model" field={f('model')} problems={problems}>
            <select className="input" value={n.model} onChange={(e) => patch({ model: e.target.value as Draft['nics'][number]['model'] })} data-testid={`${tid}-model`}>
              <option value="">default (rtl8139)</option>
              <option value="e1000">e1000</option>
              <option value="rtl8139">rtl8139</option>
              <option value="virtio-net">virtio-net</option>
            </select>
          </Field>
        )}
      </div>
    </section>
  );
}

/** Step 5: bridges from the host, unique 00:16:3e MACs, the emulated model for HVM; more NICs or none. */
export function NetworkStep(props: StepProps) {
  const { draft, set, opts, problems } = props;
  return (
    <div className="wiz-step-body">
      {opts.bridges.length === 0 && (
        <p className="warn-text" data-testid="wiz-no-bridge">
          This host has no bridge, so a network interface has nothing to join: remove it, or make a bridge first (see Networks).
        </p>
      )}
      {draft.nics.length === 0 && (
        <p className="muted" data-testid="wiz-no-nics">
          No network interfaces: the guest will have no network.
        </p>
      )}
      {draft.nics.map((n, i) => (
        <NicCard key={n.key} {...props} n={n} i={i} />
      ))}
      <FieldError problems={problems} field="nics" />
      <div className="row-gap">
        <button
          type="button"
          className="btn"
          disabled={draft.nics.length >= 8}
          onClick={() => set((d) => ({ ...d, nics: [...d.nics, { key: newKey(), bridge: opts.bridges[0] ?? 'xenbr0', mac: freshMac(opts, d.nics), model: '' }] }))}
          data-testid="wiz-nic-add"
        >
          Add a network interface
        </button>
      </div>
    </div>
  );
}
