import * as path from 'node:path';
import type { HostFs } from '../runner/types';
import { CfgError, parseCfgText, parseDisk, parseVif, simConfigFromCfg, type CfgValue } from './cfg';
import { dmesgText } from './dmesg';
import {
  BLOCK_LIST_HEADER,
  NETWORK_LIST_HEADER,
  formatBlockRow,
  formatNetworkRow,
  formatSchedCredit2,
  formatUptime,
  formatVcpuList,
  formatXlInfo,
  formatXlList,
  yajlStringify,
  type DomRow,
  type JsonVal,
  type VcpuRow,
} from './format';
import { DELAYS, REASON, SimFailure, type SimHost } from './host';
import { domainConfigJson, dom0Json, domUJson } from './json';
import { loadAt } from './load';
import type { SimDomain, SimDomainConfig } from './model';

/** What one simulated command left behind. */
export interface SimResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What the xl interpreter needs from its surroundings. */
export interface XlContext {
  host: SimHost;
  fs: HostFs;
  /** Real-time wait (already divided by speed by the caller's host.delay). */
  sleep(ms: number): Promise<void>;
}

/** The magic first line of an xl save file (xl_utils.h: savefileheader_magic). */
export const SAVE_MAGIC = 'Xen saved domain, xl format\n \0 \r';

const ok = (stdout = '', stderr = ''): SimResult => ({ stdout, stderr, exitCode: 0 });

function usage(cmd: string, min: number): never {
  throw new SimFailure(`'xl ${cmd}' requires at least ${min} argument${min > 1 ? 's' : ''}.\n\n`, 2);
}

/** Splits `-a -b x` style options from positionals (xl's getopt subset). */
function opts(args: readonly string[], withValue: readonly string[] = []): { flags: Set<string>; values: Map<string, string>; pos: string[] } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') {
      pos.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) flags.add(a);
    else if (a.startsWith('-') && a.length > 1 && !/^-[0-9]/.test(a)) {
      const letters = a.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const f = `-${letters[j] ?? ''}`;
        if (withValue.includes(f)) {
          const rest = letters.slice(j + 1);
          values.set(f, rest !== '' ? rest : (args[++i] ?? ''));
          break;
        }
        flags.add(f);
      }
    } else pos.push(a);
  }
  return { flags, values, pos };
}

/** parse_mem_size_kb: number with optional t/g/m/k/b suffix, default KiB; -1 when invalid. */
export function parseMemSizeKiB(s: string): number {
  const m = /^([0-9]+)([tgmkbTGMKB]?)$/.exec(s);
  if (!m || !m[1]) return -1;
  const n = Number(m[1]);
  switch ((m[2] ?? '').toLowerCase()) {
    case 't':
      return n * 1024 ** 3;
    case 'g':
      return n * 1024 ** 2;
    case 'm':
      return n * 1024;
    case 'b':
      return Math.floor(n / 1024);
    default:
      return n;
  }
}

/** Relative paths on dom0 resolve against root's home, where the captures ran xl. */
function hostPath(p: string): string {
  return p.startsWith('/') ? p : path.posix.join('/root', p);
}

function parseCpuList(s: string, nrCpus: number): boolean {
  if (s === 'all') return true;
  return s.split(',').every((part) => {
    const m = /^(\^?)([0-9]+)(?:-([0-9]+))?$/.exec(part);
    if (!m || !m[2]) return false;
    const a = Number(m[2]);
    const b = m[3] !== undefined ? Number(m[3]) : a;
    return a <= b && b < nrCpus;
  });
}

/** Runs one `xl ...` command line against the simulated host. */
export async function runXl(ctx: XlContext, argv: readonly string[]): Promise<SimResult> {
  const { host } = ctx;
  host.tick();
  // Global options before the subcommand (xl -v, -f, -N, -t, -T).
  let i = 0;
  let dryRunGlobal = false;
  while (i < argv.length && /^-[vfNtTA]+$/.test(argv[i] ?? '')) {
    if ((argv[i] ?? '').includes('N')) dryRunGlobal = true;
    i++;
  }
  const cmd = argv[i];
  const args = argv.slice(i + 1);
  if (cmd === undefined) throw new SimFailure('Usage xl [-vfNtT] <subcommand> [args]\n', 1);
  try {
    switch (cmd) {
      case 'list':
        return list(ctx, args);
      case 'info':
        return ok(formatXlInfo(hostFacts(host), opts(args).flags.has('-n')));
      case 'vcpu-list':
        return vcpuList(ctx, args);
      case 'uptime':
        return uptime(ctx, args);
      case 'dmesg':
        return ok(dmesgText(host.state));
      case 'network-list':
        return networkList(ctx, args);
      case 'block-list':
        return blockList(ctx, args);
      case 'sched-credit2':
        return schedCredit2(ctx, args);
      case 'domid': {
        const name = args[0] ?? usage(cmd, 1);
        const d = host.find(name);
        if (!d || /^[0-9]+$/.test(name)) throw new SimFailure(`Can't get domid of domain name '${name}', maybe this domain does not exist.\n`, 1);
        return ok(`${d === 'dom0' ? 0 : d.domid}\n`);
      }
      case 'domname': {
        const id = args[0] ?? usage(cmd, 1);
        const d = /^[0-9]+$/.test(id) ? host.find(id) : undefined;
        if (!d) throw new SimFailure(`Can't get domain name of domain id '${id}', maybe this domain does not exist.\n`, 1);
        return ok(`${d === 'dom0' ? 'Domain-0' : d.config.name}\n`);
      }
      case 'create':
        return await create(ctx, args, dryRunGlobal);
      case 'shutdown':
      case 'reboot':
        return await shutdownOrReboot(ctx, cmd, args);
      case 'destroy': {
        const ident = opts(args).pos[0] ?? usage(cmd, 1);
        if (host.resolve(ident) === 'dom0') throw new SimFailure('Cannot destroy privileged domain 0.\n\n', 1);
        const d = host.resolveDomU(ident, 'libxl_domain_destroy');
        host.remove(d);
        host.persist();
        return ok();
      }
      case 'pause':
      case 'unpause': {
        const d = host.resolveDomU(args[0] ?? usage(cmd, 1), `libxl_domain_${cmd}`);
        if (cmd === 'pause' && d.phase === 'running') {
          host.settle(d);
          d.phase = 'paused';
        } else if (cmd === 'unpause') host.unpause(d);
        host.persist();
        return ok();
      }
      case 'sysrq': {
        // xl writes control/sysrq in the guest's xenstore; a domain that is not running has no kernel to read it.
        const [ident, key] = args;
        if (ident === undefined || key === undefined || key.length !== 1) usage(cmd, 2);
        const d = host.resolveDomU(ident, 'libxl_send_sysrq');
        if (d.phase !== 'running' && d.phase !== 'paused') throw new SimFailure(`libxl: error: libxl_domain.c:1680:libxl_send_sysrq: Domain ${d.domid}:domain is not running\n`, 1);
        return ok();
      }
      case 'save':
        return await save(ctx, args);
      case 'restore':
        return await restore(ctx, args);
      case 'rename': {
        const [ident, newName] = args;
        if (ident === undefined || newName === undefined) usage(cmd, 2);
        const d = host.resolveDomU(ident, 'libxl_domain_rename');
        if (newName === 'Domain-0' || host.state.domains.some((x) => x !== d && x.config.name === newName)) {
          throw new SimFailure(
            `libxl: error: libxl_domain.c:81:libxl__domain_rename: Domain ${d.domid}:Domain with name "${newName}" already exists.\nCan't rename domain '${ident}'.\n`,
            1,
          );
        }
        d.config.name = newName;
        host.persist();
        return ok();
      }
      case 'mem-set':
      case 'mem-max':
        return memSetMax(ctx, cmd, args);
      case 'vcpu-set':
        return vcpuSet(ctx, args);
      case 'vcpu-pin':
        return vcpuPin(ctx, args);
      case 'block-attach':
        return blockAttach(ctx, args);
      case 'block-detach':
        return blockDetach(ctx, args);
      case 'network-attach':
        return networkAttach(ctx, args);
      case 'network-detach':
        return networkDetach(ctx, args);
      case 'cd-insert':
      case 'cd-eject':
        return cdrom(ctx, cmd, args);
      case 'help':
        return ok(HELP);
      default:
        throw new SimFailure('command not implemented\n', 1);
    }
  } catch (e) {
    if (e instanceof SimFailure) return { stdout: e.stdout, stderr: e.stderr, exitCode: e.exitCode };
    throw e;
  }
}

/** What `xl info` prints about the simulated host. */
export function hostFacts(host: SimHost): { hostname: string; nrCpus: number; totalMiB: number; freeMiB: number; dom0MiB: number } {
  return { hostname: 'xenith-demo', nrCpus: host.state.nrCpus, totalMiB: host.state.totalMiB, freeMiB: host.freeMiB(), dom0MiB: host.state.dom0MiB };
}

function selectRows(host: SimHost, idents: readonly string[]): DomRow[] {
  const rows = host.rows();
  if (idents.length === 0) return rows;
  return idents.map((id) => {
    const d = host.resolve(id);
    const domid = d === 'dom0' ? 0 : d.domid;
    const row = rows.find((r) => r.domid === domid);
    if (!row) throw new SimFailure(`${id} is an invalid domain identifier (rc=-6)\n`, 1);
    return row;
  });
}

function list(ctx: XlContext, args: readonly string[]): SimResult {
  const { flags, pos } = opts(args);
  const long = flags.has('-l') || flags.has('--long');
  const rows = selectRows(ctx.host, pos);
  if (long) {
    const arr: JsonVal[] = rows.map((r) => {
      if (r.domid === 0) return dom0Json(ctx.host.dom0KiB());
      const d = ctx.host.state.domains.find((x) => x.domid === r.domid) as SimDomain;
      return domUJson(d);
    });
    return ok(`${yajlStringify(arr)}\n\n`);
  }
  return ok(formatXlList(rows, flags.has('-v') || flags.has('--verbose')));
}

function vcpuList(ctx: XlContext, args: readonly string[]): SimResult {
  const { host } = ctx;
  const now = host.now();
  const idents = opts(args).pos;
  const nr = host.state.nrCpus;
  const rows: VcpuRow[] = [];
  for (const r of selectRows(host, idents)) {
    if (r.domid === 0) {
      for (let v = 0; v < 2; v++) rows.push({ name: r.name, domid: 0, vcpu: v, cpu: v % nr, running: v === 0, blocked: v !== 0, online: true, timeS: r.cpuS / 2, hard: 'all', soft: 'all' });
      continue;
    }
    const d = host.state.domains.find((x) => x.domid === r.domid);
    if (!d || d.phase === 'rebuilding') continue;
    const running = d.phase === 'running';
    const busy = running && loadAt(d.load, now) > 0.5;
    for (let v = 0; v < d.config.maxVcpus; v++) {
      const online = v < d.onlineVcpus;
      rows.push({
        name: r.name,
        domid: r.domid,
        vcpu: v,
        cpu: online ? (r.domid + v) % nr : null,
        running: online && busy && v === 0,
        blocked: online && running && !(busy && v === 0),
        online,
        timeS: online ? r.cpuS / Math.max(1, d.onlineVcpus) : 0,
        hard: d.affinity[v] ?? 'all',
        soft: 'all',
      });
    }
  }
  return ok(formatVcpuList(rows));
}

function uptime(ctx: XlContext, args: readonly string[]): SimResult {
  const rows = selectRows(ctx.host, opts(args).pos).filter((r) => r.domid === 0 || ctx.host.state.domains.some((d) => d.domid === r.domid && d.phase !== 'rebuilding'));
  return ok(formatUptime(rows));
}

function networkList(ctx: XlContext, args: readonly string[]): SimResult {
  const pos = opts(args).pos;
  if (pos.length === 0) usage('network-list', 1);
  let out = NETWORK_LIST_HEADER;
  for (const id of pos) {
    const d = ctx.host.resolve(id);
    if (d === 'dom0') continue;
    for (const n of d.config.nics) out += formatNetworkRow(d.domid, { devid: n.devid, mac: n.mac, state: 4, evtch: -1, txRef: 522 + 2 * n.devid, rxRef: 523 + 2 * n.devid });
  }
  return ok(out);
}

function blockList(ctx: XlContext, args: readonly string[]): SimResult {
  const pos = opts(args).pos;
  if (pos.length === 0) usage('block-list', 1);
  let out = BLOCK_LIST_HEADER;
  for (const id of pos) {
    const d = ctx.host.resolve(id);
    if (d === 'dom0') continue;
    d.config.disks.forEach((b, k) => {
      out += formatBlockRow(d.domid, { devid: b.devid, state: 4, evtch: 9 + k, ringRef: 8 + k });
    });
  }
  return ok(out);
}

function schedCredit2(ctx: XlContext, args: readonly string[]): SimResult {
  const { values } = opts(args, ['-d', '-w', '-c', '-p', '-r']);
  const dom = values.get('-d');
  const w = values.get('-w');
  const c = values.get('-c');
  if (dom !== undefined && (w !== undefined || c !== undefined)) {
    const d = ctx.host.resolveDomU(dom, 'libxl_domain_sched_params_set');
    if (w !== undefined) {
      const n = Number(w);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new SimFailure(`libxl: error: libxl_sched.c:441:sched_credit2_domain_set: Domain ${d.domid}:Cpu weight out of range, valid range is from 1 to 65535\n`, 1);
      d.weight = n;
    }
    if (c !== undefined) d.cap = Number(c);
    ctx.host.persist();
    return ok();
  }
  const rows = selectRows(ctx.host, dom !== undefined ? [dom] : []).map((r) => {
    const d = ctx.host.state.domains.find((x) => x.domid === r.domid);
    return { name: r.name, domid: r.domid, weight: d?.weight ?? 256, cap: d?.cap ?? 0 };
  });
  return ok(formatSchedCredit2(rows, dom === undefined));
}

async function readConfig(ctx: XlContext, file: string): Promise<{ text: string; shown: string }> {
  const candidates = file.startsWith('/') ? [file] : [hostPath(file), path.posix.join('/etc/xen', file)];
  for (const c of candidates) {
    try {
      return { text: await ctx.fs.readFile(c), shown: file };
    } catch {
      // Try the next place xl looks.
    }
  }
  throw new SimFailure(`Parsing config from ${file}\nFailed to read config file: ${file}: No such file or directory\n`, 3);
}

async function create(ctx: XlContext, args: readonly string[], dryRunGlobal: boolean): Promise<SimResult> {
  const { flags, pos } = opts(args, ['-f']);
  const extra = pos.filter((p) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(p));
  const file = pos.find((p) => !extra.includes(p)) ?? usage('create', 1);
  const { text, shown } = await readConfig(ctx, file);
  const stderr = `Parsing config from ${shown}\n`;
  let config: SimDomainConfig;
  try {
    const parsed = parseCfgText(text, shown);
    // Trailing key=value arguments override the file, as with xl.
    for (const e of extra) Object.assign(parsed, parseCfgText(e, '<command line>'));
    config = simConfigFromCfg(parsed, `${shown}:${ctx.host.state.nextDomid}:${ctx.host.now()}`);
  } catch (e) {
    if (e instanceof CfgError) throw new SimFailure(`${stderr}${e.message}\nFailed to parse config: Invalid argument\n`, 1);
    throw e;
  }
  if (flags.has('-n') || dryRunGlobal) return ok(`${yajlStringify(domainConfigJson(config, null))}\n`, stderr);
  let missingDisk: string | undefined;
  for (const d of config.disks) {
    // Block devices cannot exist on the demo host, so only image files are checked.
    if (d.cdrom || !d.target.startsWith('/') || d.target.startsWith('/dev/')) continue;
    if ((await ctx.fs.stat(d.target).catch(() => null)) === null) {
      missingDisk = d.target;
      break;
    }
  }
  await ctx.sleep(ctx.host.delay(1000));
  ctx.host.tick();
  try {
    ctx.host.createDomain(config, missingDisk === undefined ? { paused: flags.has('-p') } : { paused: flags.has('-p'), missingDisk });
  } catch (e) {
    if (e instanceof SimFailure) throw new SimFailure(stderr + e.stderr, e.exitCode);
    throw e;
  }
  return ok('', stderr);
}

async function shutdownOrReboot(ctx: XlContext, cmd: 'shutdown' | 'reboot', args: readonly string[]): Promise<SimResult> {
  const { host } = ctx;
  const { flags, pos } = opts(args);
  const all = flags.has('-a') || flags.has('--all');
  const targets: SimDomain[] = all ? host.state.domains.filter((d) => d.phase === 'running' || d.phase === 'paused') : [host.resolveDomU(pos[0] ?? usage(cmd, 1), `libxl_domain_${cmd}`)];
  let stderr = '';
  for (const d of targets) {
    stderr += cmd === 'shutdown' ? `Shutting down domain ${d.domid}\n` : `Rebooting domain ${d.domid}\n`;
    host.requestShutdown(d, cmd === 'shutdown' ? REASON.poweroff : REASON.reboot);
  }
  if (flags.has('-w') || flags.has('--wait')) {
    stderr += `Waiting for ${targets.length} domains\n`;
    const ids = targets.map((d) => d.domid);
    const deadline = Date.now() + host.delay(DELAYS.halt) * 20 + 5000;
    const waiting = new Set(targets);
    while (waiting.size > 0 && Date.now() < deadline) {
      await ctx.sleep(Math.max(5, host.delay(50)));
      host.tick();
      for (const d of [...waiting]) {
        const gone = !host.state.domains.includes(d) || d.domid !== ids[targets.indexOf(d)];
        if (gone || d.phase === 'shutdown') {
          waiting.delete(d);
          const id = ids[targets.indexOf(d)] ?? d.domid;
          stderr += cmd === 'shutdown' ? `Domain ${id} has been shut down, reason code ${REASON.poweroff}\n` : `Domain ${id} has been rebooted\n`;
        }
      }
    }
  }
  return ok('', stderr);
}

function memSetMax(ctx: XlContext, cmd: 'mem-set' | 'mem-max', args: readonly string[]): SimResult {
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

function vcpuSet(ctx: XlContext, args: readonly string[]): SimResult {
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

function vcpuPin(ctx: XlContext, args: readonly string[]): SimResult {
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

function blockAttach(ctx: XlContext, args: readonly string[]): SimResult {
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

function blockDetach(ctx: XlContext, args: readonly string[]): SimResult {
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

function networkAttach(ctx: XlContext, args: readonly string[]): SimResult {
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

function networkDetach(ctx: XlContext, args: readonly string[]): SimResult {
  const [ident, dev] = args;
  if (ident === undefined || dev === undefined) usage('network-detach', 2);
  const d = ctx.host.resolveDomU(ident, 'libxl_device_nic_remove');
  const idx = dev.includes(':') ? d.config.nics.findIndex((n) => n.mac === dev.toLowerCase()) : d.config.nics.findIndex((n) => String(n.devid) === dev);
  if (idx < 0) throw new SimFailure(`Unknown device ${dev}.\n`, 1);
  d.config.nics.splice(idx, 1);
  ctx.host.persist();
  return ok();
}

function cdrom(ctx: XlContext, cmd: 'cd-insert' | 'cd-eject', args: readonly string[]): SimResult {
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

async function save(ctx: XlContext, args: readonly string[]): Promise<SimResult> {
  const { flags, pos } = opts(args);
  const [ident, file] = pos;
  if (ident === undefined || file === undefined) usage('save', 2);
  const d = ctx.host.resolveDomU(ident, 'libxl_domain_suspend');
  const hp = hostPath(file);
  const frames = d.config.maxMemMiB * 256;
  let stderr = `Saving to ${file} new xl format (info 0x3/0x0/1200)\nxc: info: Saving domain ${d.domid}, type x86 ${d.config.type === 'pv' ? 'PV' : 'HVM'}\n`;
  for (let k = 1; k <= 16; k++) {
    const done = Math.round((frames * k) / 16);
    stderr += `xc: progress: Frames: ${done}/${frames} ${String(Math.floor((done * 100) / frames)).padStart(4)}%\n`;
  }
  stderr += 'xc: progress: End of stream: 0/0    0%\n';
  ctx.host.settle(d);
  const body = JSON.stringify({ config: d.config, targetKiB: d.targetKiB, onlineVcpus: d.onlineVcpus, cpuS: d.cpuBase, uptimeS: ctx.host.uptimeOf(d), affinity: d.affinity });
  await ctx.fs.replaceFile(hp, `${SAVE_MAGIC}${body}\n`);
  await ctx.sleep(ctx.host.delay(800));
  if (!flags.has('-c')) {
    ctx.host.remove(d);
    ctx.host.persist();
  }
  return ok('', stderr);
}

interface SaveBody {
  config: SimDomainConfig;
  targetKiB: number;
  onlineVcpus: number;
  cpuS: number;
  uptimeS: number;
  affinity: string[];
}

async function restore(ctx: XlContext, args: readonly string[]): Promise<SimResult> {
  const { flags, pos } = opts(args);
  const file = pos[0] ?? usage('restore', 1);
  let text: string;
  try {
    text = await ctx.fs.readFile(hostPath(file));
  } catch {
    throw new SimFailure(`Can't open restore file: No such file or directory\n`, 3);
  }
  if (!text.startsWith(SAVE_MAGIC)) throw new SimFailure('File has wrong magic number - corrupt or for a different tool?\n', 3);
  let body: SaveBody;
  try {
    body = JSON.parse(text.slice(SAVE_MAGIC.length)) as SaveBody;
  } catch {
    throw new SimFailure('Savefile has truncated xl domain config\n', 3);
  }
  let stderr = `Loading new save file ${file} (new xl fmt info 0x3/0x0/1200)\n Savefile contains xl domain config in JSON format\nParsing config from <saved>\n`;
  await ctx.sleep(ctx.host.delay(800));
  ctx.host.tick();
  let d: SimDomain;
  try {
    d = ctx.host.createDomain(body.config, { paused: flags.has('-p'), cpuS: body.cpuS, consoleFresh: false });
  } catch (e) {
    if (e instanceof SimFailure) throw new SimFailure(stderr + e.stderr, e.exitCode);
    throw e;
  }
  d.targetKiB = body.targetKiB;
  d.onlineVcpus = body.onlineVcpus;
  d.ioBaseS = body.uptimeS;
  if (Array.isArray(body.affinity)) d.affinity = body.affinity;
  ctx.host.persist();
  stderr += `xc: info: Found x86 ${body.config.type === 'pv' ? 'PV' : 'HVM'} domain from Xen 4.17\nxc: info: Restoring domain\nxc: info: Restore successful\nxc: info: XenStore: mfn 0x7f2b1, dom 0, evt 1\nxc: info: Console: mfn 0x7f2b0, dom 0, evt 2\n`;
  return ok('', stderr);
}

/** Parses `key=value` words (xl create's trailing overrides) into cfg values. */
export function cfgFromWords(words: readonly string[]): Record<string, CfgValue> {
  return Object.assign({}, ...words.map((w) => parseCfgText(w, '<command line>'))) as Record<string, CfgValue>;
}

const HELP = `Usage xl [-vfNtT] <subcommand> [args]

xl full list of subcommands:

 create              Create a domain from config file <filename>
 list                List information about all/some domains
 destroy             Terminate a domain immediately
 shutdown            Issue a shutdown signal to a domain
 reboot              Issue a reboot signal to a domain
 pause               Pause execution of a domain
 unpause             Unpause a paused domain
 console             Attach to domain's console
 save                Save a domain state to restore later
 restore             Restore a domain from a saved state
 cd-insert           Insert a cdrom into a guest's cd drive
 cd-eject            Eject a cdrom from a guest's cd drive
 mem-max             Set the maximum amount reservation for a domain
 mem-set             Set the current memory usage for a domain
 vcpu-list           List the VCPUs for all/some domains
 vcpu-pin            Set which CPUs a VCPU can use
 vcpu-set            Set the number of active VCPUs allowed for the domain
 info                Get information about Xen host
 sched-credit2       Get/set credit2 scheduler parameters
 domid               Convert a domain name to domain id
 domname             Convert a domain id to domain name
 rename              Rename a domain
 dmesg               Read and/or clear dmesg buffer
 network-attach      Create a new virtual network device
 network-list        List virtual network interfaces for a domain
 network-detach      Destroy a domain's virtual network device
 block-attach        Create a new virtual block device
 block-list          List virtual block devices for a domain
 block-detach        Destroy a domain's virtual block device
 uptime              Print uptime for all/some domains
`;
