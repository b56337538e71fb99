import { useEffect, useState } from 'react';
import type { ApplyMode } from '../../../shared/schemas';
import { xen } from '../../api/client';
import { APPLY_WORDS, ApplyChoice, defaultApply } from '../../components/ApplyChoice';
import { EditStatus } from '../../components/EditStatus';
import { useEdit } from '../../lib/use-domain';
import { isRunning, type TabProps } from './tab-props';

const CPUS_RE = /^(all|\d+(-\d+)?(,\d+(-\d+)?)*)$/;

/** vCPUs online (live up to maxvcpus) and the maximum, pinning, and the credit2 weight and cap. */
export function CpusTab({ name, summary, data }: TabProps) {
  const running = isRunning(summary);
  const d = data.details;
  const [vcpus, setVcpus] = useState(summary?.vcpus ?? 1);
  const [maxV, setMaxV] = useState(summary?.maxVcpus ?? 1);
  const [apply, setApply] = useState<ApplyMode>(defaultApply(running));
  const [weight, setWeight] = useState(256);
  const [cap, setCap] = useState(0);
  const [pins, setPins] = useState<Record<string, string>>({});
  const count = useEdit();
  const pin = useEdit();
  const sched = useEdit();
  useEffect(() => {
    if (summary) {
      setVcpus(summary.vcpus);
      setMaxV(summary.maxVcpus);
    }
  }, [summary?.vcpus, summary?.maxVcpus]);
  useEffect(() => {
    if (d?.sched) {
      setWeight(d.sched.weight);
      setCap(d.sched.cap);
    }
  }, [d?.sched?.weight, d?.sched?.cap]);
  useEffect(() => setApply(defaultApply(running)), [running]);
  const maxAllowed = apply === 'config' ? maxV : (summary?.maxVcpus ?? maxV);
  const countOk = Number.isInteger(vcpus) && vcpus >= 1 && vcpus <= maxAllowed && maxV >= 1 && maxV <= 512;
  const hostCpus = d?.hostCpus ?? 0;
  return (
    <div className="tab-body">
      <section className="card">
        <h2>Virtual CPUs</h2>
        <div className="row-gap">
          <label className="field-label">
            Online vCPUs
            <input type="number" className="input num" min={1} max={maxAllowed} value={vcpus} onChange={(e) => setVcpus(Number(e.target.value))} data-testid="cpu-vcpus" />
          </label>
          <label className="field-label">
            Maximum (maxvcpus; next boot)
            <input type="number" className="input num" min={1} max={512} value={maxV} disabled={apply === 'live'} onChange={(e) => setMaxV(Number(e.target.value))} data-testid="cpu-maxvcpus" />
          </label>
          <span className="muted small">{`Host has ${hostCpus || '?'} CPUs. Live changes go up to the running maximum (${summary?.maxVcpus ?? '?'}).`}</span>
        </div>
        <ApplyChoice value={apply} onChange={setApply} running={running} testId="cpu-apply" />
        <div className="row-gap">
          <button
            type="button"
            className="btn primary"
            disabled={!countOk || count.busy}
            data-testid="cpu-save"
            onClick={() =>
              void count.run(
                () => xen.domain.setVcpus({ name, vcpus, ...(apply !== 'live' && maxV !== summary?.maxVcpus ? { maxVcpus: maxV } : {}), apply }),
                `vCPUs set: ${APPLY_WORDS[apply].toLowerCase()}.`,
              )
            }
          >
            Apply vCPUs
          </button>
          {!countOk && <span className="error-text small">{`Between 1 and ${maxAllowed}.`}</span>}
          <EditStatus edit={count} testId="cpu-save" />
        </div>
      </section>
      <section className="card">
        <h2>Pinning</h2>
        {!running ? (
          <p className="muted">Pinning applies to a running domain; start it first.</p>
        ) : (
          <table className="table" data-testid="vcpu-table">
            <thead>
              <tr>
                <th>vCPU</th>
                <th>On CPU</th>
                <th>State</th>
                <th>Time</th>
                <th>Hard affinity</th>
                <th>Soft affinity</th>
                <th>Pin to</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {(d?.vcpus ?? []).map((v) => {
                const key = String(v.vcpu);
                const val = pins[key] ?? v.affinityHard;
                const ok = CPUS_RE.test(val);
                return (
                  <tr key={key} data-testid={`vcpu-row-${v.vcpu}`}>
                    <td>{v.vcpu}</td>
                    <td>{v.cpu ?? '—'}</td>
                    <td>{v.state}</td>
                    <td>{`${v.timeS.toFixed(1)} s`}</td>
                    <td className="mono">{v.affinityHard}</td>
                    <td className="mono">{v.affinitySoft}</td>
                    <td>
                      <input
                        className="input mono small-input"
                        value={val}
                        aria-label={`Host CPUs for vCPU ${v.vcpu}`}
                        aria-invalid={!ok}
                        onChange={(e) => setPins({ ...pins, [key]: e.target.value })}
                        data-testid={`pin-input-${v.vcpu}`}
                      />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="btn"
                        disabled={!ok || pin.busy}
                        data-testid={`pin-btn-${v.vcpu}`}
                        onClick={() => void pin.run(() => xen.domain.pinVcpu({ name, vcpu: v.vcpu, cpus: val }), `vCPU ${v.vcpu} pinned to ${val} (now).`)}
                      >
                        Pin
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <p className="muted small">Applies now to the running domain; write “cpus=” in the Config tab to pin at boot. Examples: “all”, “0-3”, “0,2”.</p>
        <EditStatus edit={pin} testId="pin" />
      </section>
      <section className="card">
        <h2>Scheduler (credit2)</h2>
        {!running ? (
          <p className="muted">Weight and cap apply to a running domain.</p>
        ) : (
          <div className="row-gap">
            <label className="field-label">
              Weight (1–65535)
              <input type="number" className="input num" min={1} max={65535} value={weight} onChange={(e) => setWeight(Number(e.target.value))} data-testid="sched-weight" />
            </label>
            <label className="field-label">
              Cap (% of one CPU, 0 = none)
              <input type="number" className="input num" min={0} max={51200} value={cap} onChange={(e) => setCap(Number(e.target.value))} data-testid="sched-cap" />
            </label>
            <button
              type="button"
              className="btn primary"
              disabled={sched.busy || !(weight >= 1 && weight <= 65535 && cap >= 0 && cap <= 51200)}
              data-testid="sched-save"
              onClick={() => void sched.run(() => xen.domain.setSched({ name, weight, cap }), 'Scheduler set (now).')}
            >
              Apply now
            </button>
            <EditStatus edit={sched} testId="sched-save" />
          </div>
        )}
      </section>
    </div>
  );
}
