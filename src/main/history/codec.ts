import type { StatsBatch } from '../../shared/dto';
import { DOMAIN_METRICS, HOST_METRICS } from '../../shared/history';

/**
 * The history store's keys and values. Keys are strings that sort by time within one series: a tier letter, the
 * domain's name ('' for the host) and the time as 13 decimal digits, separated by NUL (no domain name holds one).
 * Values are little-endian float32 rows: cheap to write, 4 bytes a figure, read with a DataView without copying.
 */

export const DOMAIN_WIDTH = DOMAIN_METRICS.length;
export const HOST_WIDTH = HOST_METRICS.length;
const SEP = '\u0000';
const VERSION = 1;
const HEADER = 12;

/** Fixed-width decimal epoch ms, so string order is time order (13 digits last until the year 2286). */
export function t13(t: number): string {
  return String(Math.max(0, Math.floor(t))).padStart(13, '0');
}

/** Key of one row of the minute ('m') or hour ('h') tier; `name` '' is the host. */
export function rowKey(tier: 'm' | 'h', name: string, t: number): string {
  return `${tier}${SEP}${name}${SEP}${t13(t)}`;
}

/** First and last possible keys of one series (for range reads and pruning). */
export function seriesRange(tier: 'm' | 'h', name: string, fromMs: number, toMs: number): { gte: string; lte: string } {
  return { gte: rowKey(tier, name, fromMs), lte: rowKey(tier, name, toMs) };
}

/** Key of one tick of the second tier: one record holds every domain of that tick. */
export function tickKey(t: number): string {
  return `s${SEP}${t13(t)}`;
}

/** Key under which a series' name is remembered, so pruning finds domains that are gone. */
export function nameKey(name: string): string {
  return `n${SEP}${name}`;
}

/** The name of a nameKey. */
export function nameOfKey(key: string): string {
  return key.slice(2);
}

/** Epoch ms at the end of a row or tick key. */
export function timeOfKey(key: string): number {
  return Number(key.slice(-13));
}

/** A domain's row of a stats tick, in DOMAIN_METRICS order. */
export function domainRow(d: StatsBatch['domains'][number], out: Float64Array | Float32Array): void {
  out[0] = d.cpuGuestPct;
  out[1] = d.cpuHostPct;
  out[2] = d.memKiB / 1024;
  out[3] = d.blkReadBps;
  out[4] = d.blkWriteBps;
  out[5] = d.netRxBps;
  out[6] = d.netTxBps;
}

/** The host's row of a stats tick, in HOST_METRICS order. */
export function hostRow(b: StatsBatch, out: Float64Array | Float32Array): void {
  out[0] = b.host.cpuPct;
  out[1] = b.host.memUsedKiB / 1024;
  out[2] = b.host.memTotalKiB / 1024;
}

/**
 * One tick as one record: header (version, count, names' byte length), the names joined by NUL, padding to 4 bytes,
 * the host's row, then each domain's row in the names' order.
 */
export function encodeTick(b: StatsBatch): Buffer {
  const names = Buffer.from(b.domains.map((d) => d.name).join(SEP), 'utf8');
  const floatsAt = HEADER + Math.ceil(names.length / 4) * 4;
  const buf = Buffer.alloc(floatsAt + 4 * (HOST_WIDTH + DOMAIN_WIDTH * b.domains.length));
  buf.writeUInt32LE(VERSION, 0);
  buf.writeUInt32LE(b.domains.length, 4);
  buf.writeUInt32LE(names.length, 8);
  names.copy(buf, HEADER);
  const f = new Float32Array(buf.buffer, buf.byteOffset + floatsAt, HOST_WIDTH + DOMAIN_WIDTH * b.domains.length);
  hostRow(b, f);
  const row = new Float32Array(DOMAIN_WIDTH);
  b.domains.forEach((d, i) => {
    domainRow(d, row);
    f.set(row, HOST_WIDTH + i * DOMAIN_WIDTH);
  });
  return buf;
}

/** Copies the row of `name` ('' = the host) out of a tick record into `out` at `at`; false when the tick lacks it. */
export function readTickRow(buf: Buffer, name: string, out: number[], at: number): boolean {
  if (buf.length < HEADER || buf.readUInt32LE(0) !== VERSION) return false;
  const count = buf.readUInt32LE(4);
  const namesLen = buf.readUInt32LE(8);
  const floatsAt = HEADER + Math.ceil(namesLen / 4) * 4;
  let first: number;
  let width: number;
  if (name === '') {
    first = floatsAt;
    width = HOST_WIDTH;
  } else {
    const i = buf.toString('utf8', HEADER, HEADER + namesLen).split(SEP).indexOf(name);
    if (i < 0 || i >= count) return false;
    first = floatsAt + 4 * (HOST_WIDTH + i * DOMAIN_WIDTH);
    width = DOMAIN_WIDTH;
  }
  if (first + 4 * width > buf.length) return false;
  for (let m = 0; m < width; m++) out[at + m] = buf.readFloatLE(first + 4 * m);
  return true;
}

/** A row of a coarse tier: the averages, then how many samples they average (so a restart can merge, not replace). */
export function encodeRow(avg: ArrayLike<number>, count: number): Buffer {
  const buf = Buffer.alloc(4 * (avg.length + 1));
  for (let m = 0; m < avg.length; m++) buf.writeFloatLE(avg[m] ?? 0, 4 * m);
  buf.writeFloatLE(count, 4 * avg.length);
  return buf;
}

/** The averages and sample count of a coarse row of `width` metrics; null when it is not one. */
export function decodeRow(buf: Buffer, width: number): { avg: number[]; count: number } | null {
  if (buf.length !== 4 * (width + 1)) return null;
  const avg: number[] = [];
  for (let m = 0; m < width; m++) avg.push(buf.readFloatLE(4 * m));
  return { avg, count: buf.readFloatLE(4 * width) };
}
