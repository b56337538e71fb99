import { dmesgText } from './dmesg';
import { isEmulatedCd } from './xenstore';
import { BLOCK_LIST_HEADER, NETWORK_LIST_HEADER, formatBlockRow, formatNetworkRow, formatSchedCredit2, formatUptime, formatVcpuList, formatXlInfo, formatXlList, yajlStringify, type DomRow, type JsonVal, type VcpuRow } from './format';
import { SimFailure, type SimHost } from './host';
import { dom0Json, domUJson } from './json';
import { loadAt } from './load';
import type { SimDomain } from './model';
import { ok, usage, opts, type SimResult, type XlContext, type XlHandler } from './xl-common';

// The simulator's read-only xl subcommands: list, info, vcpu-list, uptime, the device lists, sched-credit2, dmesg,
// domid and domname, answered in xl's exact formats.

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

export function list(ctx: XlContext, args: readonly string[]): SimResult {
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

export function vcpuList(ctx: XlContext, args: readonly string[]): SimResult {
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

export function uptime(ctx: XlContext, args: readonly string[]): SimResult {
  const rows = selectRows(ctx.host, opts(args).pos).filter((r) => r.domid === 0 || ctx.host.state.domains.some((d) => d.domid === r.domid && d.phase !== 'rebuilding'));
  return ok(formatUptime(rows));
}

export function networkList(ctx: XlContext, args: readonly string[]): SimResult {
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

export function blockList(ctx: XlContext, args: readonly string[]): SimResult {
  const pos = opts(args).pos;
  if (pos.length === 0) usage('block-list', 1);
  let out = BLOCK_LIST_HEADER;
  for (const id of pos) {
    const d = ctx.host.resolve(id);
    if (d === 'dom0') continue;
    d.config.disks.forEach((b, k) => {
      // An HVM guest's CD drive is qemu's (emulated IDE): its qdisk backend waits with no ring, as Xen 4.17 lists it.
      const row = isEmulatedCd(d, b) ? { state: 1, evtch: -1, ringRef: -1, kind: 'qdisk' as const } : { state: 4, evtch: 9 + k, ringRef: 8 + k };
      out += formatBlockRow(d.domid, { devid: b.devid, ...row });
    });
  }
  return ok(out);
}

export function schedCredit2(ctx: XlContext, args: readonly string[]): SimResult {
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

/** `xl info [-n]`. */
export const info: XlHandler = (ctx, args) => ok(formatXlInfo(hostFacts(ctx.host), opts(args).flags.has('-n')));

/** `xl dmesg`. */
export const dmesg: XlHandler = (ctx) => ok(dmesgText(ctx.host.state));

/** `xl domid NAME`. */
export const domid: XlHandler = (ctx, args, { cmd }) => {
  const name = args[0] ?? usage(cmd, 1);
  const d = ctx.host.find(name);
  if (!d || /^[0-9]+$/.test(name)) throw new SimFailure(`Can't get domid of domain name '${name}', maybe this domain does not exist.\n`, 1);
  return ok(`${d === 'dom0' ? 0 : d.domid}\n`);
};

/** `xl domname ID`. */
export const domname: XlHandler = (ctx, args, { cmd }) => {
  const id = args[0] ?? usage(cmd, 1);
  const d = /^[0-9]+$/.test(id) ? ctx.host.find(id) : undefined;
  if (!d) throw new SimFailure(`Can't get domain name of domain id '${id}', maybe this domain does not exist.\n`, 1);
  return ok(`${d === 'dom0' ? 'Domain-0' : d.config.name}\n`);
};
