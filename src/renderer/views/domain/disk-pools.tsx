import type { StorageOverview, VolumeInfo } from '../../../shared/storage';
import { formatBytes } from '../../lib/format';

/** How a volume is used, in a few words: "unused", "web01 rw (running)", "2 domains". */
function usage(v: VolumeInfo, self: string): string {
  const others = v.users.filter((u) => u.domain !== self);
  if (others.length === 0) return v.users.length > 0 ? 'this domain' : 'unused';
  const u = others[0]!;
  return `${u.domain} ${u.cdrom ? 'CD' : u.access}${u.running ? ' (running)' : ''}${others.length > 1 ? ` +${others.length - 1}` : ''}`;
}

/**
 * Where a new disk goes: a storage pool sets the path's directory (a directory pool: NAME-VDEV.img there; an LVM pool:
 * /dev/VG/NAME-VDEV, a new logical volume).
 */
export function NewDiskPool({ storage, path, onPath, name, vdev, testId }: { storage: StorageOverview | null; path: string; onPath: (p: string) => void; name: string; vdev: string; testId: string }) {
  const pools = (storage?.pools ?? []).filter((p) => p.problem === null);
  if (pools.length === 0) return null;
  const dirOf = (p: string): string => p.slice(0, p.lastIndexOf('/'));
  const current = pools.find((p) => p.path === dirOf(path));
  return (
    <label className="field-label">
      Storage pool
      <select
        className="input"
        value={current?.def.name ?? ''}
        onChange={(e) => {
          const p = pools.find((x) => x.def.name === e.target.value);
          if (p) onPath(`${p.path}/${name}-${vdev}${p.def.kind === 'lvm' ? '' : '.img'}`);
        }}
        data-testid={testId}
      >
        {current === undefined && <option value="">another directory</option>}
        {pools.map((p) => (
          <option key={p.def.name} value={p.def.name}>
            {`${p.def.name} · ${p.path}${p.freeBytes !== null ? ` · ${formatBytes(p.freeBytes)} free` : ''}`}
          </option>
        ))}
      </select>
    </label>
  );
}

/** An existing volume from the pools, each with who uses it; one another domain uses read-write cannot be taken. */
export function ExistingVolume({ storage, path, onPath, self, testId }: { storage: StorageOverview | null; path: string; onPath: (p: string) => void; self: string; testId: string }) {
  const volumes = (storage?.volumes ?? []).filter((v) => v.format !== 'iso');
  if (volumes.length === 0) return null;
  return (
    <label className="field-label">
      Volume from a pool
      <select className="input" value={volumes.some((v) => v.path === path) ? path : ''} onChange={(e) => e.target.value && onPath(e.target.value)} data-testid={testId}>
        <option value="">Choose a volume…</option>
        {volumes.map((v) => (
          <option key={v.path} value={v.path} disabled={v.users.some((u) => u.domain !== self && u.access === 'rw' && !u.cdrom)}>
            {`${v.pool}/${v.name} · ${formatBytes(v.virtualBytes)} · ${usage(v, self)}`}
          </option>
        ))}
      </select>
    </label>
  );
}
