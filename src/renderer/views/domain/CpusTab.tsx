import { useEffect, useState } from 'react';
import type { DomainDetails, VcpuInfo } from '../../../shared/contract-types';
import type { DomainSummary } from '../../../shared/dto';
import type { ApplyMode } from '../../../shared/schemas';
import { xen } from '../../api/client';
import { APPLY_WORDS, ApplyChoice, defaultApply } from '../../components/ApplyChoice';
import { EditStatus } from '../../components/EditStatus';
import { useEdit, type EditState } from '../../lib/use-domain';
import { isRunning, type TabProps } from './tab-props';

const CPUS_RE = /^(all|\d+(-\d+)?(,\d+(-\d+)?)*)$/;

/** The vCPU form: online count, maximum and where to apply, following the domain's figures and running state. */
function useVcpuForm(summary: DomainSummary | undefined, running: boolean) {
  const [vcpus, setVcpus] = useState(summary?.vcpus ?? 1);
  const [maxV, setMaxV] = useState(summary?.maxVcpus ?? 1);
  const [apply, setApply] = useState<ApplyMode>(defaultApply(running));
  useEffect(() => {
    if (summary) {
      setVcpus(summary.vcpus);
      setMaxV(summary.maxVcpus);
    }
  }, [summary?.vcpus, summary?.maxVcpus]);
  useEffect(() => setApply(defaultApply(running)), [running]);
  return { vcpus, setVcpus, maxV, setMaxV, apply, setApply };
}

/** Online vCPUs and maxvcpus, now and/or in the config. */
function VcpuCountCard({ name, summary, running, hostCpus }: { name: string; summary: DomainSummary | undefined; running: boolean; hostCpus: number }) {
  const { vcpus, setVcpus, maxV, setMaxV, apply, setApply } = useVcpuForm(summary, running);
  const count = useEdit();
  const maxAllowed = apply === 'config' ? maxV : (summary?.maxVcpus ?? maxV);
  const countOk = Number.isInteger(vcpus) && vcpus >= 1 && vcpus <= maxAllowed && maxV >= 1 && maxV <= 512;
  const save = () =>
    void count.run(
      () => xen.domain.setVcpus({ name, vcpus, ...(apply !== 'live' && maxV !== summary?.maxVcpus ? { maxVcpus: maxV } : {}), apply }),
      `vCPUs set: ${APPLY_WORDS[apply].toLowerCase()}.`,
    );
  return (
    <section className="card">
      <h2>Virtual CPUs</h2>
      <div className="row-gap">
        <label className="field-label">
          Online vCPUs
          <input type="number" className="input num" min={1} max={maxAllowed} value={vcpus} onChange={(e) => setVcpus(Number(e.target.value))} data-testid="cpu-vcpus" />
        </label>
        <label className="field-label">
          Maximum (maxvcpus; next start)
          <input type="number" className="input num" min={1} max={512} value={maxV} disabled={apply === 'live'} onChange={(e) => setMaxV(Number(e.target.value))} data-testid="cpu-maxvcpus" />
        </label>
        <span className="muted small">{`Host has ${hostCpus || '?'} CPUs. Live changes go up to the running maximum (${summary?.maxVcpus ?? '?'}).`}</span>
      </div>
      <ApplyChoice value={apply} onChange={setApply} running={running} testId="cpu-apply" />
      <div className="row-gap">
        <button type="button" className="btn primary" disabled={!countOk || count.busy} data-testid="cpu-save" onClick={save}>
          Apply vCPUs
        </button>
        {!countOk && <span className="error-text small">{`Between 1 and ${maxAllowed}.`}</span>}
        <EditStatus edit={count} testId="cpu-save" />
      </div>
    </section>
  );
}

interface PinRowProps {
  name: string;
  v: VcpuInfo;
  /** The pin field's text: what the user typed, else the hard affinity. */
  value: string;
  onValue: (value: string) => void;
  pin: EditState;
}

/** One vCPU: where it runs, its affinities, and a field and button to pin it now. */
function PinRow({ name, v, value, onValue, pin }: PinRowProps) {
  const ok = CPUS_RE.test(value);
  return (
    <tr data-testid={`vcpu-row-${v.vcpu}`}>
      <td>{v.vcpu}</td>
      <td>{v.cpu ?? '—'}</td>
      <td>{v.state}</td>
      <td>{`${v.timeS.toFixed(1)} s`}</td>
      <td className="mono">{v.affinityHard}</td>
      <td className="mono">{v.affinitySoft}</td>
      <td>
        <input
          className="input mono small-input"
          value={value}
          aria-label={`Host CPUs for vCPU ${v.vcpu}`}
          aria-invalid={!ok}
          onChange={(e) => onValue(e.target.value)}
          data-testid={`pin-input-${v.vcpu}`}
        />
      </td>
      <td>
        <button
          type="button"
          className="btn"
          disabled={!ok || pin.busy}
          data-testid={`pin-btn-${v.vcpu}`}
          onClick={() => void pin.run(() => xen.domain.pinVcpu({ name, vcpu: v.vcpu, cpus: value }), `vCPU ${v.vcpu} pinned to ${value} (now).`)}
        >
          Pin
        </button>
      </td>
    </tr>
  );
}

/** The running domain's vCPUs, each pinnable to host CPUs now. */
function PinningCard({ name, running, vcpus }: { name: string; running: boolean; vcpus: VcpuInfo[] }) {
  const [pins, setPins] = useState<Record<string, string>>({});
  const pin = useEdit();
  return (
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
            {vcpus.map((v) => {
              const key = String(v.vcpu);
              return <PinRow key={key} name={name} v={v} value={pins[key] ?? v.affinityHard} onValue={(val) => setPins({ ...pins, [key]: val })} pin={pin} />;
            })}
          </tbody>
        </table>
      )}
      <p className="muted small">Applies now to the running domain; write “cpus=” in the Config tab to pin at boot. Examples: “all”, “0-3”, “0,2”.</p>
      <EditStatus edit={pin} testId="pin" />
    </section>
  );
}

/** The credit2 weight and cap of a running domain, following the scheduler's figures. */
function SchedCard({ name, running, current }: { name: string; running: boolean; current: DomainDetails['sched'] | undefined }) {
  const [weight, setWeight] = useState(256);
  const [cap, setCap] = useState(0);
  const sched = useEdit();
  useEffect(() => {
    if (current) {
      setWeight(current.weight);
      setCap(current.cap);
    }
  }, [current?.weight, current?.cap]);
  return (
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
  );
}

/** vCPUs online (live up to maxvcpus) and the maximum, pinning, and the credit2 weight and cap. */
export function CpusTab({ name, summary, data }: TabProps) {
  const running = isRunning(summary);
  const d = data.details;
  return (
    <div className="tab-body">
      <VcpuCountCard name={name} summary={summary} running={running} hostCpus={d?.hostCpus ?? 0} />
      <PinningCard name={name} running={running} vcpus={d?.vcpus ?? []} />
      <SchedCard name={name} running={running} current={d?.sched} />
    </div>
  );
}
