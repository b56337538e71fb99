import type { DiskSpec } from '../../shared/disk-spec';
import type { DomainConfig } from '../../shared/domain-config';
import type { VifSpec } from '../../shared/vif-spec';
import { ISO_VDEV, type WizardPlan } from '../../shared/wizard-plan';
import { normaliseMac } from '../../shared/vif-spec';
import { presetOf } from './presets';

/**
 * The DomainConfig a plan describes. The plan's disks come first and in order, so `disks[i]` of the config is disk i
 * of the plan (problems map back by index); the install ISO, when there is one, is the last disk.
 */
export function planToConfig(plan: WizardPlan): DomainConfig {
  const hvm = plan.type === 'hvm';
  const disks: DiskSpec[] = plan.disks.map((d) => ({ target: d.path, format: d.format, vdev: d.vdev, access: 'rw' }));
  if (hvm && plan.method === 'iso' && plan.iso !== undefined) {
    disks.push({ target: plan.iso, format: 'raw', vdev: ISO_VDEV, access: 'ro', devtype: 'cdrom' });
  }
  const vifs: VifSpec[] = plan.nics.map((n) => ({
    mac: normaliseMac(n.mac) ?? n.mac,
    bridge: n.bridge,
    ...(hvm && n.model !== undefined ? { model: n.model } : {}),
  }));
  const cfg: DomainConfig = {
    name: plan.name,
    type: plan.type,
    memory: plan.memoryMiB,
    vcpus: plan.vcpus,
    disks,
    vifs,
  };
  if (plan.maxMemMiB !== plan.memoryMiB) cfg.maxmem = plan.maxMemMiB;
  if (plan.maxVcpus !== plan.vcpus) cfg.maxvcpus = plan.maxVcpus;
  if (plan.method === 'kernel') {
    if (plan.kernel !== undefined) cfg.kernel = plan.kernel;
    if (plan.ramdisk !== undefined) cfg.ramdisk = plan.ramdisk;
    if (plan.cmdline !== undefined && plan.cmdline.trim() !== '') cfg.cmdline = plan.cmdline.trim();
  }
  if (plan.method === 'pygrub') cfg.bootloader = 'pygrub';
  if (hvm) {
    cfg.boot = plan.method === 'iso' ? 'dc' : plan.method === 'pxe' ? 'nc' : 'c';
    // A serial console on a pty: `xl console` works even when nobody opens VNC.
    cfg.serial = 'pty';
    if (plan.vnc) {
      cfg.vnc = true;
      // A USB tablet gives an absolute pointer, so the VNC cursor follows the mouse.
      cfg.usb = true;
      cfg.usbdevice = ['tablet'];
    } else {
      cfg.vnc = false;
      cfg.nographic = true;
    }
    if (presetOf(plan.preset).viridian) cfg.viridian = true;
  }
  cfg.on_poweroff = 'destroy';
  cfg.on_reboot = 'restart';
  cfg.on_crash = 'destroy';
  return cfg;
}

/**
 * The plan field behind a DomainConfig field ("vifs[0].mac" -> "nics[0].mac"), so the wizard shows a config rule's
 * problem on the step that set the value. The ISO's disk (index = number of plan disks) maps to "iso".
 */
export function planFieldOf(configField: string, plan: WizardPlan): string {
  const m = /^disks\[(\d+)\](?:\.(\w+))?/.exec(configField);
  if (m) {
    const i = Number(m[1]);
    if (i >= plan.disks.length) return 'iso';
    const sub = m[2] === 'target' ? 'path' : m[2];
    return sub === undefined ? `disks[${i}]` : `disks[${i}].${sub}`;
  }
  const v = /^vifs\[(\d+)\](?:\.(\w+))?/.exec(configField);
  if (v) return v[2] === undefined ? `nics[${v[1] ?? 0}]` : `nics[${v[1] ?? 0}].${v[2]}`;
  const direct: Record<string, string> = { memory: 'memoryMiB', maxmem: 'maxMemMiB', vcpus: 'vcpus', maxvcpus: 'maxVcpus', kernel: 'kernel', ramdisk: 'ramdisk', cmdline: 'cmdline', name: 'name', type: 'type', bootloader: 'method', boot: 'method' };
  const head = /^\w+/.exec(configField)?.[0] ?? '';
  return direct[head] ?? head;
}
