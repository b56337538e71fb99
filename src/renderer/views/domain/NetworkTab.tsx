import { useEffect, useState } from 'react';
import type { NicInfo } from '../../../shared/contract-types';
import type { DomainSample } from '../../../shared/dto';
import { macProblem } from '../../../shared/rules';
import type { ApplyMode } from '../../../shared/schemas';
import { xen } from '../../api/client';
import { APPLY_WORDS, ApplyChoice, defaultApply } from '../../components/ApplyChoice';
import { EditStatus } from '../../components/EditStatus';
import { ConfirmDialog } from '../../components/Modal';
import { FieldProblems } from '../../components/FieldProblems';
import { formatRate } from '../../lib/format';
import { useEdit, type EditState } from '../../lib/use-domain';
import { randomXenMac } from '../../lib/vdev';
import { useAppStore } from '../../store/app-store';
import { stats, useStatsTick } from '../../store/stats-store';
import { detachApply, isRunning, placeWords, type TabProps } from './tab-props';

type Model = '' | 'e1000' | 'rtl8139' | 'virtio-net';

type Detach = { mac: string; apply: ApplyMode };

/** The traffic of all interfaces and the table of them, each with Detach. */
function NicListCard({ nics, loaded, sample, onDetach }: { nics: NicInfo[]; loaded: boolean; sample: DomainSample | undefined; onDetach: (detach: Detach) => void }) {
  return (
    <section className="card">
      <h2>Network interfaces</h2>
      <p className="muted small" data-testid="net-rates">{sample ? `All interfaces: ${formatRate(sample.netRxBps)} received, ${formatRate(sample.netTxBps)} sent.` : 'No traffic figures while stopped.'}</p>
      <table className="table" data-testid="nic-table">
        <thead>
          <tr>
            <th>#</th>
            <th>MAC</th>
            <th>Bridge</th>
            <th>Model</th>
            <th>vif</th>
            <th>Present</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {nics.map((n, i) => (
            <tr key={`${n.mac}/${i}`} data-testid={`nic-row-${n.mac}`}>
              <td>{n.devid ?? '—'}</td>
              <td className="mono">
                {n.mac}
                <FieldProblems problems={n.problems} testId={`nic-problems-${i}`} />
              </td>
              <td>{n.bridge ?? '—'}</td>
              <td>{n.model ?? 'default'}</td>
              <td className="mono">{n.vifName ?? '—'}</td>
              <td>{placeWords(n)}</td>
              <td>
                <button type="button" className="btn danger" data-testid={`nic-detach-${n.mac}`} onClick={() => onDetach({ mac: n.mac, apply: detachApply(n) })}>
                  Detach…
                </button>
              </td>
            </tr>
          ))}
          {nics.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {loaded ? 'No network interfaces.' : 'Loading…'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** The add-an-interface form: bridge (the host's first until bridges arrive), a fresh MAC, model and where to apply. */
function useNicForm(bridges: readonly string[], running: boolean) {
  const [bridge, setBridge] = useState(bridges[0] ?? '');
  const [mac, setMac] = useState(randomXenMac());
  const [model, setModel] = useState<Model>('');
  const [apply, setApply] = useState<ApplyMode>(defaultApply(running));
  useEffect(() => setApply(defaultApply(running)), [running]);
  useEffect(() => {
    if (bridges[0] && !bridges.includes(bridge)) setBridge(bridges[0]);
  }, [bridges.join(',')]); // bridges arrive with host:info
  return { bridge, setBridge, mac, setMac, model, setModel, apply, setApply };
}

type NicForm = ReturnType<typeof useNicForm>;

/** The bridge (one the host has: a NIC on any other would fail when the domain starts), MAC and model fields. */
function NicFields({ f, bridges, macOk }: { f: NicForm; bridges: readonly string[]; macOk: boolean }) {
  return (
    <div className="form-grid">
      <label className="field-label">
        Bridge
        <select className="input mono" value={f.bridge} onChange={(e) => f.setBridge(e.target.value)} disabled={bridges.length === 0} data-testid="nic-bridge">
          {bridges.length === 0 && <option value="">no bridge on this host</option>}
          {bridges.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </label>
      <label className="field-label">
        MAC
        <span className="row-gap tight">
          <input className="input mono" value={f.mac} onChange={(e) => f.setMac(e.target.value)} aria-invalid={!macOk} data-testid="nic-mac" />
          <button type="button" className="btn" onClick={() => f.setMac(randomXenMac())} data-testid="nic-mac-random">
            New
          </button>
        </span>
      </label>
      <label className="field-label">
        Model (HVM)
        <select className="input" value={f.model} onChange={(e) => f.setModel(e.target.value as Model)} data-testid="nic-model">
          <option value="">default</option>
          <option value="e1000">e1000</option>
          <option value="rtl8139">rtl8139</option>
          <option value="virtio-net">virtio-net</option>
        </select>
      </label>
    </div>
  );
}

const NO_BRIDGES: readonly string[] = [];

/** Add an interface now and/or in the config; a new random MAC follows each success. */
function AddNicCard({ name, running, edit }: { name: string; running: boolean; edit: EditState }) {
  // One empty list for every render: a selector returning a new array each time makes React re-render without end.
  const bridges = useAppStore((s) => s.host?.bridges ?? NO_BRIDGES);
  const f = useNicForm(bridges, running);
  const { bridge, mac, model, apply } = f;
  const macOk = mac === '' || macProblem(mac) === null;
  const bridgeOk = bridges.includes(bridge);
  const attach = () =>
    void edit.run(
      () => xen.domain.attachNic({ name, nic: { bridge, ...(mac ? { mac: mac.toLowerCase() } : {}), ...(model ? { model } : {}) }, apply }),
      `Interface added: ${APPLY_WORDS[apply].toLowerCase()}.`,
    ).then((ok) => ok && f.setMac(randomXenMac()));
  return (
    <section className="card">
      <h2>Add an interface</h2>
      <NicFields f={f} bridges={bridges} macOk={macOk} />
      {bridges.length === 0 && <p className="warn-text" data-testid="nic-no-bridge">This host has no bridge for an interface to join; see Networks.</p>}
      <ApplyChoice value={apply} onChange={f.setApply} running={running} testId="nic-apply" />
      <div className="row-gap">
        <button type="button" className="btn primary" disabled={edit.busy || !macOk || !bridgeOk} data-testid="nic-attach" onClick={attach}>
          Attach
        </button>
        <EditStatus edit={edit} testId="nic-attach" />
      </div>
    </section>
  );
}

/** Network interfaces: MAC, bridge, model, vif name and traffic; attach and detach, now and/or in the config. */
export function NetworkTab({ name, summary, data }: TabProps) {
  useStatsTick();
  const running = isRunning(summary);
  const edit = useEdit();
  const [detach, setDetach] = useState<Detach | null>(null);
  return (
    <div className="tab-body">
      <NicListCard nics={data.details?.nics ?? []} loaded={data.details !== null} sample={stats.latest.get(name)} onDetach={setDetach} />
      <AddNicCard name={name} running={running} edit={edit} />
      {detach && (
        <ConfirmDialog
          open
          onOpenChange={(o) => !o && setDetach(null)}
          title={`Detach ${detach.mac}?`}
          description={`${APPLY_WORDS[detach.apply]}.`}
          confirmLabel="Detach"
          testId="nic-detach-dialog"
          onConfirm={() => {
            const d = detach;
            void edit.run(() => xen.domain.detachNic({ name, mac: d.mac, apply: d.apply }), `Interface ${d.mac} detached: ${APPLY_WORDS[d.apply].toLowerCase()}.`);
          }}
        />
      )}
    </div>
  );
}
