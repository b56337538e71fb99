import { XenError } from '../errors';

/** One line of command output with its 1-based line number. */
export interface NumberedLine {
  n: number;
  text: string;
}

/** A whitespace-separated word and the offset where it starts in its line. */
export interface Token {
  text: string;
  start: number;
}

const MAX_QUOTED = 120;

/** Splits output into numbered lines; drops the empty piece after a final newline and a CR before each LF (pty/ssh output). */
export function splitLines(text: string): NumberedLine[] {
  const parts = text.split('\n');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((p, i) => ({ n: i + 1, text: p.endsWith('\r') ? p.slice(0, -1) : p }));
}

/** Quotes an offending line for an error message: JSON-escaped (so control bytes cannot reach a terminal) and cut short. */
export function quoteLine(text: string): string {
  const cut = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text;
  return JSON.stringify(cut);
}

/** The PARSE error every parser throws: `xl list: line 3: expected 6 columns, got "..."`. */
export function parseError(what: string, line: number, message: string): XenError {
  return new XenError('PARSE', `${what}: line ${line}: ${message}`, { line });
}

/** Whitespace-separated words with their start offsets, found in one linear pass (no regex backtracking on hostile lines). */
export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const len = line.length;
  while (i < len) {
    while (i < len && isSpace(line.charCodeAt(i))) i++;
    if (i >= len) break;
    const start = i;
    while (i < len && !isSpace(line.charCodeAt(i))) i++;
    out.push({ text: line.slice(start, i), start });
  }
  return out;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 13;
}

/**
 * Splits a table row whose first column (a domain name) may itself contain spaces: the last `count` words are the
 * fixed columns and everything before them is the name. Returns null when there are not enough words.
 */
export function splitNameAndColumns(line: string, count: number): { name: string; columns: string[] } | null {
  const tokens = tokenize(line);
  if (tokens.length < count + 1) return null;
  const first = tokens[tokens.length - count];
  if (first === undefined) return null;
  const name = line.slice(0, first.start).trim();
  return { name, columns: tokens.slice(tokens.length - count).map((t) => t.text) };
}

/** True when a header line has exactly these words (xl pads with spaces and tabs, which are ignored). */
export function headerIs(line: string, words: readonly string[]): boolean {
  const got = tokenize(line).map((t) => t.text);
  return got.length === words.length && got.every((w, i) => w === words[i]);
}

/** Parses a non-negative or negative decimal integer strictly (no "12abc", no "1e3"), or throws a PARSE error naming the field. */
export function parseIntField(what: string, line: number, field: string, text: string): number {
  if (!/^-?\d{1,15}$/.test(text)) {
    throw parseError(what, line, `${field} is not an integer: ${quoteLine(text)}`);
  }
  return Number(text);
}

/** Parses a decimal number such as "162.0" or "2445.424" strictly, or throws a PARSE error naming the field. */
export function parseDecimalField(what: string, line: number, field: string, text: string): number {
  if (!/^-?\d{1,15}(\.\d{1,15})?$/.test(text)) {
    throw parseError(what, line, `${field} is not a number: ${quoteLine(text)}`);
  }
  return Number(text);
}

/**
 * Parses a time xl prints with "%.1f" ("162.0"). Demanding the one decimal catches output cut inside the last
 * column ("16" of "162.0"), which a looser number parser would take as a real value.
 */
export function parseTenthsField(what: string, line: number, field: string, text: string): number {
  if (!/^\d{1,15}\.\d$/.test(text)) {
    throw parseError(what, line, `${field} is not a time with one decimal: ${quoteLine(text)}`);
  }
  return Number(text);
}

/**
 * The data rows of a table that xl prints under a header line: blank lines dropped, the header checked against
 * `words` (PARSE naming the line when it is missing or different), the rows after it returned with their numbers.
 */
export function rowsUnderHeader(what: string, text: string, words: readonly string[]): NumberedLine[] {
  const lines = splitLines(text).filter((l) => l.text.trim() !== '');
  const header = lines[0];
  if (header === undefined) throw parseError(what, 1, 'empty output, expected the header line');
  if (!headerIs(header.text, words)) {
    throw parseError(what, header.n, `expected header "${words.join(' ')}", got ${quoteLine(header.text)}`);
  }
  return lines.slice(1);
}
