import type { XlValue } from '../../shared/domain-config';
import { xlSyntaxError, type XlToken } from './xl-lexer';
import type { XlStatement } from './xl-config';

// Reading xl.cfg text: the statements as written (with where each part sits, for in-place edits) and the values xl
// acts on (last assignment wins, += appends).

export class Parser {
  private i = 0;
  constructor(private readonly toks: XlToken[]) {}

  private peek(): XlToken {
    return this.toks[this.i] as XlToken;
  }
  private next(): XlToken {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private fail(t: XlToken, message: string): never {
    xlSyntaxError(message, t.line, t.column);
  }
  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.i++;
  }

  parseFile(): XlStatement[] {
    const out: XlStatement[] = [];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return out;
      if (t.kind === 'newline' || t.kind === ';') {
        this.i++;
        continue;
      }
      if (t.kind !== 'ident') this.fail(t, `expected an option name, found ${describe(t)}`);
      out.push(this.parseStatement());
    }
  }

  private parseStatement(): XlStatement {
    const keyTok = this.next();
    const opTok = this.next();
    if (opTok.kind !== '=' && opTok.kind !== '+=') this.fail(opTok, `expected "=" after "${keyTok.text}", found ${describe(opTok)}`);
    const valueFirst = this.peek();
    const quoteRef: { quote: '"' | "'" | null } = { quote: null };
    const items: { start: number; end: number }[] = [];
    const value = this.parseValue(quoteRef, items);
    const last = this.toks[this.i - 1] as XlToken;
    const after = this.peek();
    let end = last.end;
    if (after.kind === ';') {
      end = after.end;
      this.i++;
    } else if (after.kind !== 'newline' && after.kind !== 'eof') {
      this.fail(after, `expected the end of the line or ";" after the value of "${keyTok.text}", found ${describe(after)}`);
    }
    return {
      key: keyTok.text,
      op: opTok.kind,
      value,
      start: keyTok.start,
      opStart: opTok.start,
      valueStart: valueFirst.start,
      valueEnd: last.end,
      end,
      line: keyTok.line,
      quote: quoteRef.quote,
      ...(Array.isArray(value) ? { items } : {}),
    };
  }

  private parseValue(q: { quote: '"' | "'" | null }, spans?: { start: number; end: number }[]): XlValue {
    const t = this.next();
    if (t.kind === 'string') {
      q.quote ??= t.quote ?? null;
      return t.text;
    }
    if (t.kind === 'number') return numberValue(t.text);
    if (t.kind !== '[') this.fail(t, `expected a value (a quoted string, a number or a [list]), found ${describe(t)}`);
    const items: XlValue[] = [];
    this.skipNewlines();
    if (this.peek().kind === ']') {
      this.i++;
      return items;
    }
    for (;;) {
      const start = this.peek().start;
      items.push(this.parseValue(q));
      spans?.push({ start, end: (this.toks[this.i - 1] as XlToken).end });
      this.skipNewlines();
      const sep = this.next();
      if (sep.kind === ']') return items;
      if (sep.kind !== ',') this.fail(sep, `expected "," or "]" in a list, found ${describe(sep)}`);
      this.skipNewlines();
      if (this.peek().kind === ']') {
        this.i++;
        return items;
      }
    }
  }
}

function describe(t: XlToken): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the file';
    case 'newline':
      return 'the end of the line';
    case 'string':
      return 'a string';
    case 'ident':
      return `"${t.text}" (strings must be quoted)`;
    default:
      return `"${t.text}"`;
  }
}

/** xl keeps numbers as text and reads them with strtol(…, 0): decimal, 0-prefixed octal, 0x hex. */
function numberValue(raw: string): XlValue {
  let n: number | undefined;
  if (/^0x[0-9a-f]+$/.test(raw)) n = parseInt(raw.slice(2), 16);
  else if (/^0[0-7]*$/.test(raw)) n = raw.length === 1 ? 0 : parseInt(raw.slice(1), 8);
  else if (/^[1-9][0-9]*$/.test(raw)) n = parseInt(raw, 10);
  // Anything else ("08", "1e5") is a valid token that xl only rejects if the option is read as a number.
  return n !== undefined && Number.isSafeInteger(n) ? n : raw;
}

export function applyStatements(stmts: readonly XlStatement[]): Map<string, XlValue> {
  const map = new Map<string, XlValue>();
  for (const s of stmts) {
    const prev = map.get(s.key);
    if (s.op === '+=' && prev !== undefined) {
      if (Array.isArray(prev) !== Array.isArray(s.value)) {
        xlSyntaxError(`can't add a list to a string or the other way round ("${s.key}")`, s.line, 1);
      }
      map.set(s.key, Array.isArray(prev) ? [...prev, ...(s.value as XlValue[])] : `${String(prev)}${String(s.value)}`);
    } else {
      map.set(s.key, s.value);
    }
  }
  return map;
}

/** Deep equality of two XlValues. */
export function xlValuesEqual(a: XlValue | undefined, b: XlValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => xlValuesEqual(item, b[i]));
  }
  return a === b;
}
