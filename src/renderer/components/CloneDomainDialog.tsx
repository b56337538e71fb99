import { useEffect, useState } from 'react';
import type { ClonePlanView } from '../../shared/clone';
import { domainNameProblem } from '../../shared/rules';
import type { PoolInfo } from '../../shared/storage';
import { xen } from '../api/client';
import { errorInfo, type ErrorInfo } from '../lib/errors';
import { formatBytes } from '../lib/format';
import { navigate } from '../lib/route';
import { ErrorNote } from './ErrorNote';
import { JobProgress, useJobProgress } from './JobProgress';
import { Modal } from './Modal';

/** The plan for the current choices, asked again (after a pause) whenever they change; null while asking. */
function usePlan(name: string, newName: string, pool: string | null, snapshot: string | undefined, linked: boolean): { plan: ClonePlanView | null; error: ErrorInfo | null } {
  const [state, setState] = useState<{ key: string; plan: ClonePlanView | null; error: ErrorInfo | null } | null>(null);
  const key = `${newName}\u0000${pool ?? ''}\u0000${snapshot ?? ''}\u0000${String(linked)}`;
  useEffect(() => {
    if (domainNameProblem(newName) !== null) return;
    let live = true;
    const t = setTimeout(() => {
      xen.domain.clonePreview({ name, newName, pool, ...(snapshot !== undefined ? { snapshot } : {}), ...(linked ? { linked } : {}) }).then(
        (plan) => live && setState({ key, plan, error: null }),
        (e: unknown) => live && setState({ key, plan: null, error: errorInfo(e) }),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [name, newName, pool, snapshot, linked, key]);
  return state?.key === key ? state : { plan: null, error: null };
}

/** Each disk: copied from where to where (and how big), or shared with why. */
function CloneDisks({ plan }: { plan: ClonePlanView }) {
  return (
    <table className="table" data-testid="clone-domain-disks">
      <thead>
        <tr>
          <th>Disk</th>
          <th>From</th>
          <th>To</th>
        </tr>
      </thead>
      <tbody>
        {plan.disks.map((d) => (
          <tr key={d.vdev}>
            <td className="mono">{d.vdev}</td>
            <td className="mono small">{d.from || '(empty)'}</td>
            <td className="small">
              {d.to === null ? <span className="muted">{`shared: ${d.shared ?? ''}`}</span> : <span className="mono">{d.linked === true ? `${d.to} · linked, reads ${d.from}` : `${d.to} · ${formatBytes(d.bytes)}`}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The clone's name and where its disks go. */
function CloneFields(p: { newName: string; setNewName: (v: string) => void; pool: string | null; setPool: (v: string | null) => void; pools: readonly PoolInfo[]; locked: boolean; invalid: boolean }) {
  return (
    <div className="form-grid">
      <label className="field-label">
        Name of the clone
        <input className="input mono" value={p.newName} disabled={p.locked} onChange={(e) => p.setNewName(e.target.value)} aria-invalid={p.invalid} data-testid="clone-domain-name" autoFocus />
      </label>
      <label className="field-label">
        Put the disks in
        <select className="input" value={p.pool ?? ''} disabled={p.locked} onChange={(e) => p.setPool(e.target.value === '' ? null : e.target.value)} data-testid="clone-domain-pool">
          <option value="">the pool each disk is in</option>
          {p.pools.map((x) => (
            <option key={x.def.name} value={x.def.name}>{`${x.def.name} (${x.freeBytes !== null ? `${formatBytes(x.freeBytes)} free` : 'free space unknown'})`}</option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** Full copies, or linked overlays on the original's files (which then must not change, so the original stays off). */
function CloneKind({ name, linked, setLinked, locked }: { name: string; linked: boolean; setLinked: (v: boolean) => void; locked: boolean }) {
  return (
    <div className="choice-list" role="radiogroup" aria-label="How the disks are cloned">
      <label className="check-row align-start">
        <input type="radio" name="clone-kind" checked={!linked} disabled={locked} onChange={() => setLinked(false)} data-testid="clone-domain-full" />
        <span>
          <strong>Full copy</strong>
          <span className="muted small block">Every disk is copied (sparse). The clone is independent of the original.</span>
        </span>
      </label>
      <label className="check-row align-start">
        <input type="radio" name="clone-kind" checked={linked} disabled={locked} onChange={() => setLinked(true)} data-testid="clone-domain-linked" />
        <span>
          <strong>Linked clone</strong>
          <span className="muted small block">{`Instant and small: each disk is a qcow2 overlay reading ${name}'s image file, which becomes its base. A base must never change, so ${name} cannot start (nor its disks be resized, reverted or deleted) while a linked clone exists. For making many guests from one prepared image.`}</span>
        </span>
      </label>
    </div>
  );
}

/** Stop while it runs; Cancel or Clone before; Close or open the clone after. */
function CloneActions({ busy, done, ready, onCancelJob, onClose, onClone }: { busy: boolean; done: string | null; ready: boolean; onCancelJob: () => void; onClose: () => void; onClone: () => void }) {
  return (
    <div className="modal-actions">
      {busy ? (
        <button type="button" className="btn" onClick={onCancelJob} data-testid="clone-domain-cancel">
          Stop and remove the copies
        </button>
      ) : (
        <button type="button" className="btn" onClick={onClose}>
          {done !== null ? 'Close' : 'Cancel'}
        </button>
      )}
      {done !== null ? (
        <button
          type="button"
          className="btn primary"
          onClick={() => {
            onClose();
            navigate({ view: 'domain', name: done, tab: 'overview' });
          }}
          data-testid="clone-domain-open"
        >
          {`Open ${done}`}
        </button>
      ) : (
        <button type="button" className="btn primary" disabled={!ready} onClick={onClone} data-testid="clone-domain-confirm">
          Clone
        </button>
      )}
    </div>
  );
}

/**
 * Clones a stopped domain: a new name, where the copies go, and before anything runs the exact config and each disk's
 * copy; while it runs, the copy's progress and a way to stop it.
 */
export function CloneDomainDialog({ name, onClose, snapshot }: { name: string; onClose: () => void; snapshot?: { id: string; name: string } }) {
  const [newName, setNewName] = useState(`${name}-clone`);
  const [pool, setPool] = useState<string | null>(null);
  const [linked, setLinked] = useState(false);
  const [pools, setPools] = useState<PoolInfo[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorInfo | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const job = useJobProgress('clone');
  const cancel = (): void => {
    if (job.jobId !== null) void xen.domain.cloneCancel({ jobId: job.jobId });
  };
  const { plan, error: planError } = usePlan(name, newName, pool, snapshot?.id, linked);
  useEffect(() => void xen.storage.overview().then((o) => setPools(o.pools.filter((p) => p.problem === null)), () => undefined), []);
  const nameProblem = domainNameProblem(newName);
  const ready = plan !== null && plan.problems.length === 0 && nameProblem === null && !busy && done === null;
  const clone = async () => {
    if (plan === null) return;
    // The identity the preview showed goes back, so the config written is the one on screen.
    const identity = plan.identity;
    setBusy(true);
    setError(null);
    try {
      await job.run((jobId) => xen.domain.clone({ name, newName, pool, jobId, identity, ...(snapshot !== undefined ? { snapshot: snapshot.id } : {}), ...(linked ? { linked } : {}) }));
      setDone(newName);
    } catch (e) {
      setError(errorInfo(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open onOpenChange={(o) => !o && !busy && onClose()} title={snapshot ? `Clone ${name} from snapshot "${snapshot.name}"` : `Clone ${name}`} description={`A new domain with its own name, UUID and MAC addresses, and a copy of every disk it writes${snapshot ? ', as it was at the snapshot' : ''}. The original is only read.`} testId="clone-domain-dialog" wide>
      <CloneFields newName={newName} setNewName={setNewName} pool={pool} setPool={setPool} pools={pools} locked={busy || done !== null} invalid={nameProblem !== null} />
      {snapshot === undefined && <CloneKind name={name} linked={linked} setLinked={setLinked} locked={busy || done !== null} />}
      {nameProblem !== null && newName !== '' && <p className="error-text small">{`The name ${nameProblem}`}</p>}
      {planError && <ErrorNote error={planError} testId="clone-domain-plan-error" />}
      {plan && <CloneDisks plan={plan} />}
      {plan?.problems.map((p) => (
        <p key={`${p.field}:${p.message}`} className="error-text small" data-testid="clone-domain-problem">{`${p.field}: ${p.message}`}</p>
      ))}
      {plan && (
        <details>
          <summary>{`The config it writes, ${plan.configPath}`}</summary>
          <pre className="log mono small" data-testid="clone-domain-config">{plan.text}</pre>
        </details>
      )}
      {busy && <JobProgress message={job.message} pct={job.pct} testId="clone-domain-progress" />}
      {error && <ErrorNote error={error} testId="clone-domain-error" />}
      {done !== null && <p className="ok-text" data-testid="clone-domain-done">{`Cloned ${name} as ${done}. It is stopped; start it when you are ready.`}</p>}
      <CloneActions busy={busy} done={done} ready={ready} onCancelJob={cancel} onClose={onClose} onClone={() => void clone()} />
    </Modal>
  );
}
