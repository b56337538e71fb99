import type { VolumeInfo, VolumeUser } from '../../../shared/storage';
import { formatBytes } from '../../lib/format';
import { navigate } from '../../lib/route';

const FORMAT_WORDS: Record<VolumeInfo['format'], string> = { raw: 'raw', qcow2: 'qcow2', iso: 'ISO', lv: 'logical volume' };

/** Who uses a volume: each domain as a link, with how (read-write, read-only, CD) and whether it runs now. */
function Users({ users }: { users: readonly VolumeUser[] }) {
  if (users.length === 0) return <span className="muted">unused</span>;
  return (
    <span className="volume-users">
      {users.map((u) => (
        <button
          key={`${u.domain}/${u.vdev}/${String(u.running)}`}
          type="button"
          className="link-btn"
          title={u.running ? 'The running domain has it attached' : 'Named in the domain’s config'}
          onClick={() => navigate({ view: 'domain', name: u.domain, tab: 'disks' })}
        >
          {`${u.domain} (${u.vdev}, ${u.cdrom ? 'CD' : u.access === 'rw' ? 'read-write' : 'read-only'}${u.running ? ', running' : ''})`}
        </button>
      ))}
    </span>
  );
}

/** What a row can do: each opens its dialog. */
interface RowActions {
  onResize: (v: VolumeInfo) => void;
  onClone: (v: VolumeInfo) => void;
  onDownload: (v: VolumeInfo) => void;
  onDelete: (v: VolumeInfo) => void;
}

/** The running domain writing `v`, whose copy would be torn, or undefined. */
const runningWriter = (v: VolumeInfo) => v.users.find((u) => u.running && u.access === 'rw' && !u.cdrom);

/** Resize, clone, download and delete for one volume; delete is off while any domain uses it. */
function VolumeActions({ v, linked, onResize, onClone, onDownload, onDelete }: { v: VolumeInfo; linked: readonly VolumeInfo[] } & RowActions) {
  const writer = runningWriter(v);
  // A base must not change while linked volumes read it.
  const base = linked.length > 0 ? `The base of ${linked.map((o) => o.name).join(', ')}: it must not change while they exist` : undefined;
  return (
    <div className="actions-cell volume-actions">
              <button type="button" className="btn" disabled={v.format === 'iso' || base !== undefined} title={base} onClick={() => onResize(v)} data-testid={`volume-resize-${v.name}`}>
                Resize…
              </button>
              <button type="button" className="btn" onClick={() => onClone(v)} data-testid={`volume-clone-${v.name}`}>
                Clone…
              </button>
              <button
                type="button"
                className="btn"
                disabled={v.format === 'lv' || writer !== undefined}
                title={v.format === 'lv' ? 'Logical volumes are not downloaded; clone one into a directory pool first' : writer ? `Written by running domain ${writer.domain}` : undefined}
                onClick={() => onDownload(v)}
                data-testid={`volume-download-${v.name}`}
              >
                Download…
              </button>
              <button
                type="button"
                className="btn danger"
                disabled={v.users.length > 0 || base !== undefined}
                title={v.users.length > 0 ? `In use by ${v.users[0]!.domain}` : base}
                onClick={() => onDelete(v)}
                data-testid={`volume-delete-${v.name}`}
              >
                Delete…
              </button>
              </div>
  );
}

/** The volumes of one pool with format, sizes, backing file and users; resize and delete per row. */
export function VolumeTable({ volumes, overlays, ...actions }: { volumes: readonly VolumeInfo[]; overlays: ReadonlyMap<string, readonly VolumeInfo[]> } & RowActions) {
  return (
    <div className="table-scroll">
    <table className="table" data-testid="volume-table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Format</th>
          <th>Size</th>
          <th>Allocated</th>
          <th>Used by</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {volumes.map((v) => (
          <tr key={v.path} data-testid={`volume-${v.name}`}>
            <td>
              <span className="mono" title={v.path}>{v.name}</span>
              {v.linkedTo ? (
                <div className="muted small" title="A linked volume: a qcow2 overlay reading its base">{`linked to ${v.linkedTo.path}`}</div>
              ) : (
                v.backing !== null && <div className="muted small" title="Backing file or thin pool">{`on ${v.backing}`}</div>
              )}
              {overlays.has(v.path) && <div className="muted small" data-testid={`volume-base-${v.name}`}>{`base of ${overlays.get(v.path)!.length} linked volume${overlays.get(v.path)!.length === 1 ? '' : 's'}`}</div>}
            </td>
            <td>{FORMAT_WORDS[v.format]}</td>
            <td className="nowrap">{formatBytes(v.virtualBytes)}</td>
            <td className="nowrap">{formatBytes(v.allocatedBytes)}</td>
            <td>
              <Users users={v.users} />
            </td>
            <td>
              <VolumeActions v={v} linked={overlays.get(v.path) ?? []} {...actions} />
            </td>
          </tr>
        ))}
        {volumes.length === 0 && (
          <tr>
            <td colSpan={6} className="muted">
              No volumes in this pool yet.
            </td>
          </tr>
        )}
      </tbody>
    </table>
    </div>
  );
}
