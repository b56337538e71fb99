/** Printers that reproduce xl/xentop output byte for byte (column widths taken from the Xen 4.17 captures). */

/** One domain as the printers see it at one instant. */
export interface DomRow {
  name: string;
  domid: number;
  uuid: string;
  memKiB: number;
  /** xentop's MAXMEM(k): the hypervisor's max_pages (target + 1 MiB slack for domUs). */
  hvMaxKiB: number;
  vcpus: number;
  /** xl's state letters in r,b,p,s,c,d order, e.g. "-b----". */
  flags: string;
  cpuS: number;
  shutdownReason: number | null;
  uptimeS: number;
  nets: number;
  vbds: number;
  netTxK: number;
  netRxK: number;
  vbdRd: number;
  vbdWr: number;
  vbdRsect: number;
  vbdWsect: number;
}

/** printf("%-Ns") / ("%Ns") helpers. */
export const padR = (s: string | number, w: number): string => String(s).padEnd(w);
export const padL = (s: string | number, w: number): string => String(s).padStart(w);

/** `xl list` / `xl list -v`. */
export function formatXlList(rows: readonly DomRow[], verbose: boolean): string {
  let out = 'Name                                        ID   Mem VCPUs\tState\tTime(s)';
  out += verbose ? '   UUID                            Reason-Code\tSecurity Label\n' : '\n';
  for (const r of rows) {
    out += `${padR(r.name, 40)} ${padL(r.domid, 5)} ${padL(Math.floor(r.memKiB / 1024), 5)} ${padL(r.vcpus, 5)}     ${r.flags}  ${padL(r.cpuS.toFixed(1), 8)}`;
    if (verbose) {
      out += ` ${r.uuid}`;
      out += r.shutdownReason !== null ? ` ${padL(r.shutdownReason.toString(16), 8)}` : ` ${padL('-', 8)}`;
      out += ` ${padL('-', 16)}`;
    }
    out += '\n';
  }
  return out;
}

/** Facts `xl info` prints. */
export interface HostFacts {
  hostname: string;
  nrCpus: number;
  totalMiB: number;
  freeMiB: number;
  dom0MiB: number;
}

/** `xl info` (with `-n`: topology and NUMA blocks). */
export function formatXlInfo(h: HostFacts, numa: boolean): string {
  const kv = (k: string, v: string | number): string => `${padR(k, 23)}: ${v}\n`;
  let out = '';
  out += kv('host', h.hostname);
  out += kv('release', '6.1.0-50-amd64');
  out += kv('version', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)');
  out += kv('machine', 'x86_64');
  out += kv('nr_cpus', h.nrCpus);
  out += kv('max_cpu_id', h.nrCpus - 1);
  out += kv('nr_nodes', 1);
  out += kv('cores_per_socket', h.nrCpus);
  out += kv('threads_per_core', 1);
  out += kv('cpu_mhz', '2445.424');
  out += kv('hw_caps', '178bf3fd:80002001:20100800:00000007:00000000:00000000:00000000:00000000');
  out += kv('virt_caps', 'pv hvm hvm_directio pv_directio hap shadow gnttab-v1 gnttab-v2');
  out += kv('total_memory', h.totalMiB);
  out += kv('free_memory', h.freeMiB);
  out += kv('sharing_freed_memory', 0);
  out += kv('sharing_used_memory', 0);
  out += kv('outstanding_claims', 0);
  out += kv('free_cpus', 0);
  if (numa) {
    out += 'cpu_topology           :\ncpu:    core    socket     node\n';
    for (let c = 0; c < h.nrCpus; c++) out += `${padL(c, 3)}:${padL(c, 8)}${padL(0, 10)}${padL(0, 9)}\n`;
    out += 'device topology        :\ndevice           node\nNo device topology data available\n';
    out += `numa_info              :\nnode:    memsize    memfree    distances\n${padL(0, 4)}:${padL(h.totalMiB, 11)}${padL(h.freeMiB, 11)}      10\n`;
  }
  out += kv('xen_major', 4);
  out += kv('xen_minor', 17);
  out += kv('xen_extra', '.5');
  out += kv('xen_version', '4.17.5');
  out += kv('xen_caps', 'xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ');
  out += kv('xen_scheduler', 'credit2');
  out += kv('xen_pagesize', 4096);
  out += kv('platform_params', 'virt_start=0xffff800000000000');
  out += 'xen_changeset          : \n';
  out += kv('xen_commandline', `dom0_mem=${h.dom0MiB}M,max:${h.dom0MiB}M dom0_max_vcpus=2 console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all noreboot`);
  out += kv('cc_compiler', 'x86_64-linux-gnu-gcc (Debian 12.2.0-14+deb12u1) 12.2.0');
  out += kv('cc_compile_by', 'pkg-xen-devel');
  out += kv('cc_compile_domain', 'lists.alioth.debian.org');
  out += kv('cc_compile_date', 'Sat Nov 29 13:52:25 UTC 2025');
  out += kv('build_id', '39a640e6f1412319235087391df9f1c5e13ae920');
  out += kv('xend_config_format', 4);
  return out;
}

/** One vCPU row of `xl vcpu-list`. */
export interface VcpuRow {
  name: string;
  domid: number;
  vcpu: number;
  /** null when offline. */
  cpu: number | null;
  running: boolean;
  blocked: boolean;
  online: boolean;
  timeS: number;
  hard: string;
  soft: string;
}

/** `xl vcpu-list`. */
export function formatVcpuList(rows: readonly VcpuRow[]): string {
  let out = 'Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n';
  for (const r of rows) {
    const state = `${r.running ? 'r' : '-'}${r.blocked ? 'b' : '-'}${r.online ? '-' : 'p'}`;
    out += `${padR(r.name, 32)} ${padL(r.domid, 5)} ${padL(r.vcpu, 5)} ${padL(r.cpu === null ? '-' : r.cpu, 4)}   ${state}  ${padL(r.timeS.toFixed(1), 8)}  ${r.hard} / ${r.soft}\n`;
  }
  return out;
}

/** `xl uptime` line body: "0:03:56" or "2 days,  4:05:06". */
export function formatUptimeValue(totalS: number): string {
  const s = Math.max(0, Math.floor(totalS));
  const days = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const hms = `${padL(h, 2)}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return days > 0 ? `${days} day${days > 1 ? 's' : ''}, ${hms}` : hms;
}

/** `xl uptime`. */
export function formatUptime(rows: readonly { name: string; domid: number; uptimeS: number }[]): string {
  let out = 'Name                                ID Uptime\n';
  for (const r of rows) out += `${padR(r.name, 33)} ${padL(r.domid, 4)} ${formatUptimeValue(r.uptimeS)}\n`;
  return out;
}

/** `xl sched-credit2` (all domains of Pool-0), or one domain's row for -d. */
export function formatSchedCredit2(rows: readonly { name: string; domid: number; weight: number; cap: number }[], withPool = true): string {
  // `xl sched-credit2 -d DOM` prints the table without the pool line.
  let out = `${withPool ? 'Cpupool Pool-0: ratelimit=1000us\n' : ''}Name                                ID Weight  Cap\n`;
  for (const r of rows) out += `${padR(r.name, 33)} ${padL(r.domid, 4)} ${padL(r.weight, 6)} ${padL(r.cap, 4)}\n`;
  return out;
}

/** Header line of `xl network-list` (one per domain argument). */
export const NETWORK_LIST_HEADER = 'Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       \n';

/** One `xl network-list` row. */
export function formatNetworkRow(domid: number, n: { devid: number; mac: string; state: number; evtch: number; txRef: number; rxRef: number }): string {
  return `${padR(n.devid, 3)} ${padR(0, 2)} ${n.mac} ${padL(n.devid, 5)} ${padL(n.state, 5)} ${padL(n.evtch, 6)} ${padL(n.txRef, 5)}/${padR(n.rxRef, 11)} /local/domain/0/backend/vif/${domid}/${n.devid}\n`;
}

/** Header line of `xl block-list`. */
export const BLOCK_LIST_HEADER = 'Vdev  BE  handle state evt-ch ring-ref BE-path                       \n';

/** One `xl block-list` row; `kind` is the backend's ("qdisk" for an HVM guest's emulated CD drive, as on Xen 4.17). */
export function formatBlockRow(domid: number, b: { devid: number; state: number; evtch: number; ringRef: number; kind?: 'vbd' | 'qdisk' }): string {
  return `${padR(b.devid, 5)} ${padR(0, 3)} ${padR(domid, 6)} ${padR(b.state, 5)} ${padR(b.evtch, 6)} ${padR(b.ringRef, 8)} /local/domain/0/backend/${b.kind ?? 'vbd'}/${domid}/${b.devid}\n`;
}

/** xentop's column header (batch mode, no network/vbd/vcpu detail rows). */
export const XENTOP_HEADER =
  '      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID\n';

/** xentop shows state letters in d,s,b,c,p,r order; convert from xl's r,b,p,s,c,d. */
export function xentopFlags(xlFlags: string): string {
  const has = (i: number): boolean => xlFlags[i] !== '-' && xlFlags[i] !== undefined;
  return `${has(5) ? 'd' : '-'}${has(3) ? 's' : '-'}${has(1) ? 'b' : '-'}${has(4) ? 'c' : '-'}${has(2) ? 'p' : '-'}${has(0) ? 'r' : '-'}`;
}

/** One xentop -b frame. `cpuPct` per domid; `totalKiB` is the host's memory. */
export function formatXentopFrame(rows: readonly DomRow[], cpuPct: ReadonlyMap<number, number>, totalKiB: number): string {
  let out = XENTOP_HEADER;
  for (const r of rows) {
    const memPct = (r.memKiB / totalKiB) * 100;
    const maxPct = (r.hvMaxKiB / totalKiB) * 100;
    out +=
      `${padL(r.name, 10)} ${xentopFlags(r.flags)} ${padL(Math.floor(r.cpuS), 10)} ${padL((cpuPct.get(r.domid) ?? 0).toFixed(1), 6)}` +
      ` ${padL(r.memKiB, 10)} ${padL(memPct.toFixed(1), 6)} ${padL(r.hvMaxKiB, 10)} ${padL(maxPct.toFixed(1), 9)}` +
      ` ${padL(r.vcpus, 5)} ${padL(r.nets, 4)} ${padL(Math.floor(r.netTxK), 8)} ${padL(Math.floor(r.netRxK), 8)} ${padL(r.vbds, 4)}` +
      ` ${padL(0, 8)} ${padL(Math.floor(r.vbdRd), 8)} ${padL(Math.floor(r.vbdWr), 8)} ${padL(Math.floor(r.vbdRsect), 10)} ${padL(Math.floor(r.vbdWsect), 10)} ${padL(0, 4)}\n`;
  }
  return out;
}

/** A JSON value as libxl prints it (booleans are the strings "True"/"False"). */
export type JsonVal = string | number | JsonVal[] | { [k: string]: JsonVal };

/** Pretty-prints like libxl's yajl generator: 4-space indent, empty containers as an open/blank line/close. */
export function yajlStringify(v: JsonVal, indent = 0): string {
  const pad = ' '.repeat(indent);
  const inner = ' '.repeat(indent + 4);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return `[\n\n${pad}]`;
    return `[\n${v.map((x) => inner + yajlStringify(x, indent + 4)).join(',\n')}\n${pad}]`;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return `{\n\n${pad}}`;
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${yajlStringify(v[k] as JsonVal, indent + 4)}`).join(',\n')}\n${pad}}`;
}
