import type { PoolInfo } from '../../../shared/storage';
import { formatBytes } from '../../lib/format';

const KIND_WORDS: Record<PoolInfo['def']['kind'], string> = { dir: 'Directory', lvm: 'LVM volume group', nfs: 'NFS' };

/** How full a pool is, as a bar and in words. */
function PoolMeter({ p }: { p: PoolInfo }) {
  if (p.capacityBytes === null || p.allocationBytes === null || p.freeBytes === null) return <p className="warn-text small">{p.problem ?? 'Size unknown'}</p>;
  const pct = (100 * p.allocationBytes) / Math.max(p.capacityBytes, 1);
  return (
    <>
      <div className="meter" role="meter" aria-valuemin={0} aria-valuemax={p.capacityBytes} aria-valuenow={p.allocationBytes} aria-label={`${p.def.name} in use`}>
        <span className={pct > 90 ? 'meter-full' : 'meter-used'} style={{ width: `${pct}%` }} />
      </div>
      <p className="muted small" data-testid={`pool-space-${p.def.name}`}>
        {`${formatBytes(p.freeBytes)} free of ${formatBytes(p.capacityBytes)}`}
      </p>
    </>
  );
}

/** The pools, one card each; the selected one is marked and its volumes show beside the list. */
export function PoolList({ pools, selected, onSelect }: { pools: readonly PoolInfo[]; selected: string | null; onSelect: (name: string) => void }) {
  return (
    <ul className="pool-list" aria-label="Storage pools" data-testid="pool-list">
      {pools.map((p) => (
        <li key={p.def.name}>
          <button
            type="button"
            className={`pool-card${p.def.name === selected ? ' selected' : ''}`}
            aria-current={p.def.name === selected ? 'true' : undefined}
            onClick={() => onSelect(p.def.name)}
            data-testid={`pool-${p.def.name}`}
          >
            <span className="pool-head">
              <strong>{p.def.name}</strong>
              <span className="tag">{KIND_WORDS[p.def.kind]}</span>
              {p.def.kind !== 'lvm' && p.def.iso === true && <span className="tag">ISO library</span>}
              {p.def.kind === 'nfs' && p.def.persist === true && <span className="tag" title="Mounted at boot from /etc/fstab">at boot</span>}
              {p.thinPool !== null && <span className="tag" title={`New volumes are thin, in ${p.thinPool}`}>thin</span>}
            </span>
            <span className="mono small">{p.path}</span>
            {p.def.kind === 'nfs' && <span className="mono small muted">{`${p.def.server}:${p.def.export}${p.mounted ? '' : ' (not mounted)'}`}</span>}
            <span className="muted small">{`${p.volumeCount} volume${p.volumeCount === 1 ? '' : 's'}`}</span>
            <PoolMeter p={p} />
          </button>
        </li>
      ))}
    </ul>
  );
}
