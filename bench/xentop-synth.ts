/**
 * Recorded-looking `xentop -b -f` frames for N domains: the layout of the real Xen 4.17 capture (xentop.c printf
 * widths, counter columns widening as numbers grow), counters that climb each tick, a few running/paused/crashed ones.
 */

const HEADERS = ['NAME', 'STATE', 'CPU(sec)', 'CPU(%)', 'MEM(k)', 'MEM(%)', 'MAXMEM(k)', 'MAXMEM(%)', 'VCPUS', 'NETS', 'NETTX(k)',
  'NETRX(k)', 'VBDS', 'VBD_OO', 'VBD_RD', 'VBD_WR', 'VBD_RSECT', 'VBD_WSECT', 'SSID'];
const BASE_WIDTHS = [10, 6, 10, 6, 10, 6, 10, 9, 5, 4, 8, 8, 4, 8, 8, 8, 10, 10, 4];
const HOST_KIB = 512 * 1024 * 1024;

interface SynthDomain {
  name: string;
  state: string;
  vcpus: number;
  memKiB: number;
  maxMemKiB: number | null;
  cpuNs: number;
  tx: number;
  rx: number;
  rd: number;
  wr: number;
  rsect: number;
  wsect: number;
  /** Load: CPU share of one pCPU per vCPU, bytes per tick. */
  cpuLoad: number;
  netLoad: number;
  blkLoad: number;
}

/** Deterministic pseudo-random numbers so every run measures the same input. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function domains(n: number): SynthDomain[] {
  const rnd = lcg(n * 7919);
  const list: SynthDomain[] = [];
  for (let i = 0; i < n; i++) {
    const dom0 = i === 0;
    const vcpus = dom0 ? 8 : 1 + Math.floor(rnd() * 4);
    const memKiB = dom0 ? 4194304 : (256 + Math.floor(rnd() * 16) * 256) * 1024;
    const pick = rnd();
    list.push({
      // Names beyond xentop's 10 columns are what -f is for.
      name: dom0 ? 'Domain-0' : i % 7 === 0 ? `production-web-${String(i).padStart(4, '0')}` : `guest${String(i).padStart(4, '0')}`,
      state: dom0 ? '-----r' : pick < 0.1 ? '-----r' : pick < 0.12 ? '----p-' : pick < 0.121 ? '---c--' : '--b---',
      vcpus,
      memKiB,
      maxMemKiB: dom0 ? null : memKiB + 1024,
      cpuNs: Math.floor(rnd() * 1e12),
      tx: Math.floor(rnd() * 1e10),
      rx: Math.floor(rnd() * 1e10),
      rd: Math.floor(rnd() * 1e6),
      wr: Math.floor(rnd() * 1e6),
      rsect: Math.floor(rnd() * 1e9),
      wsect: Math.floor(rnd() * 1e9),
      cpuLoad: rnd() * rnd(),
      netLoad: Math.floor(rnd() * rnd() * 5e6),
      blkLoad: Math.floor(rnd() * rnd() * 2000),
    });
  }
  return list;
}

const pad = (v: string | number, w: number): string => String(v).padStart(w);

function width(v: number, base: number): number {
  // xentop.c adjust_field_widths(): INT_FIELD_WIDTH(v + 1) = floor(log10(v + 1)) + 1.
  return Math.max(base, Math.floor(Math.log10(v + 1)) + 1);
}

/** `ticks` consecutive frames of xentop -b -f for `n` domains (the first with CPU(%) 0.0, as xentop prints it). */
export function synthXentopFrames(n: number, ticks: number): string[] {
  const doms = domains(n);
  const rnd = lcg(n);
  const frames: string[] = [];
  const nameW = Math.max(10, ...doms.map((d) => d.name.length));
  for (let t = 0; t < ticks; t++) {
    const pct: number[] = [];
    for (const d of doms) {
      const p = t === 0 || d.state === '----p-' || d.state === '---c--' ? 0 : d.cpuLoad * d.vcpus * 100 * (0.5 + rnd());
      pct.push(p);
      d.cpuNs += p * 1e7;
      d.tx += Math.floor(d.netLoad * rnd());
      d.rx += Math.floor(d.netLoad * 2 * rnd());
      const reads = Math.floor(d.blkLoad * rnd());
      const writes = Math.floor(d.blkLoad * rnd());
      d.rd += reads;
      d.wr += writes;
      d.rsect += reads * 8;
      d.wsect += writes * 16;
    }
    const widths = [...BASE_WIDTHS];
    widths[0] = nameW;
    for (const d of doms) {
      widths[10] = width(Math.floor(d.tx / 1024), widths[10]!);
      widths[11] = width(Math.floor(d.rx / 1024), widths[11]!);
      widths[14] = width(d.rd, widths[14]!);
      widths[15] = width(d.wr, widths[15]!);
      widths[16] = width(d.rsect, widths[16]!);
      widths[17] = width(d.wsect, widths[17]!);
    }
    const w = (i: number): number => widths[i]!;
    const lines = [HEADERS.map((h, i) => pad(h, w(i))).join(' ')];
    doms.forEach((d, i) => {
      lines.push(
        [
          pad(d.name, w(0)),
          d.state,
          pad(Math.floor(d.cpuNs / 1e9), w(2)),
          pad(pct[i]!.toFixed(1), w(3)),
          pad(d.memKiB, w(4)),
          pad(((d.memKiB / HOST_KIB) * 100).toFixed(1), w(5)),
          pad(d.maxMemKiB ?? 'no limit', w(6)),
          pad(d.maxMemKiB === null ? 'n/a' : ((d.maxMemKiB / HOST_KIB) * 100).toFixed(1), w(7)),
          pad(d.vcpus, w(8)),
          pad(1, w(9)),
          pad(Math.floor(d.tx / 1024), w(10)),
          pad(Math.floor(d.rx / 1024), w(11)),
          pad(1, w(12)),
          pad(0, w(13)),
          pad(d.rd, w(14)),
          pad(d.wr, w(15)),
          pad(d.rsect, w(16)),
          pad(d.wsect, w(17)),
          pad(0, w(18)),
        ].join(' '),
      );
    });
    frames.push(`${lines.join('\n')}\n`);
  }
  return frames;
}

/** `xl list` for the same domains, so the service's domid lookup has something to read. */
export function synthXlList(n: number): string {
  const rows = domains(n).map((d, i) =>
    `${d.name.padEnd(40)}${pad(i, 5)}${pad(Math.floor(d.memKiB / 1024), 6)}${pad(d.vcpus, 6)}     r-----${pad('12.3', 10)}`,
  );
  return `${['Name                                        ID   Mem VCPUs\tState\tTime(s)', ...rows].join('\n')}\n`;
}
