import { parseError, parseIntField, quoteLine, tokenize, rowsUnderHeader } from './lines';

/** One row of `xl uptime`. */
export interface XlUptimeRow {
  name: string;
  domid: number;
  uptimeS: number;
}

const WHAT = 'xl uptime';
const HEADER = ['Name', 'ID', 'Uptime'] as const;
const CLOCK_RE = /^(\d+):(\d\d):(\d\d)$/;

/**
 * Parses `xl uptime` (not -s). xl prints "H:MM:SS", or "N day, H:MM:SS" / "N days, H:MM:SS" past a day, so the
 * uptime is read from the right as one or three words and the name is whatever precedes the domid.
 */
export function parseXlUptime(text: string): XlUptimeRow[] {
  return rowsUnderHeader(WHAT, text, HEADER).map(({ n, text: line }) => {
    const t = tokenize(line);
    const expected = (): Error => parseError(WHAT, n, `expected "name id [N days,] H:MM:SS", got ${quoteLine(line)}`);
    const clock = CLOCK_RE.exec(t[t.length - 1]?.text ?? '');
    if (clock === null) throw expected();
    let days = 0;
    let idIndex = t.length - 2;
    const unit = t[t.length - 2]?.text;
    if (unit === 'day,' || unit === 'days,') {
      days = parseIntField(WHAT, n, 'days', t[t.length - 3]?.text ?? '');
      idIndex = t.length - 4;
    }
    const id = t[idIndex];
    if (id === undefined || idIndex < 1) throw expected();
    const [, h = '', m = '', s = ''] = clock;
    if (Number(m) > 59 || Number(s) > 59) throw parseError(WHAT, n, `uptime is not a time of day: ${quoteLine(clock[0])}`);
    return {
      name: line.slice(0, id.start).trim(),
      domid: parseIntField(WHAT, n, 'ID', id.text),
      uptimeS: days * 86400 + Number(h) * 3600 + Number(m) * 60 + Number(s),
    };
  });
}
