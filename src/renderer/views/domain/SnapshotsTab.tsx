import { useCallback, useEffect, useState } from 'react';
import type { SnapshotDiskPlan, SnapshotList, SnapshotView } from '../../../shared/snapshot';
import { xen } from '../../api/client';
import { CloneDomainDialog } from '../../components/CloneDomainDialog';
import { ErrorNote } from '../../components/ErrorNote';
import { JobProgress, useJobProgress } from '../../components/JobProgress';
import { ConfirmDialog } from '../../components/Modal';
import { errorInfo, type ErrorInfo } from '../../lib/errors';
import { formatBytes } from '../../lib/format';
import { TakeSnapshotDialog } from './snapshot-dialogs';
import type { TabProps } from './tab-props';

const HOW_WORDS: Record<SnapshotDiskPlan['how'], string> = {
  qcow2: 'snapshot inside the qcow2 file',
  lvm: 'LVM snapshot volume (copy-on-write, its full size)',
  'lvm-thin': 'thin LVM snapshot in its pool',
  shared: 'left as it is',
  refused: '',
};

/** The domain's snapshots, asked again after each change and when the domain starts or stops. */
function useSnapshots(name: string, state: string | undefined): { list: SnapshotList | null; error: ErrorInfo | null; reload: () => void } {
  const [list, setList] = useState<SnapshotList | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    xen.snapshot.list({ name }).then(
      (l) => live && (setList(l), setError(null)),
      (e: unknown) => live && setError(errorInfo(e)),
    );
    return () => {
      live = false;
    };
  }, [name, n, state]);
  return { list, error, reload: useCallback(() => setN((x) => x + 1), []) };
}

/** Each disk and how a snapshot captures it; a raw file of a stopped domain can be converted to qcow2 here. */
function SnapshotDisks({ list, busy, onConvert }: { list: SnapshotList; busy: boolean; onConvert: (vdev: string, how: 'copy' | 'overlay') => void }) {
  if (list.disks.length === 0) return <p className="muted small">No disks: a snapshot holds the memory alone.</p>;
  return (
    <table className="table" data-testid="snapshot-disks">
      <thead>
        <tr>
          <th>Disk</th>
          <th>Image</th>
          <th>In a snapshot</th>
        </tr>
      </thead>
      <tbody>
        {list.disks.map((d) => (
          <tr key={d.vdev} data-testid={`snapshot-disk-${d.vdev}`}>
            <td className="mono">{d.vdev}</td>
            <td className="mono small">{d.path || '(empty)'}</td>
            <td className="small">
              <span className={d.how === 'refused' ? 'error-text' : ''}>{[HOW_WORDS[d.how], d.note].filter(Boolean).join(': ')}</span>
              {d.how === 'refused' && /raw image file/.test(d.note ?? '') && (
                <div className="row-gap tight">
                <button type="button" className="btn small" disabled={busy || list.running} title={list.running ? 'Shut the domain down to convert its disk' : undefined} onClick={() => onConvert(d.vdev, 'copy')} data-testid={`snapshot-convert-${d.vdev}`}>
                  Convert to qcow2…
                </button>
                <button type="button" className="btn small" disabled={busy || list.running} title={list.running ? 'Shut the domain down to change its disk' : 'At once, no copy: the raw file becomes a base that must stay as it is'} onClick={() => onConvert(d.vdev, 'overlay')} data-testid={`snapshot-overlay-${d.vdev}`}>
                  Add a qcow2 overlay…
                </button>
                </div>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One snapshot: indented under its parent, with what it holds and its actions. */
function SnapshotRow({ s, current, busy, onRevert, onDelete, onClone }: { s: SnapshotView; current: boolean; busy: boolean; onRevert: () => void; onDelete: (subtree: boolean) => void; onClone: () => void }) {
  const holds = s.memory ? `disks and memory${s.pauseMs !== null ? ` (paused ${(s.pauseMs / 1000).toFixed(1)} s)` : ''}` : 'disks only';
  return (
    <tr data-testid="snapshot-row" data-snapshot={s.name} aria-current={current ? 'true' : undefined}>
      <td>
        <span style={{ paddingLeft: `${s.depth * 1.25}rem` }}>{s.depth > 0 ? '└ ' : ''}</span>
        <strong>{s.name}</strong>
        {current && <span className="badge snapshot-here" title="The domain's disks come from this snapshot">you are here</span>}
        {s.description && <div className="muted small">{s.description}</div>}
      </td>
      <td className="nowrap small">{new Date(s.createdAt).toLocaleString()}</td>
      <td className="small">{holds}</td>
      <td className="num small">{s.sizeBytes !== null ? formatBytes(s.sizeBytes) : '—'}</td>
      <td className="nowrap">
        <div className="row-gap tight">
        <button type="button" className="btn small" disabled={busy} onClick={onRevert} data-testid="snapshot-revert">
          Revert…
        </button>
        <button type="button" className="btn small" disabled={busy} onClick={onClone} data-testid="snapshot-clone">
          Clone…
        </button>
        <button type="button" className="btn small" disabled={busy} onClick={() => onDelete(false)} data-testid="snapshot-delete">
          Delete…
        </button>
        {s.children.length > 0 && (
          <button type="button" className="btn small" disabled={busy} onClick={() => onDelete(true)} data-testid="snapshot-delete-tree">
            Delete with children…
          </button>
        )}
        </div>
      </td>
    </tr>
  );
}

function SnapshotTable({ list, busy, onRevert, onDelete, onClone }: { list: SnapshotList; busy: boolean; onRevert: (s: SnapshotView) => void; onDelete: (s: SnapshotView, subtree: boolean) => void; onClone: (s: SnapshotView) => void }) {
  if (list.snapshots.length === 0) return <p className="muted" data-testid="snapshot-empty">No snapshots yet.</p>;
  return (
    <table className="table" data-testid="snapshot-table">
      <thead>
        <tr>
          <th>Snapshot</th>
          <th>Taken</th>
          <th>Holds</th>
          <th className="num">Size</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {list.snapshots.map((s) => (
          <SnapshotRow key={s.id} s={s} current={list.current === s.id} busy={busy} onRevert={() => onRevert(s)} onDelete={(t) => onDelete(s, t)} onClone={() => onClone(s)} />
        ))}
      </tbody>
    </table>
  );
}

type Ask = { kind: 'revert'; s: SnapshotView } | { kind: 'delete'; s: SnapshotView; subtree: boolean } | { kind: 'convert'; vdev: string; how: 'copy' | 'overlay' } | null;

/** The words of the confirmation for `ask`. */
function askWords(ask: NonNullable<Ask>, list: SnapshotList): { title: string; text: string; label: string } {
  if (ask.kind === 'convert' && ask.how === 'overlay') {
    return { title: `Put a qcow2 overlay on ${ask.vdev}?`, text: `A qcow2 file reading ${ask.vdev}'s raw file is made beside it at once, and the config points at it: from then on the guest writes only the overlay, which takes snapshots. The raw file becomes its base and must stay as it is: Xenith will not start, resize or delete it while the overlay reads it.`, label: 'Add overlay' };
  }
  if (ask.kind === 'convert') return { title: `Convert ${ask.vdev} to qcow2?`, text: `A qcow2 copy of ${ask.vdev} is made beside it and the config points at it; the raw file is kept, unused, until you delete it in Storage.`, label: 'Convert' };
  if (ask.kind === 'revert') {
    const off = list.running ? `${list.domain} is running: it is powered off first, and everything since the snapshot is lost. ` : '';
    return { title: `Revert to "${ask.s.name}"?`, text: `${off}Every disk goes back to how it was${ask.s.memory ? ', and the domain continues from the moment of the snapshot' : ''}.`, label: list.running ? 'Power off and revert' : 'Revert' };
  }
  return { title: `Delete "${ask.s.name}"${ask.subtree ? ' and the snapshots below it' : ''}?`, text: ask.subtree ? 'This snapshot and every snapshot below it are removed.' : 'The snapshot is removed; the ones below it stay, under its parent. The domain itself is not changed.', label: 'Delete' };
}

/** The Snapshots tab: how each disk is captured, the snapshots as a tree, and take, revert, delete, convert. */
export function SnapshotsTab({ name, summary }: TabProps) {
  const { list, error, reload } = useSnapshots(name, summary?.state);
  const [taking, setTaking] = useState(false);
  const [cloning, setCloning] = useState<SnapshotView | null>(null);
  const [ask, setAsk] = useState<Ask>(null);
  const [busy, setBusy] = useState(false);
  const [opError, setOpError] = useState<ErrorInfo | null>(null);
  const job = useJobProgress('snap');
  const act = async (a: NonNullable<Ask>): Promise<void> => {
    setBusy(true);
    setOpError(null);
    try {
      if (a.kind === 'revert') await job.run((jobId) => xen.snapshot.revert({ name, id: a.s.id, stopRunning: list?.running === true, jobId }));
      else if (a.kind === 'convert') await job.run((jobId) => xen.snapshot.convertDisk({ name, vdev: a.vdev, how: a.how, jobId }));
      else await xen.snapshot.delete({ name, id: a.s.id, subtree: a.subtree });
    } catch (e) {
      setOpError(errorInfo(e));
    } finally {
      setBusy(false);
      reload();
    }
  };
  if (list === null) return <div className="tab-body">{error ? <ErrorNote error={error} testId="snapshot-list-error" /> : <p className="muted">Reading snapshots…</p>}</div>;
  const words = ask !== null ? askWords(ask, list) : null;
  return (
    <div className="tab-body" data-testid="snapshots-tab">
      <section className="card">
        <div className="row-gap">
          <h2 className="grow">Snapshots</h2>
          <button type="button" className="btn primary" disabled={busy || list.problems.length > 0} title={list.problems[0]?.message} onClick={() => setTaking(true)} data-testid="snapshot-take">
            Take snapshot…
          </button>
        </div>
        <p className="muted small">{`Kept in ${list.dir} (memory) and beside each disk in its pool; listed again after Xenith restarts.`}</p>
        {list.problems.map((p) => (
          <p key={`${p.field}:${p.message}`} className="error-text small" data-testid="snapshot-problem">{p.message}</p>
        ))}
        {busy && <JobProgress message={job.message} pct={job.pct} testId="snapshot-progress" />}
        {opError && <ErrorNote error={opError} testId="snapshot-error" />}
        <SnapshotTable list={list} busy={busy} onRevert={(s) => setAsk({ kind: 'revert', s })} onDelete={(s, subtree) => setAsk({ kind: 'delete', s, subtree })} onClone={setCloning} />
      </section>
      <section className="card">
        <h2>Disks</h2>
        <SnapshotDisks list={list} busy={busy} onConvert={(vdev, how) => setAsk({ kind: 'convert', vdev, how })} />
      </section>
      {taking && <TakeSnapshotDialog list={list} onClose={() => setTaking(false)} onDone={reload} />}
      {cloning && <CloneDomainDialog name={name} snapshot={{ id: cloning.id, name: cloning.name }} onClose={() => setCloning(null)} />}
      {ask !== null && words !== null && (
        <ConfirmDialog open onOpenChange={(o) => !o && setAsk(null)} title={words.title} description={words.text} confirmLabel={words.label} onConfirm={() => void act(ask)} testId="snapshot-confirm" />
      )}
    </div>
  );
}
