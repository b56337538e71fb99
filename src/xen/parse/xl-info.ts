import type { DomainType } from '../../shared/dto';
import { parseDecimalField, parseError, parseIntField, quoteLine, splitLines, tokenize } from './lines';

/** One CPU of `xl info -n`'s cpu_topology table. */
export interface XlCpuTopology {
  cpu: number;
  core: number;
  socket: number;
  node: number;
}

/** One node of `xl info -n`'s numa_info table (memory in MiB; distances to each node in order). */
export interface XlNumaNode {
  node: number;
  memsizeMiB: number;
  memfreeMiB: number;
  distances: number[];
}

/** What `xl info` (or `xl info -n`) says about the host. Memory figures are MiB, as xl prints them. */
export interface XlInfo {
  /** Every `key : value` pair, values trimmed, in xl's own key names (xen_commandline, hw_caps, build_id...). */
  raw: Record<string, string>;
  host: string;
  /** dom0 kernel release. */
  release: string;
  /** dom0 kernel build string. */
  version: string;
  machine: string;
  nrCpus: number;
  maxCpuId: number;
  nrNodes: number;
  coresPerSocket: number;
  threadsPerCore: number;
  cpuMhz: number;
  /** Words such as "pv", "hvm", "hap", "shadow", "gnttab-v1". */
  virtCaps: string[];
  totalMemoryMiB: number;
  freeMemoryMiB: number;
  xenMajor: number;
  xenMinor: number;
  /** e.g. ".5". */
  xenExtra: string;
  xenVersion: string;
  /** e.g. ["xen-3.0-x86_64", "hvm-3.0-x86_32", ...]. */
  xenCaps: string[];
  xenScheduler: string;
  xenCommandline: string;
  ccCompiler: string | null;
  xendConfigFormat: number | null;
  /** Only with `xl info -n`. */
  cpuTopology: XlCpuTopology[] | null;
  /** Only with `xl info -n`. */
  numaInfo: XlNumaNode[] | null;
}

const WHAT = 'xl info';

/**
 * A key line is a lower-case word (or words, as in "device topology") padded with spaces to xl's colon column.
 * Requiring the space before the colon keeps the table rows of `xl info -n` ("cpu:    core ...", "  0:  ...") out.
 */
const KEY_RE = /^([a-z_][a-z0-9_]*(?: [a-z0-9_]+)*) +:(?: (.*))?$/;

/** Keys followed by a free-form table (xl info -n) rather than a value. */
const TABLE_KEYS = new Set(['cpu_topology', 'device topology', 'numa_info']);

type Row = { n: number; text: string };

/** The `key : value` pairs of xl info's output, the line each key is on, and the rows of the -n tables. */
interface ScannedInfo {
  values: Map<string, string>;
  keyLine: Map<string, number>;
  tables: Record<string, Row[]>;
}

/** Parses `xl info` / `xl -v info` / `xl info -n`: every `key : value`, plus typed fields; a missing key means truncated output. */
export function parseXlInfo(text: string): XlInfo {
  const lines = splitLines(text);
  if (lines.every((l) => l.text.trim() === '')) throw parseError(WHAT, 1, 'empty output');
  const { values, keyLine, tables } = scanInfoLines(lines);
  const { str, int, dec, words, optionalInt } = fieldReader(values, keyLine, lines.length + 1);

  return {
    raw: Object.fromEntries(values),
    host: str('host'),
    release: str('release'),
    version: str('version'),
    machine: str('machine'),
    nrCpus: int('nr_cpus'),
    maxCpuId: int('max_cpu_id'),
    nrNodes: int('nr_nodes'),
    coresPerSocket: int('cores_per_socket'),
    threadsPerCore: int('threads_per_core'),
    cpuMhz: dec('cpu_mhz'),
    virtCaps: words('virt_caps'),
    totalMemoryMiB: int('total_memory'),
    freeMemoryMiB: int('free_memory'),
    xenMajor: int('xen_major'),
    xenMinor: int('xen_minor'),
    xenExtra: str('xen_extra'),
    xenVersion: str('xen_version'),
    xenCaps: words('xen_caps'),
    xenScheduler: str('xen_scheduler'),
    xenCommandline: str('xen_commandline'),
    ccCompiler: values.get('cc_compiler') ?? null,
    xendConfigFormat: optionalInt('xend_config_format'),
    cpuTopology: tables.cpu_topology === undefined ? null : parseCpuTopology(tables.cpu_topology),
    numaInfo: tables.numa_info === undefined ? null : parseNumaInfo(tables.numa_info),
  };
}

/** Sorts each line into a key, a row of the table the last key opened, or a blank; anything else is an error. */
function scanInfoLines(lines: readonly Row[]): ScannedInfo {
  // Maps, not objects: a key such as "__proto__" must stay data.
  const values = new Map<string, string>();
  const keyLine = new Map<string, number>();
  const tables: Record<string, Row[]> = {};
  let table: string | null = null;
  for (const { n, text: line } of lines) {
    const m = KEY_RE.exec(line);
    if (m !== null) {
      const key = m[1] ?? '';
      const value = (m[2] ?? '').trim();
      if (values.has(key)) throw parseError(WHAT, n, `key ${key} appears twice`);
      values.set(key, value);
      keyLine.set(key, n);
      table = TABLE_KEYS.has(key) && value === '' ? key : null;
      if (table !== null) tables[table] = [];
      continue;
    }
    if (table !== null && line.trim() !== '') {
      tables[table]?.push({ n, text: line });
      continue;
    }
    if (line.trim() === '') continue;
    throw parseError(WHAT, n, `expected "key : value", got ${quoteLine(line)}`);
  }
  return { values, keyLine, tables };
}

interface FieldReader {
  str: (key: string) => string;
  int: (key: string) => number;
  dec: (key: string) => number;
  words: (key: string) => string[];
  optionalInt: (key: string) => number | null;
}

/** Typed readers of required keys (a missing one is reported at line `end`, as truncated output) and optional ones. */
function fieldReader(values: ReadonlyMap<string, string>, keyLine: ReadonlyMap<string, number>, end: number): FieldReader {
  const need = (key: string): { value: string; n: number } => {
    const value = values.get(key);
    if (value === undefined) throw parseError(WHAT, end, `missing key ${key} (output truncated?)`);
    return { value, n: keyLine.get(key) ?? end };
  };
  const str = (key: string): string => need(key).value;
  const int = (key: string): number => {
    const { value, n } = need(key);
    return parseIntField(WHAT, n, key, value);
  };
  const dec = (key: string): number => {
    const { value, n } = need(key);
    return parseDecimalField(WHAT, n, key, value);
  };
  const words = (key: string): string[] => tokenize(str(key)).map((t) => t.text);
  const optionalInt = (key: string): number | null => (values.has(key) ? int(key) : null);
  return { str, int, dec, words, optionalInt };
}

function parseCpuTopology(rows: Row[]): XlCpuTopology[] {
  const out: XlCpuTopology[] = [];
  for (const { n, text } of rows) {
    const t = tokenize(text).map((x) => x.text);
    if (t[0] === 'cpu:') continue;
    const [cpu = '', core = '', socket = '', node = ''] = t;
    if (t.length !== 4 || !cpu.endsWith(':')) {
      throw parseError(WHAT, n, `expected "cpu: core socket node", got ${quoteLine(text)}`);
    }
    out.push({
      cpu: parseIntField(WHAT, n, 'cpu', cpu.slice(0, -1)),
      core: parseIntField(WHAT, n, 'core', core),
      socket: parseIntField(WHAT, n, 'socket', socket),
      node: parseIntField(WHAT, n, 'node', node),
    });
  }
  return out;
}

function parseNumaInfo(rows: Row[]): XlNumaNode[] {
  const out: XlNumaNode[] = [];
  for (const { n, text } of rows) {
    const t = tokenize(text).map((x) => x.text);
    if (t[0] === 'node:') continue;
    const [node = '', memsize = '', memfree = '', ...distances] = t;
    if (t.length < 4 || !node.endsWith(':')) {
      throw parseError(WHAT, n, `expected "node: memsize memfree distances", got ${quoteLine(text)}`);
    }
    out.push({
      node: parseIntField(WHAT, n, 'node', node.slice(0, -1)),
      memsizeMiB: parseIntField(WHAT, n, 'memsize', memsize),
      memfreeMiB: parseIntField(WHAT, n, 'memfree', memfree),
      distances: distances.map((d) => parseIntField(WHAT, n, 'distance', d)),
    });
  }
  return out;
}

/**
 * Guest types a host can start, from xl info's virt_caps. Rule: "pv" needs the word pv; "hvm" and "pvh" both need
 * hvm plus a way to virtualise guest paging, hap (nested paging) or shadow (software). PVH is an HVM container
 * without a device model, so it needs nothing more than that; HVM also needs qemu-system-xen in dom0, which
 * virt_caps cannot show. (Seen on the test host: "pv hvm shadow" runs PV, PVH and HVM guests.)
 */
export function guestTypesFromVirtCaps(caps: readonly string[]): DomainType[] {
  const has = (w: string): boolean => caps.includes(w);
  const out: DomainType[] = [];
  if (has('pv')) out.push('pv');
  if (has('hvm') && (has('hap') || has('shadow'))) out.push('pvh', 'hvm');
  return out;
}
