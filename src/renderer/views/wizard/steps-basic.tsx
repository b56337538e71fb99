import type { WizardOptions } from '../../../shared/contract-types';
import type { DomainType } from '../../../shared/dto';
import { METHODS_BY_TYPE, presetFitsType, type PlanProblem, type WizardMethod } from '../../../shared/wizard-plan';
import { PathField } from '../../components/FileChooser';
import { IsoPicker } from '../../components/IsoPicker';
import { formatMiB } from '../../lib/format';
import { adaptDisksToMethod, applyPreset, DEFAULT_METHOD, type Draft } from './draft';
import { Field, FieldError, invalidProps } from './field';

/** What every step gets: the draft, a way to change it, the host's options and the current problems. */
export interface StepProps {
  draft: Draft;
  set: (fn: (d: Draft) => Draft) => void;
  opts: WizardOptions;
  problems: readonly PlanProblem[];
}

const TYPE_LABEL: Record<DomainType, string> = { hvm: 'HVM', pv: 'PV', pvh: 'PVH' };

/** Each install method in one sentence. */
export const METHOD_WORDS: Record<WizardMethod, { label: string; sentence: string }> = {
  iso: { label: 'Install from an ISO image', sentence: 'Boots an installer CD image; the new disk receives the installed system.' },
  disk: { label: 'Boot an existing disk image', sentence: 'Boots the system already installed on a disk image, logical volume or device.' },
  pxe: { label: 'Network boot (PXE)', sentence: 'Boots over the network from the first interface; a PXE server on that network must answer.' },
  kernel: { label: 'Direct kernel boot', sentence: 'Xen loads a kernel and ramdisk from dom0 with your command line; the guest needs no bootloader.' },
  pygrub: { label: 'pygrub from an existing disk', sentence: 'pygrub reads the grub menu inside an existing disk image and boots the kernel it names.' },
};

/** Step 1: the guest type (unavailable ones disabled with the reason) and the install method. */
export function TypeStep({ draft, set, opts, problems }: StepProps) {
  const chooseType = (type: DomainType): void =>
    set((d) => adaptDisksToMethod({ ...d, type, method: DEFAULT_METHOD[type], nics: d.nics.map((n) => (type === 'hvm' ? n : { ...n, model: '' })) }, opts));
  return (
    <div className="wiz-step-body">
      <fieldset className="wiz-fieldset">
        <legend>Guest type</legend>
        <div className="wiz-choices" role="radiogroup" aria-label="Guest type">
          {opts.guestTypes.map((t) => (
            <label key={t.type} className={`wiz-choice${draft.type === t.type ? ' selected' : ''}${t.available ? '' : ' disabled'}`} data-testid={`wiz-type-${t.type}`}>
              <input type="radio" name="wiz-type" checked={draft.type === t.type} disabled={!t.available} onChange={() => chooseType(t.type)} />
              <span className="wiz-choice-title">{TYPE_LABEL[t.type]}</span>
              <span className={t.available ? 'muted' : 'warn-text'}>{t.reason}</span>
            </label>
          ))}
        </div>
        <FieldError problems={problems} field="type" />
      </fieldset>
      <fieldset className="wiz-fieldset">
        <legend>Install method</legend>
        <div className="wiz-choices" role="radiogroup" aria-label="Install method">
          {METHODS_BY_TYPE[draft.type].map((m) => (
            <label key={m} className={`wiz-choice${draft.method === m ? ' selected' : ''}`} data-testid={`wiz-method-${m}`}>
              <input type="radio" name="wiz-method" checked={draft.method === m} onChange={() => set((d) => adaptDisksToMethod({ ...d, method: m }, opts))} />
              <span className="wiz-choice-title">{METHOD_WORDS[m].label}</span>
              <span className="muted">{METHOD_WORDS[m].sentence}</span>
            </label>
          ))}
        </div>
        <FieldError problems={problems} field="method" />
      </fieldset>
    </div>
  );
}

/** The kernel, ramdisk and command line of a direct kernel boot. */
function KernelFields({ draft, set, problems }: StepProps) {
  return (
    <>
      <div className="wiz-field">
        <PathField value={draft.kernel} onChange={(v) => set((d) => ({ ...d, kernel: v }))} filter="kernel" startDir="/var/lib/xen" label="Kernel" testId="wiz-kernel" />
        <FieldError problems={problems} field="kernel" />
      </div>
      <div className="wiz-field">
        <PathField value={draft.ramdisk} onChange={(v) => set((d) => ({ ...d, ramdisk: v }))} filter="kernel" startDir="/var/lib/xen" label="Ramdisk (optional)" testId="wiz-ramdisk" />
        <FieldError problems={problems} field="ramdisk" />
      </div>
      <Field label="Kernel command line" field="cmdline" problems={problems} hint={draft.type === 'pv' || draft.type === 'pvh' ? 'console=hvc0 sends the guest console to xl console.' : undefined}>
        <input className="input mono" value={draft.cmdline} onChange={(e) => set((d) => ({ ...d, cmdline: e.target.value }))} spellCheck={false} data-testid="wiz-cmdline" {...invalidProps(problems, 'cmdline')} />
      </Field>
    </>
  );
}

/** The existing disk that pygrub or an HVM disk boot starts from (disk 1), and its format. */
function BootDiskFields({ boot, set, opts, problems }: StepProps & { boot: Draft['disks'][number] }) {
  return (
    <div className="wiz-row">
      <div className="wiz-field grow">
        <PathField
          value={boot.path}
          onChange={(v) => set((d) => ({ ...d, disks: d.disks.map((x, i) => (i === 0 ? { ...x, path: v } : x)) }))}
          filter="image"
          startDir={opts.imageDir}
          label="Existing disk image, logical volume or device to boot"
          testId="wiz-bootdisk"
        />
        <FieldError problems={problems} field="disks[0].path" />
        <FieldError problems={problems} field="disks[0].mode" />
        <FieldError problems={problems} field="disks" />
      </div>
      <label className="field-label">
        Format
        <select className="input" value={boot.format} onChange={(e) => set((d) => ({ ...d, disks: d.disks.map((x, i) => (i === 0 ? { ...x, format: e.target.value as 'raw' | 'qcow2' | 'vhd' } : x)) }))} data-testid="wiz-bootdisk-format">
          <option value="raw">raw (also LVs and devices)</option>
          <option value="qcow2">qcow2</option>
          <option value="vhd">vhd</option>
        </select>
      </label>
    </div>
  );
}

/** The OS preset, which sets memory, vCPUs and the first disk's size. */
function PresetField({ draft, set, opts, problems }: StepProps) {
  return (
    <Field label="Operating system preset" field="preset" problems={problems} hint="Sets memory, vCPUs and the first disk's size; Windows also turns on viridian. You can change each later.">
      <select
        className="input"
        value={draft.preset}
        data-testid="wiz-preset"
        onChange={(e) => {
          const p = opts.presets.find((x) => x.id === e.target.value);
          if (p) set((d) => applyPreset(d, p, opts.hostCpus));
        }}
      >
        {opts.presets.filter((p) => presetFitsType(p.id, draft.type) || p.id === draft.preset).map((p) => (
          <option key={p.id} value={p.id}>
            {`${p.label} — ${formatMiB(p.memoryMiB)}, ${p.vcpus} vCPU${p.vcpus === 1 ? '' : 's'}, ${p.diskGiB} GiB${p.viridian ? ', viridian' : ''}`}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** Step 2: the ISO, kernel/ramdisk/command line or boot disk (chosen on the host or typed), and the OS preset. */
export function SourceStep(props: StepProps) {
  const { draft, set, problems } = props;
  const boot = draft.disks[0];
  return (
    <div className="wiz-step-body">
      <p className="muted">{METHOD_WORDS[draft.method].sentence}</p>
      {draft.method === 'iso' && (
        <div className="wiz-field">
          <IsoPicker value={draft.iso} onPick={(v) => set((d) => ({ ...d, iso: v }))} testId="wiz-iso-library" />
          <PathField value={draft.iso} onChange={(v) => set((d) => ({ ...d, iso: v }))} filter="iso" startDir="/var/lib/xen" label="Install ISO" testId="wiz-iso" />
          <FieldError problems={problems} field="iso" />
        </div>
      )}
      {draft.method === 'kernel' && <KernelFields {...props} />}
      {(draft.method === 'pygrub' || draft.method === 'disk') && boot && <BootDiskFields {...props} boot={boot} />}
      {draft.method === 'pxe' && <p>Nothing to choose here: the guest boots from its first network interface (set on the Network step).</p>}
      <PresetField {...props} />
    </div>
  );
}

/** Step 3: vCPUs and memory beside the host's CPUs and free memory, with overcommit warnings. */
export function CpuStep({ draft, set, opts, problems }: StepProps) {
  const mem = Number(draft.memoryMiB);
  const vcpus = Number(draft.vcpus);
  const num = (key: 'vcpus' | 'maxVcpus' | 'memoryMiB' | 'maxMemMiB', label: string, unit: string) => (
    <Field label={`${label}${unit}`} field={key} problems={problems}>
      <input className="input num" inputMode="numeric" value={draft[key]} onChange={(e) => set((d) => ({ ...d, [key]: e.target.value }))} data-testid={`wiz-${key}`} {...invalidProps(problems, key)} />
    </Field>
  );
  return (
    <div className="wiz-step-body">
      <p className="wiz-host-facts" data-testid="wiz-host-facts">
        {`The host has ${opts.hostCpus} CPUs and ${formatMiB(opts.freeMemMiB)} free of ${formatMiB(opts.totalMemMiB)}.`}
      </p>
      <div className="wiz-grid two">
        {num('vcpus', 'vCPUs', '')}
        {num('maxVcpus', 'Maximum vCPUs', ' (hot-plug up to)')}
        {num('memoryMiB', 'Memory', ' (MiB)')}
        {num('maxMemMiB', 'Maximum memory', ' (MiB, balloon up to)')}
      </div>
      {Number.isFinite(mem) && mem > opts.freeMemMiB && (
        <p className="wiz-warning" data-testid="wiz-overcommit" role="status">
          {`Memory: ${formatMiB(mem)} is more than the ${formatMiB(opts.freeMemMiB)} the host has free; the domain will not start until memory is freed.`}
        </p>
      )}
      {Number.isFinite(vcpus) && vcpus > opts.hostCpus && (
        <p className="wiz-warning" role="status">{`vCPUs: ${vcpus} is more than the host's ${opts.hostCpus} CPUs.`}</p>
      )}
    </div>
  );
}
