import { XenError } from '../errors';

/** One token of xl's config language, with where it sits in the text (offsets are UTF-16 indexes). */
export interface XlToken {
  kind: 'ident' | 'number' | 'string' | '[' | ']' | ',' | '=' | '+=' | ';' | 'newline' | 'eof';
  /** Raw text for ident/number; the decoded value for string. */
  text: string;
  start: number;
  end: number;
  line: number;
  column: number;
  /** The quote character of a string token. */
  quote?: '"' | "'";
}

/** Throws the PARSE error every config syntax problem is reported with. */
export function xlSyntaxError(message: string, line: number, column: number): never {
  throw new XenError('PARSE', `xl config line ${line}, column ${column}: ${message}`, { line, column });
}

const IDENT_START = /[a-z]/;
const IDENT_CHAR = /[_0-9a-z]/;
const NUMBER_CHAR = /[0-9a-fx]/;

/**
 * Splits config text into tokens the way xl's flex lexer (libxlu_cfg_l.l) does: identifiers are lower case,
 * numbers are `[0-9][0-9a-fx]*`, only space and tab are blanks, and a `#` comment runs to the end of the line and
 * counts as that line's newline. A comment on the last line without a newline is accepted (xl itself rejects it).
 */
export function tokenizeXlConfig(text: string): XlToken[] {
  const tokens: XlToken[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const col = (at: number): number => at - lineStart + 1;
  const push = (kind: XlToken['kind'], start: number, end: number, value: string, quote?: '"' | "'"): void => {
    const tok: XlToken = { kind, text: value, start, end, line, column: col(start) };
    if (quote) tok.quote = quote;
    tokens.push(tok);
  };

  while (pos < text.length) {
    const c = text[pos] as string;
    if (c === ' ' || c === '\t') {
      pos++;
    } else if (c === '\n' || c === '#') {
      const nl = text.indexOf('\n', pos);
      const end = nl === -1 ? text.length : nl + 1;
      push('newline', pos, end, '');
      pos = end;
      if (nl !== -1) {
        line++;
        lineStart = end;
      }
    } else if (IDENT_START.test(c)) {
      let end = pos + 1;
      while (end < text.length && IDENT_CHAR.test(text[end] as string)) end++;
      push('ident', pos, end, text.slice(pos, end));
      pos = end;
    } else if (c >= '0' && c <= '9') {
      let end = pos + 1;
      while (end < text.length && NUMBER_CHAR.test(text[end] as string)) end++;
      push('number', pos, end, text.slice(pos, end));
      pos = end;
    } else if (c === '"' || c === "'") {
      const { value, end } = readString(text, pos, c, line, col(pos));
      push('string', pos, end, value, c);
      pos = end;
    } else if (c === '+' && text[pos + 1] === '=') {
      push('+=', pos, pos + 2, '+=');
      pos += 2;
    } else if (c === '[' || c === ']' || c === ',' || c === '=' || c === ';') {
      push(c, pos, pos + 1, c);
      pos++;
    } else {
      xlSyntaxError(unexpectedCharMessage(c), line, col(pos));
    }
  }
  tokens.push({ kind: 'eof', text: '', start: text.length, end: text.length, line, column: col(text.length) });
  return tokens;
}

function unexpectedCharMessage(c: string): string {
  if (c === '\r') return 'carriage return (xl only accepts Unix line endings)';
  if (/[A-Z]/.test(c)) return `unexpected "${c}" (option names are lower case)`;
  if ('+-.():'.includes(c)) return `unexpected "${c}" (this looks like Python, which xl no longer accepts)`;
  const shown = c < ' ' || c === '\u007f' ? `character U+${c.charCodeAt(0).toString(16).padStart(4, '0')}` : `"${c}"`;
  return `unexpected ${shown}`;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  "'": "'",
  '\\': '\\',
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Reads a quoted string starting at `start`, decoding escapes as xl's xlu__cfgl_dequote does. */
function readString(
  text: string,
  start: number,
  quote: string,
  line: number,
  column: number,
): { value: string; end: number } {
  let out = '';
  let pos = start + 1;
  for (;;) {
    const c = text[pos];
    if (c === undefined || c === '\n') xlSyntaxError('unterminated string', line, column);
    if (c === quote) return { value: out, end: pos + 1 };
    if (c === '\\') {
      const nc = text[pos + 1];
      if (nc === undefined || nc === '\n') xlSyntaxError('unterminated string', line, column);
      const simple = SIMPLE_ESCAPES[nc];
      if (simple !== undefined) {
        out += simple;
      } else if (nc === 'x' || (nc >= '0' && nc <= '7')) {
        // xl's numeric escapes are broken (they never store the character); refuse rather than guess.
        xlSyntaxError(`numeric escape "\\${nc}" in a string is not supported`, line, column + (pos - start));
      }
      // Any other escaped character is dropped, exactly as xl drops it.
      pos += 2;
    } else {
      out += c;
      pos++;
    }
  }
}
