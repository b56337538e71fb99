import { useState } from 'react';
import { EditStatus } from '../../components/EditStatus';
import { xen } from '../../api/client';
import { stateLabel, stateWords, uptimeNow } from '../../lib/domain-list';
import { formatMiB, formatUptime } from '../../lib/format';
import { navigate } from '../../lib/route';
import { useEdit, type EditState } from '../../lib/use-domain';
import { runAction, useActions } from '../../lib/actions';
import { stats, useStatsTick } from '../../store/stats-store';
import type { TabProps } from './tab-props';
import { ConfirmDialog } from '../../components/Modal';
import { ConfigProblemsCard } from '../../components/FieldProblems';
import { domainNameProblem } from '../../../shared/rules';
import { SYSRQ, SYSRQ_KEYS, type SysrqKey } from '../../../shared/contract';
import type { DomainSample, DomainSummary } from '../../../shared/dto';
import { GuestAddresses } from '../../components/GuestAddresses';
import { useAddressFeed } from '../../store/addresses-store';

/** Send a magic SysRq key to a running guest's kernel, after saying what it will do. */
function SysrqCard({ name, running }: { name: string; running: boolean }) {
  const [key, setKey] = useState<SysrqKey>('s');
  const [asking, setAsking] = useState(false);
  const send = useEdit();
  return (
    <section className="card">
      <h2>Magic SysRq</h2>
      <div className="row-gap">
        <label className="field-label">
          Key
          <select className="input" value={key} onChange={(e) => setKey(e.target.value as SysrqKey)} data-testid="ov-sysrq-key">
            {SYSRQ_KEYS.map((k) => (
              <option key={k} value={k}>{`${k} — ${SYSRQ[k]}`}</option>
            ))}
          </select>
        </label>
        <button type="button" className="btn" disabled={!running || send.busy} onClick={() => setAsking(true)} data-testid="ov-sysrq">
          Send…
        </button>
      </div>
      <p className="muted small">{running ? 'The guest kernel acts on it as on Alt+SysRq+key; the output goes to its console.' : 'Only a running domain has a kernel to send a key to.'}</p>
      <EditStatus edit={send} testId="ov-sysrq" />
      <ConfirmDialog
        open={asking}
        onOpenChange={setAsking}
        title={`Send SysRq ${key} to ${name}?`}
        description={`The guest's kernel will ${SYSRQ[key]}.`}
        confirmLabel={`Send ${key}`}
        onConfirm={() => void send.run(() => xen.domain.sysrq({ name, key }), `Sent SysRq ${key}: ${SYSRQ[key]}.`)}
        testId="ov-sysrq-confirm"
      />
    </section>
  );
}

/** The domain's facts: name, UUID, id, type, state, uptime, vCPUs, memory, addresses, config file and CPU time. */
function OverviewCard({ summary, sample, configPath }: { summary: DomainSummary; sample: DomainSample | undefined; configPath: string | undefined }) {
  return (
    <section className="card">
      <h2>Overview</h2>
      <dl className="grid-facts">
        <dt>Name</dt>
        <dd data-testid="ov-name">{summary.name}</dd>
        <dt>UUID</dt>
        <dd className="mono" data-testid="ov-uuid">{summary.uuid ?? '—'}</dd>
        <dt>Domain ID</dt>
        <dd>{summary.domid ?? 'not running'}</dd>
        <dt>Type</dt>
        <dd data-testid="ov-type">{summary.type ? summary.type.toUpperCase() : '—'}</dd>
        <dt>State</dt>
        <dd data-testid="ov-state">{`${sample?.state ?? stateLabel(summary)} — ${stateWords(summary, sample)}`}</dd>
        <dt>Uptime</dt>
        <dd>{formatUptime(uptimeNow(summary, Date.now(), Date.now()) ?? null)}</dd>
        <dt>vCPUs</dt>
        <dd>{`${summary.vcpus} of at most ${summary.maxVcpus}`}</dd>
        <dt>Memory</dt>
        <dd>{`${formatMiB(sample ? sample.memKiB / 1024 : summary.memoryMiB)} of at most ${formatMiB(summary.maxMemMiB)}`}</dd>
        <dt>IP addresses</dt>
        <dd data-testid="ov-ips">
          <GuestAddresses name={summary.name} running={summary.state !== 'stopped'} />
        </dd>
        <dt>Config file</dt>
        <dd className="mono" data-testid="ov-config">{summary.configPath ?? configPath ?? 'none (created without a file)'}</dd>
        <dt>CPU time</dt>
        <dd>{summary.state === 'stopped' ? '—' : `${Math.round(sample?.cpuTimeS ?? summary.cpuTimeS)} s`}</dd>
      </dl>
    </section>
  );
}

interface RenameFormProps {
  name: string;
  newName: string;
  setNewName: (name: string) => void;
  rename: EditState;
}

/** The new name, checked as typed, and Rename (the running domain and its config file). */
function RenameForm({ name, newName, setNewName, rename }: RenameFormProps) {
  const nameOk = domainNameProblem(newName) === null;
  return (
    <>
      <form
        className="row-gap"
        onSubmit={(e) => {
          e.preventDefault();
          void rename.run(async () => {
            await xen.domain.rename({ name, newName });
            stats.forget(name);
            navigate({ view: 'domain', name: newName, tab: 'overview' });
          }, `Renamed to ${newName}`);
        }}
      >
        <label className="field-label">
          New name
          <input className="input" value={newName} onChange={(e) => setNewName(e.target.value)} aria-invalid={!nameOk} data-testid="ov-rename-input" />
        </label>
        <button type="submit" className="btn" disabled={!nameOk || newName === name || rename.busy} data-testid="ov-rename">
          Rename
        </button>
      </form>
      {!nameOk && <p className="error-text small">Letters, digits, “_”, “.” and “-” only, not starting with “-”, at most 64.</p>}
    </>
  );
}

/** Name, UUID, type, state, uptime, config file, autostart; rename. */
export function OverviewTab({ name, summary, data }: TabProps) {
  useStatsTick();
  const [newName, setNewName] = useState(name);
  const rename = useEdit();
  const autoBusy = useActions((s) => s.busy[name]);
  useAddressFeed();
  if (!summary) return <p className="muted">Loading…</p>;
  return (
    <div className="tab-body two-col">
      <OverviewCard summary={summary} sample={stats.latest.get(name)} configPath={data.config?.path} />
      <ConfigProblemsCard problems={data.config?.problems ?? []} />
      <section className="card">
        <h2>Start at host boot</h2>
        <label className="check-row">
          <input
            type="checkbox"
            checked={summary.autostart}
            disabled={summary.configPath === null || autoBusy !== undefined}
            onChange={(e) => void runAction(e.target.checked ? 'autostart-on' : 'autostart-off', [name])}
            data-testid="ov-autostart"
          />
          Start this domain when the host boots (a link in /etc/xen/auto)
        </label>
        <h2>Rename</h2>
        <RenameForm name={name} newName={newName} setNewName={setNewName} rename={rename} />
        <p className="muted small">Renames the running domain (now) and its config file (next start).</p>
        <EditStatus edit={rename} testId="ov-rename" />
      </section>
      <SysrqCard name={name} running={summary.state === 'running' || summary.state === 'blocked' || summary.state === 'paused'} />
    </div>
  );
}
