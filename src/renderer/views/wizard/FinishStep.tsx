import type { WizardPreview } from '../../../shared/contract-types';
import { XlDryRunNote } from '../../components/FieldProblems';
import { formatMiB } from '../../lib/format';
import { diskPath, type Draft } from './draft';
import { Field, invalidProps } from './field';
import { METHOD_WORDS, type StepProps } from './steps-basic';

function Switch({ label, checked, onChange, disabled, testId, hint }: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean; testId: string; hint: string }) {
  return (
    <label className={`wiz-switch${disabled ? ' disabled' : ''}`}>
      <input type="checkbox" role="switch" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} data-testid={testId} />
      <span>
        <span className="wiz-switch-label">{label}</span>
        <span className="muted small">{hint}</span>
      </span>
    </label>
  );
}

function Summary({ draft }: { draft: Draft }) {
  const rows: [string, string][] = [
    ['Type', `${draft.type.toUpperCase()} — ${METHOD_WORDS[draft.method].label}`],
    ['Source', draft.method === 'iso' ? draft.iso : draft.method === 'kernel' ? [draft.kernel, draft.ramdisk].filter(Boolean).join(' + ') : draft.method === 'pxe' ? 'network' : (draft.disks[0]?.path ?? '')],
    ['CPU and memory', `${draft.vcpus} vCPU (max ${draft.maxVcpus}), ${formatMiB(Number(draft.memoryMiB))} (max ${formatMiB(Number(draft.maxMemMiB))})`],
    ['Disks', draft.disks.length === 0 ? 'none' : draft.disks.map((x) => `${x.vdev}: ${x.mode === 'new' ? `new ${x.sizeGiB} GiB ${x.format} ${diskPath(x)}` : diskPath(x)}`).join('; ')],
    ['Network', draft.nics.length === 0 ? 'none' : draft.nics.map((n) => `${n.mac} on ${n.bridge}${n.model ? ` (${n.model})` : ''}`).join('; ')],
  ];
  return (
    <dl className="wiz-summary" data-testid="wiz-summary">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd className={k === 'CPU and memory' || k === 'Type' ? '' : 'mono'}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Step 6: the name, a summary, the exact xl.cfg that will be written, and what to do after writing it. */
export function FinishStep({ draft, set, problems, preview, previewing }: StepProps & { preview: WizardPreview | null; previewing: boolean }) {
  const upd = (p: Partial<Draft>): void => set((d) => ({ ...d, ...p }));
  const starts = draft.startNow && !draft.customise;
  return (
    <div className="wiz-step-body">
      <Field label="Name" field="name" problems={problems} hint="Letters, digits, “_”, “.” and “-”; unique on this host.">
        <input className="input mono wiz-name" value={draft.name} onChange={(e) => upd({ name: e.target.value })} spellCheck={false} data-testid="wiz-name" {...invalidProps(problems, 'name')} />
      </Field>
      <Summary draft={draft} />
      <div className="wiz-switches">
        <Switch label="Start now" checked={starts} disabled={draft.customise} onChange={(v) => upd({ startNow: v })} testId="wiz-start-now" hint="Runs xl create once the config is written." />
        <Switch label="Start at boot" checked={draft.autostart} onChange={(v) => upd({ autostart: v })} testId="wiz-autostart" hint="Links the config into /etc/xen/auto for xendomains." />
        <Switch label="Open the console" checked={draft.openConsole && starts} disabled={!starts} onChange={(v) => upd({ openConsole: v })} testId="wiz-open-console" hint="Shows the text console once the domain runs." />
        <Switch label="Customise before start" checked={draft.customise} onChange={(v) => upd({ customise: v })} testId="wiz-customise" hint="Writes the config and opens the domain's details instead of starting it." />
        <Switch label="Check with xl create -n first" checked={draft.dryRun} onChange={(v) => upd({ dryRun: v })} testId="wiz-dry-run" hint="libxl parses the written config before anything starts." />
        {draft.type === 'hvm' && <Switch label="Graphical console (VNC)" checked={draft.vnc} onChange={(v) => upd({ vnc: v })} testId="wiz-vnc" hint="On 127.0.0.1 with a USB tablet; off means serial console only." />}
      </div>
      <h3 className="wiz-subhead">
        {preview ? `${preview.configPath} — exactly what will be written` : 'The config that will be written'}
        {previewing && <span className="muted small"> (updating…)</span>}
      </h3>
      <pre className="wiz-preview" aria-label="xl.cfg preview (read-only)" tabIndex={0} data-testid="wiz-preview">
        {preview?.text || 'The preview appears once every field is valid.'}
      </pre>
      <XlDryRunNote xl={preview?.xl} testId="wiz-xl" />
      {preview && preview.warnings.length > 0 && (
        <ul className="wiz-warnings" data-testid="wiz-warnings">
          {preview.warnings.map((w) => (
            <li key={w} className="wiz-warning">
              {w}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
