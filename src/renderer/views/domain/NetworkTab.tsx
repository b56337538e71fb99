import { useEffect, useState } from 'react';
import { macProblem } from '../../../shared/rules';
import type { ApplyMode } from '../../../shared/schemas';
import { xen } from '../../api/client';
import { APPLY_WORDS, ApplyChoice, defaultApply } from '../../components/ApplyChoice';
import { EditStatus } from '../../components/EditStatus';
import { ConfirmDialog } from '../../components/Modal';
import { formatRate } from '../../lib/format';
import { useEdit } from '../../lib/use-domain';
import { randomXenMac } from '../../lib/vdev';
import { useAppStore } from '../../store/app-store';
import { stats, useStatsTick } from '../../store/stats-store';
import { detachApply, isRunning, placeWords, type TabProps } from './tab-props';

type Model = '' | 'e1000' | 'rtl8139' | 'virtio-net';

/** Network interfaces: MAC, bridge, model, vif name and traffic; attach and detach, now and/or in the config. */
export function NetworkTab({ name, summary, data }: TabProps) {
  useStatsTick();
  const running = isRunning(summary);
  const nics = data.details?.nics ?? [];
  const bridges = useAppStore((s) => s.host?.bridges ?? []);
  const sample = stats.latest.get(name);
  const edit = useEdit();
  const [bridge, setBridge] = useState(bridges[0] ?? 'xenbr0');
  const [mac, setMac] = useState(randomXenMac());
  const [model, setModel] = useState<Model>('');
  const [apply, setApply] = useState<ApplyMode>(defaultApply(running));
  const [detach, setDetach] = useState<{ mac: string; apply: ApplyMode } | null>(null);
  useEffect(() => setApply(defaultApply(running)), [running]);
  useEffect(() => {
    if (bridges[0] && !bridges.includes(bridge)) setBridge(bridges[0]);
  }, [bridges.join(',')]); // bridges arrive with host:info
  const macOk = mac === '' || macProblem(mac) === null;
  const bridgeOk = /^[A-Za-z0-9_.-]{1,15}$/.test(bridge);
  return (
    <div className="tab-body">
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
            {nics.map((n) => (
              <tr key={n.mac} data-testid={`nic-row-${n.mac}`}>
                <td>{n.devid ?? '—'}</td>
                <td className="mono">{n.mac}</td>
                <td>{n.bridge ?? '—'}</td>
                <td>{n.model ?? 'default'}</td>
                <td className="mono">{n.vifName ?? '—'}</td>
                <td>{placeWords(n)}</td>
                <td>
                  <button type="button" className="btn danger" data-testid={`nic-detach-${n.mac}`} onClick={() => setDetach({ mac: n.mac, apply: detachApply(n) })}>
                    Detach…
                  </button>
                </td>
              </tr>
            ))}
            {nics.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  {data.details ? 'No network interfaces.' : 'Loading…'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>Add an interface</h2>
        <div className="form-grid">
          <label className="field-label">
            Bridge
            <input className="input mono" list="bridge-list" value={bridge} onChange={(e) => setBridge(e.target.value)} aria-invalid={!bridgeOk} data-testid="nic-bridge" />
            <datalist id="bridge-list">
              {bridges.map((b) => (
                <option key={b} value={b} />
              ))}
            </datalist>
          </label>
          <label className="field-label">
            MAC
            <span className="row-gap tight">
              <input className="input mono" value={mac} onChange={(e) => setMac(e.target.value)} aria-invalid={!macOk} data-testid="nic-mac" />
              <button type="button" className="btn" onClick={() => setMac(randomXenMac())} data-testid="nic-mac-random">
                New
              </button>
            </span>
          </label>
          <label className="field-label">
            Model (HVM)
            <select className="input" value={model} onChange={(e) => setModel(e.target.value as Model)} data-testid="nic-model">
              <option value="">default</option>
              <option value="e1000">e1000</option>
              <option value="rtl8139">rtl8139</option>
              <option value="virtio-net">virtio-net</option>
            </select>
          </label>
        </div>
        <ApplyChoice value={apply} onChange={setApply} running={running} testId="nic-apply" />
        <div className="row-gap">
          <button
            type="button"
            className="btn primary"
            disabled={edit.busy || !macOk || !bridgeOk}
            data-testid="nic-attach"
            onClick={() =>
              void edit.run(
                () => xen.domain.attachNic({ name, nic: { bridge, ...(mac ? { mac: mac.toLowerCase() } : {}), ...(model ? { model } : {}) }, apply }),
                `Interface added: ${APPLY_WORDS[apply].toLowerCase()}.`,
              ).then((ok) => ok && setMac(randomXenMac()))
            }
          >
            Attach
          </button>
          <EditStatus edit={edit} testId="nic-attach" />
        </div>
      </section>
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
