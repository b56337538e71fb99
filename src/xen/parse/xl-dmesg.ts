import { splitLines } from './lines';

/** Xen's printk levels, when a line still carries its "<N>" marker; "guest" is "<G>". */
export type XenLogLevel = 'error' | 'warning' | 'info' | 'debug' | 'guest';

/** One line of the hypervisor's console ring. */
export interface XlDmesgLine {
  /** 1-based line number in the output. */
  line: number;
  /** "xen" for "(XEN) ", "guest" for a guest's "(dN) " debug output, null for a line with no prefix (e.g. the ring's cut first line). */
  source: 'xen' | 'guest' | null;
  /** The guest's domid for "(dN)" lines. */
  domid: number | null;
  /** The timestamp Xen added (console_timestamps=...), without brackets: "2026-11-21 03:21:01", "1.234567"; null when off. */
  timestamp: string | null;
  /** Seconds since boot for console_timestamps=boot; null otherwise. */
  bootTimeS: number | null;
  level: XenLogLevel | null;
  /** The message after prefix, timestamp and level; leading indentation kept (Xen indents sub-items). */
  text: string;
  /** The whole line as xl printed it (without a trailing CR). */
  raw: string;
}

const GUEST_RE = /^\(d(\d{1,5})(?:v\d{1,4}|:v\d{1,4})?\) ?/;
// date, date with ms, boot (seconds.microseconds, padded), raw (hex TSC).
const STAMP_RE = /^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})?| *\d+\.\d{6}|[0-9a-f]{16})\] /;
const LEVEL_RE = /^<([0-3G])>/;
const LEVELS: Record<string, XenLogLevel> = { '0': 'error', '1': 'warning', '2': 'info', '3': 'debug', G: 'guest' };

/**
 * Parses `xl dmesg`. Every line is free text, so nothing here is malformed: an unknown prefix just gives
 * source null. Xen normally strips the "<N>" level before the ring, so level is usually null.
 */
export function parseXlDmesg(text: string): XlDmesgLine[] {
  return splitLines(text).map(({ n, text: raw }) => {
    let rest = raw;
    let source: XlDmesgLine['source'] = null;
    let domid: number | null = null;
    if (rest.startsWith('(XEN)')) {
      source = 'xen';
      rest = rest.slice(rest.startsWith('(XEN) ') ? 6 : 5);
    } else {
      const g = GUEST_RE.exec(rest);
      if (g !== null) {
        source = 'guest';
        domid = Number(g[1]);
        rest = rest.slice(g[0].length);
      }
    }
    let timestamp: string | null = null;
    let bootTimeS: number | null = null;
    const stamp = source === null ? null : STAMP_RE.exec(rest);
    if (stamp !== null && stamp[1] !== undefined) {
      timestamp = stamp[1].trim();
      if (/^\d+\.\d{6}$/.test(timestamp)) bootTimeS = Number(timestamp);
      rest = rest.slice(stamp[0].length);
    }
    let level: XenLogLevel | null = null;
    const lv = source === null ? null : LEVEL_RE.exec(rest);
    if (lv !== null && lv[1] !== undefined) {
      level = LEVELS[lv[1]] ?? null;
      rest = rest.slice(lv[0].length);
    }
    return { line: n, source, domid, timestamp, bootTimeS, level, text: rest, raw };
  });
}
