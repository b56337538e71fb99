import { parseDisk, parseVif } from './cfg';
import { SimFailure } from './host';
import { ok, usage, opts, parseMemSizeKiB, parseCpuList, type SimResult, type XlContext } from './xl-common';

// The simulator's memory, vCPU and device subcommands: mem-set, mem-max, vcpu-set, vcpu-pin, block and network
// attach/detach, cd-insert and cd-eject.

export function memSetMax(ctx: XlContext, cmd: 'mem-set' | 'mem-max', args: readonly string[]): SimResult {
  const [ident, size] = args;
  if (ident === undefined || size === undefined) usage(cmd, 2);
  const d = ctx.host.resolve(ident);
  const kib = parseMemSizeKiB(size);
  if (kib < 0) throw new SimFailure(`invalid memory size: ${size}\n`, 1);
  const domid = d === 'dom0' ? 0 : d.domid;
  const staticMax = d === 'dom0' ? ctx.host.dom0KiB() : d.config.maxMemMiB * 1024;
  const target = d === 'dom0' ? ctx.host.dom0KiB() : d.targetKiB;
  if (cmd === 'mem-set') {
    if (kib > staticMax) {
      throw new SimFailure(
        `libxl: error: libxl_mem.c:278:libxl_set_memory_target: Domain ${domid}:memory_dynamic_max must be less than or equal to memory_static_max\n\ncannot set domid ${domid} dynamic max memory to : ${size}\n`,
        1,
      );
    }
    if (d !== 'dom0') {
      // Ballooning up cannot take more than the host has free.
      const growth = Math.max(0, kib - d.targetKiB);
      const freeKiB = ctx.host.freeMiB() * 1024;
      d.targetKiB = growth > freeKiB ? d.targetKiB + freeKiB : kib;
      ctx.host.persist();
    }
    return ok();
  }
  if (kib < target) {
    throw new SimFailure(
      `libxl: error: libxl_mem.c:80:libxl_domain_setmaxmem: Domain ${domid}:memory_static_max must be greater than or or equal to memory_dynamic_max\ncannot set domid ${domid} static max memory to : ${size}\n`,
      1,
    );
  }
  if (d !== 'dom0') {
    d.config.maxMemMiB = Math.ceil(kib / 1024);
    ctx.host.persist();
  }
  return ok();
}

export function vcpuSet(ctx: XlContext, args: readonly string[]): SimResult {
  const { flags, pos } = opts(args);
  const [ident, countS] = pos;
  if (ident === undefined || countS === undefined) usage('vcpu-set', 2);
  const d = ctx.host.resolve(ident);
  const n = Number(countS);
  if (!/^[0-9]+$/.test(countS)) throw new SimFailure(`Invalid argument: ${countS}\n`, 1);
  if (n < 1) return ok();
  const online = d === 'dom0' ? 2 : d.onlineVcpus;
  const hostCpus = ctx.host.state.nrCpus;
  if (!flags.has('--ignore-host') && n > online && n > hostCpus) {
    throw new SimFailure(`You are overcommmitting! You have ${hostCpus} physical CPUs and want ${n} vCPUs! Aborting, use --ignore-host to continue\n`, 1);
  }
  const domid = d === 'dom0' ? 0 : d.domid;
  const max = d === 'dom0' ? 2 : d.config.maxVcpus;
  if (n > max) {
    throw new SimFailure(
      `libxl: error: libxl_domain.c:1944:libxl_set_vcpuonline: Domain ${domid}:Requested ${n} VCPUs, however maxcpus is ${max}!\nlibxl_set_vcpuonline failed domid=${domid} max_vcpus=${n}, rc: -3\n`,
      1,
    );
  }
  if (d !== 'dom0') {
    ctx.host.settle(d);
    d.onlineVcpus = n;
    ctx.host.persist();
  }
  return ok();
}

export function vcpuPin(ctx: XlContext, args: readonly string[]): SimResult {
  const { pos } = opts(args);
  const [ident, vcpuS, hard, soft] = pos;
  if (ident === undefined || vcpuS === undefined || hard === undefined) usage('vcpu-pin', 3);
  const d = ctx.host.resolveDomU(ident, 'libxl_set_vcpuaffinity');
  const nr = ctx.host.state.nrCpus;
  for (const s of [hard, soft]) {
    if (s !== undefined && s !== '-' && !parseCpuList(s, nr)) throw new SimFailure(`Invalid cpumap: ${s}\n`, 1);
  }
  const vcpus = vcpuS === 'all' ? d.affinity.map((_, k) => k) : [Number(vcpuS)];
  for (const v of vcpus) {
    if (!Number.isInteger(v) || v < 0 || v >= d.config.maxVcpus) {
      throw new SimFailure(`libxl: error: libxl_sched.c:62:libxl_set_vcpuaffinity: Domain ${d.domid}:Setting vcpu affinity: Invalid argument\nSetting vcpu affinity: Invalid argument\n`, 1);
    }
    if (hard !== '-') d.affinity[v] = hard;
  }
  ctx.host.persist();
  return ok();
}

export function blockAttach(ctx: XlContext, args: readonly string[]): SimResult {
  const [ident, ...specParts] = args;
  if (ident === undefined || specParts.length === 0) usage('block-attach', 2);
  const d = ctx.host.resolveDomU(ident, 'libxl_device_disk_add');
  let disk;
  try {
    disk = parseDisk(specParts.join(','));
  } catch (e) {
    throw new SimFailure(`${(e as Error).message}\n`, 1);
  }
  if (d.config.disks.some((x) => x.devid === disk.devid)) {
    throw new SimFailure(`libxl: error: libxl_device.c:1412:device_addrm_aocomplete: unable to add device with path /local/domain/0/backend/vbd/${d.domid}/${disk.devid}\nlibxl_device_disk_add failed.\n`, 1);
  }
  d.config.disks.push(disk);
  ctx.host.persist();
  return ok();
}

export function blockDetach(ctx: XlContext, args: readonly string[]): SimResult {
  const { pos } = opts(args);
  const [ident, dev] = pos;
  if (ident === undefined || dev === undefined) usage('block-detach', 2);
  const d = ctx.host.resolveDomU(ident, 'libxl_device_disk_remove');
  const idx = d.config.disks.findIndex((x) => x.vdev === dev || String(x.devid) === dev);
  if (idx < 0) throw new SimFailure(`Error: Device ${dev} not connected.\n`, 1);
  d.config.disks.splice(idx, 1);
  ctx.host.persist();
  return ok();
}

export function networkAttach(ctx: XlContext, args: readonly string[]): SimResult {
  const [ident, ...spec] = args;
  if (ident === undefined) usage('network-attach', 1);
  const d = ctx.host.resolveDomU(ident, 'libxl_device_nic_add');
  const devid = d.config.nics.reduce((m, n) => Math.max(m, n.devid + 1), 0);
  let nic;
  try {
    nic = parseVif(spec.join(','), devid, `${d.config.uuid}/${ctx.host.now()}`);
  } catch (e) {
    throw new SimFailure(`${(e as Error).message}\n`, 1);
  }
  d.config.nics.push(nic);
  ctx.host.persist();
  return ok();
}

export function networkDetach(ctx: XlContext, args: readonly string[]): SimResult {
  const [ident, dev] = args;
  if (ident === undefined || dev === undefined) usage('network-detach', 2);
  const d = ctx.host.resolveDomU(ident, 'libxl_device_nic_remove');
  const idx = dev.includes(':') ? d.config.nics.findIndex((n) => n.mac === dev.toLowerCase()) : d.config.nics.findIndex((n) => String(n.devid) === dev);
  if (idx < 0) throw new SimFailure(`Unknown device ${dev}.\n`, 1);
  d.config.nics.splice(idx, 1);
  ctx.host.persist();
  return ok();
}

export function cdrom(ctx: XlContext, cmd: 'cd-insert' | 'cd-eject', args: readonly string[]): SimResult {
  const [ident, vdev, target] = args;
  if (ident === undefined || vdev === undefined || (cmd === 'cd-insert' && target === undefined)) usage(cmd, cmd === 'cd-insert' ? 3 : 2);
  const d = ctx.host.resolveDomU(ident, 'libxl_cdrom_insert');
  const fn = 'libxl_disk.c:855:libxl_cdrom_insert';
  if (d.config.type !== 'hvm') throw new SimFailure(`libxl: error: ${fn}: Domain ${d.domid}:cdrom-insert requires an HVM domain\n`, 1);
  const disk = d.config.disks.find((x) => x.vdev === vdev);
  if (!disk || !disk.cdrom) throw new SimFailure(`libxl: error: ${fn}: Domain ${d.domid}:Virtual device not found\n`, 1);
  disk.target = cmd === 'cd-insert' ? (target ?? '') : '';
  ctx.host.persist();
  return ok();
}
