import { useState } from 'react';
import { overlaysByBase, type PoolInfo, type VolumeInfo } from '../../shared/storage';
import { xen } from '../api/client';
import { EditStatus } from '../components/EditStatus';
import { ErrorNote } from '../components/ErrorNote';
import { ConfirmDialog } from '../components/Modal';
import { formatBytes } from '../lib/format';
import { useEdit, type EditState } from '../lib/use-domain';
import { AddPoolDialog, NewVgDialog } from './storage/pool-dialogs';
import { PoolList } from './storage/PoolList';
import { PoolSettingsDialog } from './storage/pool-settings';
import { useStorage } from './storage/use-storage';
import { CloneDialog } from './storage/clone-dialog';
import { NewVolumeDialog, ResizeDialog } from './storage/volume-dialogs';
import { VolumeTable } from './storage/VolumeTable';
import { DownloadDialog, UploadDialog } from './storage/transfer-dialogs';

type Dialog = 'volume' | 'upload' | 'pool' | 'vg' | 'remove' | 'settings' | null;

/** Mounts or unmounts an NFS pool (unmounting is refused while a domain uses one of its volumes). */
function MountButton({ pool, edit }: { pool: PoolInfo; edit: EditState }) {
  const name = pool.def.name;
  return pool.mounted ? (
    <button type="button" className="btn" disabled={edit.busy} onClick={() => void edit.run(() => xen.storage.poolUnmount({ name }), `Unmounted ${name}.`)} data-testid="storage-unmount">
      Unmount
    </button>
  ) : (
    <button type="button" className="btn" disabled={edit.busy} onClick={() => void edit.run(() => xen.storage.poolMount({ name }), `Mounted ${name}.`)} data-testid="storage-mount">
      Mount
    </button>
  );
}

/** The page's toolbar: pool-wide actions. */
function StorageToolbar({ pool, open, edit }: { pool: PoolInfo | undefined; open: (d: Dialog) => void; edit: EditState }) {
  return (
    <div className="toolbar" role="toolbar" aria-label="Storage actions">
      <button type="button" className="btn primary" disabled={!pool || pool.problem !== null} onClick={() => open('volume')} data-testid="storage-new-volume">
        New volume…
      </button>
      <button
        type="button"
        className="btn"
        disabled={!pool || pool.problem !== null || pool.def.kind === 'lvm'}
        title={pool?.def.kind === 'lvm' ? 'Images are uploaded to directory and NFS pools' : undefined}
        onClick={() => open('upload')}
        data-testid="storage-upload"
      >
        Upload image…
      </button>
      <button type="button" className="btn" onClick={() => open('pool')} data-testid="storage-add-pool">
        Add pool…
      </button>
      <button type="button" className="btn" onClick={() => open('vg')} data-testid="storage-new-vg">
        New volume group…
      </button>
      {pool?.def.kind === 'nfs' && <MountButton pool={pool} edit={edit} />}
      <button type="button" className="btn" disabled={!pool || pool.def.kind === 'lvm'} onClick={() => open('settings')} data-testid="storage-pool-settings">
        Pool settings…
      </button>
      <span className="tb-group end">
        <button type="button" className="btn danger" disabled={!pool} onClick={() => open('remove')} data-testid="storage-remove-pool">
          Remove pool…
        </button>
      </span>
    </div>
  );
}

/** The selected pool's volumes, with the delete confirmation. */
function PoolVolumes({ pool, volumes, overlays, edit }: { pool: PoolInfo; volumes: VolumeInfo[]; overlays: ReadonlyMap<string, readonly VolumeInfo[]>; edit: EditState }) {
  const [resizing, setResizing] = useState<VolumeInfo | null>(null);
  const [deleting, setDeleting] = useState<VolumeInfo | null>(null);
  const [cloning, setCloning] = useState<VolumeInfo | null>(null);
  const [downloading, setDownloading] = useState<VolumeInfo | null>(null);
  return (
    <section className="card grow" data-testid="pool-volumes">
      <h2>{`${pool.def.name} · ${pool.path}`}</h2>
      {pool.problem !== null && <p className="warn-text">{pool.problem}</p>}
      <VolumeTable volumes={volumes} overlays={overlays} onResize={setResizing} onClone={setCloning} onDownload={setDownloading} onDelete={setDeleting} />
      <ResizeDialog volume={resizing} onClose={() => setResizing(null)} />
      <DownloadDialog volume={downloading} onClose={() => setDownloading(null)} />
      <CloneDialog volume={cloning} onClose={() => setCloning(null)} />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(o) => !o && setDeleting(null)}
        title={`Delete ${deleting?.name ?? ''}?`}
        description={deleting ? `${deleting.path} (${formatBytes(deleting.virtualBytes)}) and everything on it will be gone.` : ''}
        confirmLabel="Delete volume"
        testId="delete-volume-dialog"
        onConfirm={() => deleting && void edit.run(() => xen.storage.volumeDelete({ pool: deleting.pool, name: deleting.name }), `Deleted ${deleting.name}.`)}
      />
    </section>
  );
}

/** Storage: pools (directories and LVM volume groups) with their space, volumes and the domains that use them. */
export function StorageView() {
  const { data, error } = useStorage();
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const edit = useEdit();
  const pool = data?.pools.find((p) => p.def.name === selected) ?? data?.pools[0];
  const close = () => setDialog(null);
  return (
    <div className="page storage-page" data-testid="storage-view">
      <div className="page-head">
        <h1>Storage</h1>
      </div>
      <StorageToolbar pool={pool} open={setDialog} edit={edit} />
      <EditStatus edit={edit} testId="storage-edit" />
      {error && <ErrorNote error={error} testId="storage-error" />}
      {!data && !error && <p className="muted">Loading…</p>}
      {data && (
        <div className="storage-grid">
          <PoolList pools={data.pools} selected={pool?.def.name ?? null} onSelect={setSelected} />
          {pool && <PoolVolumes pool={pool} volumes={data.volumes.filter((v) => v.pool === pool.def.name)} overlays={overlaysByBase(data.volumes)} edit={edit} />}
        </div>
      )}
      {pool && <NewVolumeDialog pool={pool} open={dialog === 'volume'} onClose={close} />}
      {pool && <UploadDialog pool={pool} open={dialog === 'upload'} onClose={close} />}
      {pool && <PoolSettingsDialog pool={pool} open={dialog === 'settings'} onClose={close} />}
      <AddPoolDialog open={dialog === 'pool'} onClose={close} />
      <NewVgDialog open={dialog === 'vg'} onClose={close} />
      <ConfirmDialog
        open={dialog === 'remove' && pool !== undefined}
        onOpenChange={(o) => !o && close()}
        title={`Remove pool ${pool?.def.name ?? ''}?`}
        description={`Xenith stops listing ${pool?.path ?? ''} as a pool. No file or volume is deleted; a pool whose volumes are in use stays.`}
        confirmLabel="Remove pool"
        testId="remove-pool-dialog"
        onConfirm={() => pool && void edit.run(() => xen.storage.poolRemove({ name: pool.def.name }), `Removed pool ${pool.def.name}.`).then((ok) => ok && setSelected(null))}
      />
    </div>
  );
}
