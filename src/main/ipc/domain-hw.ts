import type { DomainConfig, DiskSpec, VifSpec } from '../../shared/domain-config';
import type { ApplyMode } from '../../shared/schemas';
import { randomXenMac } from '../../shared/vif-spec';
import { XenError } from '../../xen/index';
import { gibToBytes } from '../../xen/index';
import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';
import { changing } from './track';


/** Whether an edit touches the running domain and/or its config file. */
function live(apply: ApplyMode): boolean {
  return apply !== 'config';
}
function inConfig(apply: ApplyMode): boolean {
  return apply !== 'live';
}

/** Refuses a live edit of a domain that is not running, in words, before xl says something obscure. */
async function requireRunning(s: Services, name: string): Promise<void> {
  const list = await s.api.listDomainsCheap();
  const d = list.find((x) => x.name === name);
  if (!d) throw new XenError('NOT_FOUND', `There is no domain called ${name}`, { field: 'name' });
  if (d.domid === null) throw new XenError('INVALID_ARG', `${name} is not running, so the change cannot apply now; choose "at next boot"`, { field: 'apply' });
}

/**
 * Edits the config model and writes it back (comments and layout kept by writeConfig), guarded by the text it read so
 * a concurrent edit is refused rather than overwritten.
 */
async function editConfig(s: Services, name: string, edit: (cfg: DomainConfig) => DomainConfig): Promise<void> {
  const view = await s.api.readConfig(name);
  if (view.config === null) {
    const p = view.problems[0];
    throw new XenError('INVALID_ARG', `The config file ${view.path} has problems; fix it in the Config tab first${p ? ` (${p.field}: ${p.message})` : ''}`, {
      field: 'config',
      problems: view.problems,
    });
  }
  await s.api.writeConfig(name, edit(view.config), { expectedText: view.text });
}

/** Runs the live part then the config part; a failing live part leaves the config alone. */
async function applyBoth(s: Services, name: string, apply: ApplyMode, liveOp: () => Promise<void>, cfgEdit: (cfg: DomainConfig) => DomainConfig): Promise<void> {
  if (live(apply)) {
    await requireRunning(s, name);
    await liveOp();
  }
  if (inConfig(apply)) await editConfig(s, name, cfgEdit);
}

function sameMac(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** domain:setMemory/setVcpus/pinVcpu/setSched and the disk and NIC channels: live through xl, config through the model. */
export function registerDomainHwHandlers(r: HandlerRegistry, s: Services): void {
  r.register('domain:setMemory', ({ name, targetMiB, maxMiB, apply }) =>
    changing(s, 'memory', [name], async () => {
      if (targetMiB === undefined && maxMiB === undefined) throw new XenError('INVALID_ARG', 'Give a target, a maximum or both', { field: 'targetMiB' });
      if (targetMiB !== undefined && maxMiB !== undefined && targetMiB > maxMiB) {
        throw new XenError('INVALID_ARG', `The target (${targetMiB} MiB) is above the maximum (${maxMiB} MiB)`, { field: 'targetMiB' });
      }
      await applyBoth(
        s,
        name,
        apply,
        async () => {
          // Raise the ceiling before the target; lower the target before the ceiling.
          const raising = maxMiB !== undefined && (targetMiB === undefined || maxMiB >= targetMiB);
          if (raising) await s.api.memMax(name, maxMiB);
          if (targetMiB !== undefined) await s.api.memSet(name, targetMiB);
          if (!raising && maxMiB !== undefined) await s.api.memMax(name, maxMiB);
        },
        (cfg) => {
          const next = { ...cfg };
          if (targetMiB !== undefined) next.memory = targetMiB;
          if (maxMiB !== undefined) next.maxmem = maxMiB;
          return next;
        },
      );
    }),
  );

  r.register('domain:setVcpus', ({ name, vcpus, maxVcpus, apply }) =>
    changing(s, 'vcpus', [name], () =>
      applyBoth(
        s,
        name,
        apply,
        () => s.api.vcpuSet(name, vcpus),
        (cfg) => ({ ...cfg, vcpus, ...(maxVcpus !== undefined ? { maxvcpus: maxVcpus } : {}) }),
      ),
    ),
  );

  r.register('domain:pinVcpu', ({ name, vcpu, cpus }) => changing(s, 'pin', [name], () => s.api.vcpuPin(name, vcpu, cpus)));

  r.register('domain:setSched', ({ name, weight, cap }) =>
    changing(s, 'sched', [name], () => s.api.schedCredit2Set(name, { ...(weight !== undefined ? { weight } : {}), ...(cap !== undefined ? { cap } : {}) })),
  );

  const addDisk = (cfg: DomainConfig, disk: DiskSpec): DomainConfig => {
    if (cfg.disks.some((d) => d.vdev === disk.vdev)) throw new XenError('EXISTS', `The config already has a disk ${disk.vdev}`, { field: 'disk.vdev' });
    return { ...cfg, disks: [...cfg.disks, disk] };
  };

  r.register('domain:attachDisk', ({ name, disk, apply }) =>
    changing(s, 'attach disk', [name], async () => {
      // Never hand a disk another domain writes (or any disk read-write that another domain uses) to this one.
      await s.api.assertDiskFree(disk.target, disk.devtype === 'cdrom' ? 'ro' : disk.access, name);
      await applyBoth(
        s,
        name,
        apply,
        () => s.api.blockAttach(name, disk),
        (cfg) => addDisk(cfg, disk),
      );
    }),
  );

  r.register('domain:createDisk', ({ name, disk, sizeGiB, apply }) =>
    changing(s, 'create disk', [name], async () => {
      if (disk.format !== 'raw' && disk.format !== 'qcow2') {
        throw new XenError('INVALID_ARG', `Xenith creates raw or qcow2 images, not ${disk.format}`, { field: 'disk.format' });
      }
      if (live(apply)) await requireRunning(s, name);
      // Refuse before creating anything when the config already has this device.
      if (inConfig(apply)) {
        const view = await s.api.readConfig(name);
        if (view.config?.disks.some((d) => d.vdev === disk.vdev)) throw new XenError('EXISTS', `The config already has a disk ${disk.vdev}`, { field: 'disk.vdev' });
      }
      await s.api.createImage(disk.target, { sizeBytes: gibToBytes(sizeGiB), format: disk.format });
      try {
        await applyBoth(
          s,
          name,
          apply,
          () => s.api.blockAttach(name, disk),
          (cfg) => addDisk(cfg, disk),
        );
      } catch (e) {
        // Remove exactly the file this call created, so a failed attach leaves nothing behind.
        await s.runner.fs.remove(disk.target).catch(() => undefined);
        throw e;
      }
    }),
  );

  r.register('domain:detachDisk', ({ name, vdev, apply }) =>
    changing(s, 'detach disk', [name], () =>
      applyBoth(
        s,
        name,
        apply,
        () => s.api.blockDetach(name, vdev),
        (cfg) => {
          if (!cfg.disks.some((d) => d.vdev === vdev)) throw new XenError('NOT_FOUND', `The config has no disk ${vdev}`, { field: 'vdev' });
          return { ...cfg, disks: cfg.disks.filter((d) => d.vdev !== vdev) };
        },
      ),
    ),
  );

  r.register('domain:cdInsert', ({ name, vdev, file }) =>
    changing(s, 'cd insert', [name], async () => {
      await s.api.assertDiskFree(file, 'ro', name, 'file');
      await s.api.cdInsert(name, vdev, file);
    }),
  );
  r.register('domain:cdEject', ({ name, vdev }) => changing(s, 'cd eject', [name], () => s.api.cdEject(name, vdev)));

  r.register('domain:attachNic', ({ name, nic, apply }) =>
    changing(s, 'attach nic', [name], async () => {
      // One MAC for both halves, so the live interface and the config's agree.
      if (nic.bridge !== undefined) await s.api.assertBridgeExists(nic.bridge, 'nic.bridge');
      const vif: VifSpec = { mac: (nic.mac ?? randomXenMac()).toLowerCase(), ...(nic.bridge ? { bridge: nic.bridge } : {}), ...(nic.model ? { model: nic.model } : {}) };
      await applyBoth(
        s,
        name,
        apply,
        () => s.api.networkAttach(name, vif),
        (cfg) => {
          if (cfg.vifs.some((v) => sameMac(v.mac, vif.mac ?? ''))) throw new XenError('EXISTS', `The config already has an interface with MAC ${vif.mac}`, { field: 'nic.mac' });
          return { ...cfg, vifs: [...cfg.vifs, vif] };
        },
      );
    }),
  );

  r.register('domain:detachNic', ({ name, mac, apply }) =>
    changing(s, 'detach nic', [name], () =>
      applyBoth(
        s,
        name,
        apply,
        () => s.api.networkDetach(name, mac.toLowerCase()),
        (cfg) => {
          if (!cfg.vifs.some((v) => sameMac(v.mac, mac))) throw new XenError('NOT_FOUND', `The config has no interface with MAC ${mac}`, { field: 'mac' });
          return { ...cfg, vifs: cfg.vifs.filter((v) => !sameMac(v.mac, mac)) };
        },
      ),
    ),
  );
}
