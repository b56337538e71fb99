import { useEffect, useState } from 'react';
import { EditStatus } from '../../components/EditStatus';
import { PathField } from '../../components/FileChooser';
import type { DomainConfigView } from '../../../shared/contract-types';
import type { ConfigPatch, DomainConfig } from '../../../shared/domain-config';
import { savePatch } from '../../lib/use-config-edit';
import { useEdit } from '../../lib/use-domain';
import type { TabProps } from './tab-props';

const EVENTS = ['destroy', 'restart', 'preserve', 'rename-restart', 'coredump-destroy', 'coredump-restart', 'soft-reset'];
const BOOT_DEVS: { id: string; label: string }[] = [
  { id: 'c', label: 'Hard disk' },
  { id: 'd', label: 'CD-ROM' },
  { id: 'n', label: 'Network (PXE)' },
];

/** The boot options this tab edits, as form text ('' when unset; a list joined with ", "). */
const BOOT_KEYS = ['kernel', 'ramdisk', 'cmdline', 'extra', 'root', 'bootloader', 'bootloader_args', 'firmware', 'boot', 'on_poweroff', 'on_reboot', 'on_crash'] as const;
function asText(cfg: DomainConfig | null | undefined, k: (typeof BOOT_KEYS)[number]): string {
  const v = cfg?.[k];
  return v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v);
}

/** The boot form's text per key: `val` reads one, `set(k)` makes its change handler; reset when the file's text changes. */
function useBootForm(view: DomainConfigView | null) {
  const [f, setF] = useState<Record<string, string>>({});
  useEffect(() => {
    setF(Object.fromEntries(BOOT_KEYS.map((k) => [k, asText(view?.config, k)])));
    // Only a change of the file resets the form; a background reload with the same text keeps unsaved edits.
  }, [view?.text]);
  const set = (k: string) => (v: string) => setF({ ...f, [k]: v });
  const val = (k: string) => f[k] ?? '';
  return { set, val };
}

type BootForm = ReturnType<typeof useBootForm>;

/** The values a save writes: firmware and boot order (HVM) or kernel and bootloader (PV/PVH), and the event actions; null removes a key. */
function bootValues(hvm: boolean, val: BootForm['val']): Record<string, string | null> {
  const opt = (k: string) => (val(k).trim() === '' ? null : val(k).trim());
  return hvm
    ? { firmware: opt('firmware'), boot: opt('boot'), on_poweroff: opt('on_poweroff'), on_reboot: opt('on_reboot'), on_crash: opt('on_crash') }
    : {
        kernel: opt('kernel'),
        ramdisk: opt('ramdisk'),
        cmdline: opt('cmdline'),
        bootloader: opt('bootloader'),
        on_poweroff: opt('on_poweroff'),
        on_reboot: opt('on_reboot'),
        on_crash: opt('on_crash'),
      };
}

/** The devices to boot from, in order, with a button that rotates the order. */
function BootOrder({ set, val }: BootForm) {
  const bootOrder = val('boot') || 'cd';
  return (
    <fieldset className="boot-order" data-testid="boot-order">
      <legend>{`Boot order: ${bootOrder.split('').map((c) => BOOT_DEVS.find((b) => b.id === c)?.label ?? c).join(' → ')}`}</legend>
      {BOOT_DEVS.map((b) => (
        <label key={b.id} className="check-row">
          <input
            type="checkbox"
            checked={bootOrder.includes(b.id)}
            data-testid={`boot-dev-${b.id}`}
            onChange={(e) => set('boot')(e.target.checked ? bootOrder + b.id : bootOrder.replace(b.id, ''))}
          />
          {b.label}
        </label>
      ))}
      <button type="button" className="btn" onClick={() => set('boot')(bootOrder.slice(1) + bootOrder.slice(0, 1))} disabled={bootOrder.length < 2} data-testid="boot-rotate">
        Rotate order
      </button>
    </fieldset>
  );
}

/** HVM: firmware and boot order. */
function HvmBootFields({ set, val }: BootForm) {
  return (
    <div className="form-grid">
      <label className="field-label">
        Firmware
        <select className="input" value={val('firmware')} onChange={(e) => set('firmware')(e.target.value)} data-testid="boot-firmware">
          <option value="">default (SeaBIOS)</option>
          <option value="bios">BIOS</option>
          <option value="uefi">UEFI (OVMF)</option>
          <option value="seabios">SeaBIOS</option>
          <option value="ovmf">OVMF</option>
        </select>
      </label>
      <BootOrder set={set} val={val} />
    </div>
  );
}

/** PV and PVH: kernel, ramdisk and command line, or a bootloader. */
function PvBootFields({ set, val }: BootForm) {
  return (
    <div className="form-grid">
      <PathField value={val('kernel')} onChange={set('kernel')} filter="kernel" startDir="/boot" label="Kernel" testId="boot-kernel" />
      <PathField value={val('ramdisk')} onChange={set('ramdisk')} filter="kernel" startDir="/boot" label="Ramdisk (initrd)" testId="boot-ramdisk" />
      <label className="field-label">
        Kernel command line
        <input className="input mono" value={val('cmdline') || val('extra')} onChange={(e) => set('cmdline')(e.target.value)} data-testid="boot-cmdline" />
      </label>
      <label className="field-label">
        Bootloader (instead of a kernel, e.g. pygrub)
        <input className="input mono" value={val('bootloader')} onChange={(e) => set('bootloader')(e.target.value)} data-testid="boot-bootloader" />
      </label>
    </div>
  );
}

/** What xl does when the guest powers off, reboots or crashes. */
function EventActionsCard({ set, val }: BootForm) {
  return (
    <section className="card">
      <h2>When the guest…</h2>
      <div className="form-grid three">
        {(['on_poweroff', 'on_reboot', 'on_crash'] as const).map((k) => (
          <label key={k} className="field-label">
            {k === 'on_poweroff' ? 'powers off' : k === 'on_reboot' ? 'reboots' : 'crashes'}
            <select className="input" value={val(k)} onChange={(e) => set(k)(e.target.value)} data-testid={`boot-${k}`}>
              <option value="">xl’s default</option>
              {EVENTS.map((ev) => (
                <option key={ev} value={ev}>
                  {ev}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
    </section>
  );
}

/** Kernel, ramdisk and command line or a bootloader (PV/PVH); firmware and boot order (HVM); what to do on poweroff, reboot, crash. */
export function BootTab({ name, summary, data }: TabProps) {
  const view = data.config;
  const type = (summary?.type ?? view?.config?.type) || 'pv';
  const hvm = type === 'hvm';
  const form = useBootForm(view);
  const edit = useEdit();
  if (data.configError) return <p className="muted">{`This domain has no config file to edit (${data.configError.message}).`}</p>;
  if (!view) return <p className="muted">Loading…</p>;
  const save = () => {
    const values = bootValues(hvm, form.val);
    // Values are checked by main with the whole model, which names the field of any it refuses.
    void edit.run(() => savePatch(name, data, values as ConfigPatch), 'Saved; takes effect at next start.');
  };
  return (
    <div className="tab-body">
      <section className="card">
        <h2>{hvm ? 'Firmware and boot order' : 'Kernel or bootloader'}</h2>
        {hvm ? <HvmBootFields {...form} /> : <PvBootFields {...form} />}
      </section>
      <EventActionsCard {...form} />
      <div className="row-gap">
        <button type="button" className="btn primary" onClick={save} disabled={edit.busy} data-testid="boot-save">
          Save for next start
        </button>
        <span className="muted small">Boot settings are read when the domain starts: they apply at next start.</span>
        <EditStatus edit={edit} testId="boot-save" />
      </div>
    </div>
  );
}
