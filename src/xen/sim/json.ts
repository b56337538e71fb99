import type { JsonVal } from './format';
import type { SimAction, SimDomain, SimDomainConfig } from './model';

const actionJson = (a: SimAction): string => a.replace(/-/g, '_');

function typeBlock(c: SimDomainConfig): Record<string, JsonVal> {
  if (c.type !== 'hvm') return { [`type.${c.type}`]: {} };
  const vnc: Record<string, JsonVal> = c.vnc ? { enable: 'True', listen: c.vncListen } : { enable: 'False' };
  if (c.vnc && c.vncPasswd) vnc['passwd'] = c.vncPasswd;
  return { 'type.hvm': { vnc, serial: 'pty', boot: 'c' } };
}

/** The domain config object libxl prints for `xl list -l` (running) or `xl create -n` (dry run). */
export function domainConfigJson(c: SimDomainConfig, live: { domid: number; onlineVcpus: number; targetKiB: number } | null): Record<string, JsonVal> {
  const cInfo: Record<string, JsonVal> = { type: c.type, name: c.name };
  if (live) cInfo['domid'] = 4294967295;
  cInfo['uuid'] = c.uuid;
  cInfo['run_hotplug_scripts'] = 'True';
  const online = live ? live.onlineVcpus : c.vcpus;
  const bInfo: Record<string, JsonVal> = {
    max_vcpus: c.maxVcpus,
    avail_vcpus: Array.from({ length: online }, (_, i) => i),
    max_memkb: c.maxMemMiB * 1024,
    target_memkb: live ? live.targetKiB : c.memoryMiB * 1024,
  };
  if (live) bInfo['video_memkb'] = c.type === 'hvm' ? 8192 : 0;
  bInfo['sched_params'] = live ? { sched: 'credit2', weight: 256, cap: 0 } : {};
  bInfo['claim_mode'] = 'True';
  if (c.kernel) bInfo['kernel'] = c.kernel;
  if (c.cmdline) bInfo['cmdline'] = c.cmdline;
  if (c.ramdisk) bInfo['ramdisk'] = c.ramdisk;
  Object.assign(bInfo, typeBlock(c));
  bInfo['arch_arm'] = {};
  bInfo['arch_x86'] = live ? { msr_relaxed: 'False' } : {};
  const out: Record<string, JsonVal> = { c_info: cInfo, b_info: bInfo };
  if (c.disks.length) {
    out['disks'] = c.disks.map((d) => {
      const o: Record<string, JsonVal> = { pdev_path: d.target, vdev: d.vdev, format: d.target ? d.format : 'empty', readwrite: d.readwrite ? 1 : 0 };
      if (d.cdrom) o['is_cdrom'] = 1;
      if (live) o['colo_restore_enable'] = 'False';
      return o;
    });
  }
  if (c.nics.length) {
    out['nics'] = c.nics.map((n) => {
      const o: Record<string, JsonVal> = { devid: n.devid };
      if (live) o['mac'] = n.mac;
      o['bridge'] = n.bridge;
      if (n.model) o['model'] = n.model;
      if (n.ip) o['ip'] = n.ip;
      if (live) o['nictype'] = c.type === 'hvm' ? 'vif_ioemu' : 'vif';
      return o;
    });
  }
  // libxl omits actions equal to its IDL default (destroy).
  if (c.onPoweroff !== 'destroy') out['on_poweroff'] = actionJson(c.onPoweroff);
  if (c.onReboot !== 'destroy') out['on_reboot'] = actionJson(c.onReboot);
  if (c.onCrash !== 'destroy') out['on_crash'] = actionJson(c.onCrash);
  out['on_soft_reset'] = 'soft_reset';
  return out;
}

/** dom0's entry in `xl list -l`: only c_info and b_info, no uuid or devices (as captured). */
export function dom0Json(dom0KiB: number): Record<string, JsonVal> {
  return {
    domid: 0,
    config: {
      c_info: { type: 'pv', name: 'Domain-0' },
      b_info: {
        max_memkb: dom0KiB,
        target_memkb: dom0KiB - 1,
        sched_params: { sched: 'credit2', weight: 256, cap: 0 },
        'type.pv': {},
        arch_arm: {},
        arch_x86: {},
      },
    },
  };
}

/** A running domU's entry in `xl list -l`. */
export function domUJson(d: SimDomain): Record<string, JsonVal> {
  return { domid: d.domid, config: domainConfigJson(d.config, d) };
}
