import { XenError } from '../errors';

/**
 * Parsers for `xentop -b` (batch mode). Each iteration prints one header line and one row per domain, no summary
 * (xentop.c skips do_summary() in batch mode). Columns are printf-formatted with single spaces between them; NAME is
 * `%10.10s` (or wider with `-f`), so rows are read from the right and whatever is left over is the name.
 */

/** xentop's columns, in print order (xentop.c `fields[]`). */
export const XENTOP_COLUMNS = [
  'NAME', 'STATE', 'CPU(sec)', 'CPU(%)', 'MEM(k)', 'MEM(%)', 'MAXMEM(k)', 'MAXMEM(%)', 'VCPUS', 'NETS', 'NETTX(k)',
  'NETRX(k)', 'VBDS', 'VBD_OO', 'VBD_RD', 'VBD_WR', 'VBD_RSECT', 'VBD_WSECT', 'SSID',
] as const;

/** One domain row of a xentop frame, every column kept. */
export interface XentopRow {
  name: string;
  /** xentop's six state letters in ITS order "dsbcpr" (dying, shutdown, blocked, crashed, paused, running). */
  stateFlags: string;
  /** CPU(sec): whole seconds (xentop truncates). */
  cpuS: number;
  /** CPU(%) of ONE physical CPU over xentop's last interval: can exceed 100; 0.0 in the first frame. */
  cpuPct: number;
  memKiB: number;
  memPct: number;
  /** MAXMEM(k); null when xentop prints "no limit". */
  maxMemKiB: number | null;
  /** MAXMEM(%); null when xentop prints "n/a". */
  maxMemPct: number | null;
  vcpus: number;
  nets: number;
  /** Cumulative KiB over all vifs (bytes / 1024, truncated). */
  netTxKiB: number;
  netRxKiB: number;
  vbds: number;
  /** VBD counters summed over the domain's disks; null when xentop prints "-" (every vbd reported an error). */
  vbdOo: number | null;
  vbdRd: number | null;
  vbdWr: number | null;
  /** Sectors of 512 bytes. */
  vbdRsect: number | null;
  vbdWsect: number | null;
  ssid: number;
}

/** One xentop iteration: the rows under one header. */
export interface XentopFrame {
  domains: XentopRow[];
  /** Value of the stream parser's clock when the frame's header arrived (absent without a clock). */
  at?: number;
  /** 1-based line number of the frame's header in the parsed input. */
  headerLine: number;
}

const SP = 32;
const TAB = 9;
const DOT = 46;
const DASH = 45;
const STATE_LETTERS = 'dsbcpr';
const STATE_CODES = Array.from(STATE_LETTERS, (ch) => ch.charCodeAt(0));

function isSpace(c: number): boolean {
  return c === SP || c === TAB || c === 13;
}

/** Scans a row right to left without allocating substrings for the numeric columns. */
class RowScanner {
  text = '';
  lineNo = 0;
  lineStart = 0;
  lineEnd = 0;
  private pos = 0;
  tokStart = 0;
  tokEnd = 0;

  reset(text: string, start: number, end: number, lineNo: number): void {
    this.text = text;
    this.lineStart = start;
    this.lineEnd = end;
    this.pos = end;
    this.lineNo = lineNo;
  }

  /** Moves to the token left of the cursor; false when only blanks remain. */
  prev(): boolean {
    const t = this.text;
    let p = this.pos;
    while (p > this.lineStart && isSpace(t.charCodeAt(p - 1))) p--;
    if (p === this.lineStart) return false;
    const e = p;
    while (p > this.lineStart && !isSpace(t.charCodeAt(p - 1))) p--;
    this.tokStart = p;
    this.tokEnd = e;
    this.pos = p;
    return true;
  }

  fail(what: string): XenError {
    const line = this.text.slice(this.lineStart, this.lineEnd);
    // Read from the right, a cut-off row fails on whichever column landed last; say what really happened.
    const n = line.trim() === '' ? 0 : line.trim().split(/\s+/).length;
    const why = n < XENTOP_COLUMNS.length ? `truncated row (${n} of ${XENTOP_COLUMNS.length} columns)` : what;
    return new XenError('PARSE', `xentop line ${this.lineNo}: ${why}: ${JSON.stringify(line)}`, { line: this.lineNo });
  }

  need(column: string): void {
    if (!this.prev()) throw this.fail(`missing column ${column}`);
  }

  /** The current token as an unsigned integer, or NaN. */
  uint(): number {
    const t = this.text;
    let v = 0;
    for (let i = this.tokStart; i < this.tokEnd; i++) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NaN;
      v = v * 10 + d;
    }
    return v;
  }

  /** The current token as a non-negative decimal like "33.3", or NaN. */
  decimal(): number {
    const t = this.text;
    let v = 0;
    let scale = 0;
    let digits = 0;
    for (let i = this.tokStart; i < this.tokEnd; i++) {
      const c = t.charCodeAt(i);
      if (c === DOT) {
        if (scale !== 0) return NaN;
        scale = 1;
        continue;
      }
      const d = c - 48;
      if (d < 0 || d > 9) return NaN;
      v = v * 10 + d;
      digits++;
      if (scale !== 0) scale *= 10;
    }
    if (digits === 0) return NaN;
    return scale === 0 ? v : v / scale;
  }

  is(word: string): boolean {
    return this.tokEnd - this.tokStart === word.length && this.text.startsWith(word, this.tokStart);
  }

  isDash(): boolean {
    return this.tokEnd - this.tokStart === 1 && this.text.charCodeAt(this.tokStart) === DASH;
  }

  uintCol(column: string): number {
    this.need(column);
    const v = this.uint();
    if (Number.isNaN(v)) throw this.fail(`${column} is not a number`);
    return v;
  }

  /** A VBD counter: a number, or null for xentop's "-". */
  vbdCol(column: string): number | null {
    this.need(column);
    if (this.isDash()) return null;
    const v = this.uint();
    if (Number.isNaN(v)) throw this.fail(`${column} is not a number`);
    return v;
  }

  pctCol(column: string): number {
    this.need(column);
    const v = this.decimal();
    if (!Number.isNaN(v)) return v;
    // printf("%6.1f") of a 0/0 or x/0 ratio (two samples in the same microsecond) prints nan/inf: no usable figure.
    if (this.is('nan') || this.is('-nan') || this.is('inf')) return 0;
    throw this.fail(`${column} is not a number`);
  }
}

function isStateFlags(t: string, s: number, e: number): boolean {
  if (e - s !== 6) return false;
  for (let i = s; i < e; i++) {
    const c = t.charCodeAt(i);
    // Letters are not checked by position: xentop's order (dsbcpr) differs from xl's (rbpscd) and is easy to confuse.
    if (c !== DASH && !STATE_CODES.includes(c)) return false;
  }
  return true;
}

/** Parses one domain row between [start, end) of `text`. */
function parseRow(sc: RowScanner): XentopRow {
  const ssid = sc.uintCol('SSID');
  const vbdWsect = sc.vbdCol('VBD_WSECT');
  const vbdRsect = sc.vbdCol('VBD_RSECT');
  const vbdWr = sc.vbdCol('VBD_WR');
  const vbdRd = sc.vbdCol('VBD_RD');
  const vbdOo = sc.vbdCol('VBD_OO');
  const vbds = sc.uintCol('VBDS');
  const netRxKiB = sc.uintCol('NETRX(k)');
  const netTxKiB = sc.uintCol('NETTX(k)');
  const nets = sc.uintCol('NETS');
  const vcpus = sc.uintCol('VCPUS');
  sc.need('MAXMEM(%)');
  let maxMemPct: number | null;
  let maxMemKiB: number | null;
  if (sc.is('n/a')) {
    // A domain without a memory limit prints "no limit" (two words) and "n/a" (xentop.c print_maxmem/print_max_pct).
    maxMemPct = null;
    sc.need('MAXMEM(k)');
    if (!sc.is('limit') || !sc.prev() || !sc.is('no')) throw sc.fail('MAXMEM(%) is n/a but MAXMEM(k) is not "no limit"');
    maxMemKiB = null;
  } else {
    maxMemPct = sc.decimal();
    if (Number.isNaN(maxMemPct)) throw sc.fail('MAXMEM(%) is not a number');
    maxMemKiB = sc.uintCol('MAXMEM(k)');
  }
  const memPct = sc.pctCol('MEM(%)');
  const memKiB = sc.uintCol('MEM(k)');
  const cpuPct = sc.pctCol('CPU(%)');
  const cpuS = sc.uintCol('CPU(sec)');
  sc.need('STATE');
  const t = sc.text;
  if (!isStateFlags(t, sc.tokStart, sc.tokEnd)) throw sc.fail('STATE is not six xentop state letters');
  const stateFlags = t.slice(sc.tokStart, sc.tokEnd);
  // Whatever is left of STATE is the name (right-aligned, may in principle hold spaces).
  let ns = sc.lineStart;
  let ne = sc.tokStart;
  while (ns < ne && isSpace(t.charCodeAt(ns))) ns++;
  while (ne > ns && isSpace(t.charCodeAt(ne - 1))) ne--;
  if (ns === ne) throw sc.fail('missing column NAME');
  return {
    name: t.slice(ns, ne),
    stateFlags,
    cpuS,
    cpuPct,
    memKiB,
    memPct,
    maxMemKiB,
    maxMemPct,
    vcpus,
    nets,
    netTxKiB,
    netRxKiB,
    vbds,
    vbdOo,
    vbdRd,
    vbdWr,
    vbdRsect,
    vbdWsect,
    ssid,
  };
}

/** True when [start, end) looks like a header ("NAME STATE ..."), which a domain row never does (its STATE is flags). */
function isHeader(t: string, start: number, end: number): boolean {
  let i = start;
  while (i < end && isSpace(t.charCodeAt(i))) i++;
  if (!t.startsWith('NAME', i) || !isSpace(t.charCodeAt(i + 4))) return false;
  i += 4;
  while (i < end && isSpace(t.charCodeAt(i))) i++;
  return t.startsWith('STATE', i);
}

function checkHeader(line: string, lineNo: number): void {
  const cols = line.trim().split(/\s+/);
  const ok = cols.length === XENTOP_COLUMNS.length && cols.every((c, i) => c === XENTOP_COLUMNS[i]);
  if (!ok) {
    throw new XenError('PARSE', `xentop line ${lineNo}: unexpected header: ${JSON.stringify(line)}`, { line: lineNo });
  }
}

function isBlank(t: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpace(t.charCodeAt(i))) return false;
  return true;
}

/** Options of a streaming parser. */
export interface XentopStreamOptions {
  /** Called with each complete frame (when the next header arrives, or on flush()). */
  onFrame: (frame: XentopFrame) => void;
  /**
   * Called with a PARSE error instead of throwing; the frame in progress is dropped and parsing resumes at the next
   * header. Without it push()/flush() throw.
   */
  onError?: (err: XenError) => void;
  /** Stamps each frame's `at` when its header arrives (so a frame's time is not the next frame's arrival). */
  clock?: () => number;
}

/** Incremental `xentop -b` parser: feed chunks split anywhere; emits one frame per header. */
export class XentopStreamParser {
  private buf = '';
  private lineNo = 0;
  private frame: XentopFrame | null = null;
  /** After an error, rows are ignored until the next header. */
  private skipping = false;
  private readonly sc = new RowScanner();

  constructor(private readonly opts: XentopStreamOptions) {}

  /** Feeds text; complete lines are parsed at once, a trailing partial line waits for the next chunk. */
  push(chunk: string): void {
    const text = this.buf.length === 0 ? chunk : this.buf + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      this.line(text, start, nl);
      start = nl + 1;
    }
    this.buf = start === 0 ? text : text.slice(start);
  }

  /** Ends the input: parses a final unterminated line and emits the frame in progress. */
  flush(): void {
    if (this.buf.length > 0) {
      const text = this.buf;
      this.buf = '';
      this.line(text, 0, text.length);
    }
    const f = this.frame;
    this.frame = null;
    this.skipping = false;
    if (f) this.opts.onFrame(f);
  }

  /** Forgets everything buffered (after the stream it was reading died); does not emit. */
  reset(): void {
    this.buf = '';
    this.frame = null;
    this.skipping = false;
    this.lineNo = 0;
  }

  private line(text: string, start: number, end: number): void {
    this.lineNo++;
    if (isBlank(text, start, end)) return;
    if (isHeader(text, start, end)) {
      const done = this.frame;
      this.frame = null;
      this.skipping = false;
      if (done) this.opts.onFrame(done);
      try {
        checkHeader(text.slice(start, end), this.lineNo);
      } catch (e) {
        this.error(e as XenError);
        return;
      }
      const frame: XentopFrame = { domains: [], headerLine: this.lineNo };
      if (this.opts.clock) frame.at = this.opts.clock();
      this.frame = frame;
      return;
    }
    if (this.skipping) return;
    const frame = this.frame;
    this.sc.reset(text, start, end, this.lineNo);
    if (!frame) {
      this.error(this.sc.fail('domain row before any header'));
      return;
    }
    try {
      frame.domains.push(parseRow(this.sc));
    } catch (e) {
      this.frame = null;
      this.error(e as XenError);
    }
  }

  private error(err: XenError): void {
    this.skipping = true;
    if (this.opts.onError) this.opts.onError(err);
    else throw err;
  }
}

/** Parses the whole output of `xentop -b [-i N]` into its frames; throws XenError('PARSE') naming a bad line. */
export function parseXentopBatch(text: string): XentopFrame[] {
  const frames: XentopFrame[] = [];
  const p = new XentopStreamParser({ onFrame: (f) => frames.push(f) });
  p.push(text);
  p.flush();
  return frames;
}
