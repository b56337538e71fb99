import { headerIs, parseError, parseIntField, quoteLine, splitLines, splitNameAndColumns } from './lines';

/** One domain's credit2 parameters. */
export interface XlCredit2Domain {
  name: string;
  domid: number;
  /** Relative share, 1..65535 (256 by default). */
  weight: number;
  /** Percent of one pCPU the domain may use; 0 means no cap. */
  cap: number;
}

/** One cpupool's section of `xl sched-credit2`; `xl sched-credit2 -d DOM` prints no pool line, so pool is null there. */
export interface XlCredit2Pool {
  pool: string | null;
  /** The pool's context-switch rate limit in microseconds; null when xl says the parameters are unavailable. */
  ratelimitUs: number | null;
  domains: XlCredit2Domain[];
}

const WHAT = 'xl sched-credit2';
const HEADER = ['Name', 'ID', 'Weight', 'Cap'] as const;
const POOL_RE = /^Cpupool (.+): (?:ratelimit=(\d{1,9})us|\[sched params unavailable\])$/;

/** Parses `xl sched-credit2` (per-pool sections: a "Cpupool NAME: ratelimit=Nus" line, a header, rows) or its -d form. */
export function parseXlSchedCredit2(text: string): XlCredit2Pool[] {
  const lines = splitLines(text).filter((l) => l.text.trim() !== '');
  if (lines.length === 0) throw parseError(WHAT, 1, 'empty output, expected a Cpupool line or the header');
  const pools: XlCredit2Pool[] = [];
  let current: XlCredit2Pool | null = null;
  let sawHeader = false;
  for (const { n, text: line } of lines) {
    const pool = POOL_RE.exec(line);
    if (pool !== null) {
      if (current !== null && !sawHeader) throw parseError(WHAT, n, `pool ${current.pool ?? ''} has no header line`);
      current = { pool: pool[1] ?? '', ratelimitUs: pool[2] === undefined ? null : Number(pool[2]), domains: [] };
      pools.push(current);
      sawHeader = false;
      continue;
    }
    if (headerIs(line, HEADER)) {
      if (sawHeader || (current === null && pools.length > 0)) throw parseError(WHAT, n, 'header line out of place');
      if (current === null) {
        current = { pool: null, ratelimitUs: null, domains: [] };
        pools.push(current);
      }
      sawHeader = true;
      continue;
    }
    if (current === null || !sawHeader) {
      throw parseError(WHAT, n, `expected a "Cpupool NAME: ratelimit=Nus" line or the header, got ${quoteLine(line)}`);
    }
    const split = splitNameAndColumns(line, 3);
    if (split === null || split.name === '') throw parseError(WHAT, n, `expected "name id weight cap", got ${quoteLine(line)}`);
    const [id = '', weight = '', cap = ''] = split.columns;
    current.domains.push({
      name: split.name,
      domid: parseIntField(WHAT, n, 'ID', id),
      weight: parseIntField(WHAT, n, 'Weight', weight),
      cap: parseIntField(WHAT, n, 'Cap', cap),
    });
  }
  if (current !== null && !sawHeader) {
    throw parseError(WHAT, (lines[lines.length - 1]?.n ?? 0) + 1, `pool ${current.pool ?? ''} has no header line (output truncated?)`);
  }
  return pools;
}
