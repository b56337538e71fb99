import { formatXentopFrame } from './format';
import { SimFailure, type SimHost } from './host';
import { runIpJson } from './net';
import { dom0Subtree, domUEntries, formatXenstoreLs, type XsExtras } from './xenstore';

/** xentop -b options the simulator understands. */
export interface XentopOpts {
  iterations: number | null;
  delayS: number;
  fullNames: boolean;
}

/** Parses xentop's argv; only batch mode is possible without a terminal. */
export function parseXentopArgs(args: readonly string[]): XentopOpts {
  const o: XentopOpts = { iterations: null, delayS: 3, fullNames: false };
  let batch = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const val = (): string => {
      const v = a.length > 2 && !a.startsWith('--') ? a.slice(2) : args[++i];
      if (v === undefined) throw new SimFailure(`xentop: option requires an argument -- '${a.replace(/^-+/, '')}'\n`, 1);
      return v;
    };
    if (a === '-b' || a === '--batch') batch = true;
    else if (a.startsWith('-i') || a === '--iterations') o.iterations = Math.max(1, Math.floor(Number(val())) || 1);
    else if (a.startsWith('-d') || a === '--delay') {
      const d = Number(val());
      if (!(d > 0)) throw new SimFailure('xentop: delay must be a positive number\n', 1);
      o.delayS = d;
    } else if (a === '-f' || a === '--full-name') o.fullNames = true;
  }
  if (!batch) throw new SimFailure('xentop: the demo host only runs batch mode (-b)\n', 1);
  return o;
}

/** Produces successive xentop frames; CPU(%) comes from the CPU-time delta since the previous frame, 0.0 on the first. */
export class XentopSampler {
  private prev: { at: number; cpu: Map<number, number> } | null = null;

  constructor(
    private readonly host: SimHost,
    private readonly fullNames: boolean,
  ) {}

  /** The next frame's text. */
  frame(): string {
    this.host.tick();
    const at = this.host.now();
    const rows = this.host.rows().map((r) => (this.fullNames ? r : { ...r, name: r.name.slice(0, 10) }));
    const pct = new Map<number, number>();
    const cpu = new Map<number, number>();
    for (const r of rows) {
      cpu.set(r.domid, r.cpuS);
      const before = this.prev?.cpu.get(r.domid);
      const dt = this.prev ? (at - this.prev.at) / 1000 : 0;
      pct.set(r.domid, before !== undefined && dt > 0 ? Math.max(0, ((r.cpuS - before) / dt) * 100) : 0);
    }
    this.prev = { at, cpu };
    return formatXentopFrame(rows, pct, this.host.state.totalMiB * 1024);
  }
}

/** Runs xenstore-read / xenstore-ls / xenstore-list against the simulated store. */
export function runXenstore(host: SimHost, program: 'xenstore-read' | 'xenstore-ls' | 'xenstore-list', args: readonly string[], extras: (domid: number) => XsExtras): string {
  host.tick();
  const flags = args.filter((a) => a.startsWith('-'));
  const paths = args.filter((a) => !a.startsWith('-'));
  const live = host.state.domains.filter((x) => x.phase !== 'rebuilding');
  const entriesUnder = (p: string): [string, string][] => {
    const m = /^\/local\/domain\/([0-9]+)(\/|$)/.exec(p);
    if (m && m[1] !== undefined) {
      const domid = Number(m[1]);
      if (domid === 0) return dom0Subtree(host.dom0KiB(), live);
      const d = host.state.domains.find((x) => x.domid === domid && x.phase !== 'rebuilding');
      return d ? domUEntries(d, extras(domid)) : [];
    }
    const all: [string, string][] = [...dom0Subtree(host.dom0KiB(), live)];
    for (const d of [...host.state.domains].sort((a, b) => a.domid - b.domid)) all.push(...domUEntries(d, extras(d.domid)));
    const dirs: [string, string][] = [
      ['/local', ''],
      ['/local/domain', ''],
      ['/local/domain/0', ''],
      ...host.state.domains.map((d): [string, string] => [`/local/domain/${d.domid}`, '']),
    ];
    return [...dirs, ...all].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  };
  const lookup = (p: string): string | undefined => {
    const norm = p.replace(/\/+$/, '') || '/';
    if (/^\/local\/domain\/[0-9]+$/.test(norm) || norm === '/local' || norm === '/local/domain') return entriesUnder(norm).length || norm === '/local' || norm === '/local/domain' ? '' : undefined;
    return entriesUnder(norm).find(([k]) => k === norm)?.[1];
  };
  if (program === 'xenstore-read') {
    if (paths.length === 0) throw new SimFailure('Usage: xenstore-read [-h] [-p] [-s] [-R] key [...]\n', 1);
    let out = '';
    for (const p of paths) {
      const v = lookup(p);
      if (v === undefined) throw new SimFailure(`xenstore-read: couldn't read path ${p}\n`, 1, out);
      out += `${v}\n`;
    }
    return out;
  }
  const root = (paths[0] ?? '/').replace(/\/+$/, '') || '/';
  if (root !== '/' && lookup(root) === undefined) throw new SimFailure(`${program}: xs_directory (${root}): No such file or directory\n`, 1);
  const entries = entriesUnder(root);
  if (program === 'xenstore-list') {
    const depth = root === '/' ? 1 : root.split('/').length;
    const kids = new Set<string>();
    for (const [k] of entries) {
      if (k.startsWith(root === '/' ? '/' : `${root}/`)) {
        const seg = k.split('/')[depth];
        if (seg) kids.add(seg);
      }
    }
    return [...kids].map((k) => `${k}\n`).join('');
  }
  return formatXenstoreLs(entries, root, flags.includes('-f'));
}

/** The demo host's bridges, as dom0 would have them. */
export const SIM_BRIDGES = ['xenbr0', 'xenbr1'] as const;

/** `ip -o link show [type bridge]` and `ip -br link` for dom0's interfaces (vifs follow the running domains' NICs). */
export function runIp(host: SimHost, args: readonly string[]): string {
  const json = runIpJson(host, args);
  if (json !== null) return json;
  const a = args.join(' ');
  const vifs = host.state.domains.filter((d) => d.phase !== 'rebuilding').flatMap((d) => d.config.nics.map((n) => `vif${d.domid}.${n.devid}`));
  const links: { name: string; mac: string; bridge: boolean; master?: string }[] = [
    { name: 'lo', mac: '00:00:00:00:00:00', bridge: false },
    { name: 'eth0', mac: '52:54:00:12:34:56', bridge: false, master: 'xenbr0' },
    { name: 'xenbr0', mac: 'c6:57:65:94:b7:be', bridge: true },
    { name: 'xenbr1', mac: 'c6:57:65:94:b7:bf', bridge: true },
    ...vifs.map((name) => ({ name, mac: 'fe:ff:ff:ff:ff:ff', bridge: false })),
  ];
  if (/^-br link( show)?$/.test(a)) {
    return links.map((l) => `${l.name.padEnd(16)} ${l.name === 'lo' ? 'UNKNOWN       ' : 'UP            '} ${l.mac} <${l.name === 'lo' ? 'LOOPBACK,UP,LOWER_UP' : 'BROADCAST,MULTICAST,UP,LOWER_UP'}> \n`).join('');
  }
  const m = /^-o link show( type bridge)?$/.exec(a);
  if (!m) throw new SimFailure('Command line is not complete. Try option "help"\n', 1);
  return links
    .map((l, i) => ({ ...l, idx: i + 1 }))
    .filter((l) => !m[1] || l.bridge)
    .map(
      (l) =>
        `${l.idx}: ${l.name}: <${l.name === 'lo' ? 'LOOPBACK,UP,LOWER_UP' : 'BROADCAST,MULTICAST,UP,LOWER_UP'}> mtu ${l.name === 'lo' ? 65536 : 1500} qdisc noqueue${l.master ? ` master ${l.master}` : ''} state UP mode DEFAULT group default qlen 1000\\    link/${l.name === 'lo' ? 'loopback' : 'ether'} ${l.mac} brd ff:ff:ff:ff:ff:ff\n`,
    )
    .join('');
}

/** `brctl show`, tab-separated as bridge-utils prints it. */
export function runBrctl(host: SimHost, args: readonly string[]): string {
  if (args[0] !== 'show') throw new SimFailure('never heard of command [' + (args[0] ?? '') + ']\n', 1);
  let out = 'bridge name\tbridge id\t\tSTP enabled\tinterfaces\n';
  const ports = new Map<string, string[]>([
    ['xenbr0', ['eth0']],
    ['xenbr1', []],
  ]);
  for (const d of host.state.domains) {
    if (d.phase === 'rebuilding') continue;
    for (const n of d.config.nics) ports.get(n.bridge)?.push(`vif${d.domid}.${n.devid}`);
  }
  for (const [br, ifs] of ports) {
    out += `${br}\t\t8000.c6576594b7be\tno\t\t${ifs[0] ?? ''}\n`;
    for (const i of ifs.slice(1)) out += `\t\t\t\t\t\t\t${i}\n`;
  }
  return out;
}
