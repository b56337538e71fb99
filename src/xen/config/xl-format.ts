import { XenError } from '../errors';
import type { XlValue } from '../../shared/domain-config';

/** What may be written into a config: XlValue plus booleans, which xl spells 1 and 0. */
export type XlInput = string | number | boolean | readonly XlInput[];

/** How formatXlValue lays a value out. */
export interface XlFormatOptions {
  /** Preferred quote character for strings (kept when the string allows it). Default '"'. */
  quote?: '"' | "'";
  /** Names the option in error details. */
  field?: string;
  /** Multi-line list layout: each item on its own line with this indent, closing bracket on its own line. */
  listIndent?: string;
}

/** An option name xl's lexer reads as one identifier. */
export const XL_KEY_RE = /^[a-z][_0-9a-z]*$/;

/**
 * Characters a string must not hold. xl's lexer refuses a raw newline inside quotes; the others (NUL, CR, other
 * control characters) could be written as escapes, but no option needs them and hotplug scripts and xenstore
 * would mangle them, so they are refused rather than written.
 */
function forbiddenChar(s: string): string | undefined {
  for (const ch of s) {
    const code = ch.charCodeAt(0);
    if ((code < 0x20 && ch !== '\t') || code === 0x7f) return ch;
  }
  return undefined;
}

/** Turns booleans into 1/0 and checks every atom; the result is what xl would read back. */
export function normaliseXlInput(v: XlInput, field = 'value'): XlValue {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) {
      throw new XenError('INVALID_ARG', `${field}: ${v} is not a whole number xl can read`, { field });
    }
    return v;
  }
  if (typeof v === 'string') {
    const bad = forbiddenChar(v);
    if (bad !== undefined) {
      const what = bad === '\n' ? 'a newline' : bad === '\0' ? 'a NUL byte' : 'a control character';
      throw new XenError('INVALID_ARG', `${field} contains ${what}, which cannot be written safely to an xl config`, {
        field,
      });
    }
    return v;
  }
  if (Array.isArray(v)) return v.map((item: XlInput, i: number) => normaliseXlInput(item, `${field}[${i}]`));
  throw new XenError('INVALID_ARG', `${field}: unsupported value type`, { field });
}

/**
 * Quotes a string for xl. The lexer (libxlu_cfg_l.l) accepts `\"`, `\'` and `\\` inside either quote and the
 * dequoter turns them back into the bare character, so any printable text can be written; the other quote
 * character is used when that avoids escaping.
 */
function quoteString(s: string, prefer: '"' | "'"): string {
  const other = prefer === '"' ? "'" : '"';
  const q = s.includes(prefer) && !s.includes(other) ? other : prefer;
  const body = s.replaceAll('\\', '\\\\').replaceAll(q, `\\${q}`);
  return `${q}${body}${q}`;
}

/**
 * Formats one value in xl.cfg syntax: strings quoted, non-negative integers bare, negative ones quoted (the lexer has
 * no minus sign; xl's number reader accepts the quoted form), lists as `[ a, b ]`. Throws INVALID_ARG naming the
 * field for anything that cannot be written safely.
 */
export function formatXlValue(v: XlInput, opts: XlFormatOptions = {}): string {
  const field = opts.field ?? 'value';
  const value = normaliseXlInput(v, field);
  return formatNormalised(value, opts.quote ?? '"', opts.listIndent);
}

function formatNormalised(v: XlValue, quote: '"' | "'", listIndent: string | undefined): string {
  if (typeof v === 'number') return v >= 0 ? String(v) : `"${v}"`;
  if (typeof v === 'string') return quoteString(v, quote);
  if (v.length === 0) return '[]';
  const items = v.map((item) => formatNormalised(item, quote, undefined));
  if (listIndent === undefined) return `[ ${items.join(', ')} ]`;
  return `[\n${items.map((item) => `${listIndent}${item},\n`).join('')}]`;
}
