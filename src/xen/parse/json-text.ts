/** Where and why a JSON text is malformed: a 0-based offset and 1-based line. */
export interface JsonSyntaxProblem {
  offset: number;
  line: number;
  reason: string;
}

type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'end';

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Finds the first syntax error in a JSON text, or null when it is valid. JSON.parse's own messages do not always
 * carry a position (Node 20: `Unexpected token '}', "..." is not valid JSON`), and parse errors must name a line.
 * Iterative, so deeply nested hostile input cannot overflow the stack.
 */
export function findJsonSyntaxProblem(s: string): JsonSyntaxProblem | null {
  const stack: ('o' | 'a')[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const n = s.length;
  const fail = (offset: number, reason: string): JsonSyntaxProblem => ({ offset, line: lineAt(s, offset), reason });
  const afterValue = (): Expect => (stack.length === 0 ? 'end' : 'commaOrClose');

  for (;;) {
    while (i < n && (s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i++;
    if (i >= n) return expect === 'end' ? null : fail(n, 'unexpected end of input');
    const c = s[i];
    switch (expect) {
      case 'value':
      case 'valueOrClose': {
        if (c === ']' && expect === 'valueOrClose') {
          stack.pop();
          i++;
          expect = afterValue();
        } else if (c === '{') {
          stack.push('o');
          i++;
          expect = 'keyOrClose';
        } else if (c === '[') {
          stack.push('a');
          i++;
          expect = 'valueOrClose';
        } else if (c === '"') {
          const end = scanString(s, i);
          if (end < 0) return fail(-end - 1, 'bad string');
          i = end;
          expect = afterValue();
        } else {
          const lit = ['true', 'false', 'null'].find((w) => s.startsWith(w, i));
          if (lit !== undefined) {
            i += lit.length;
          } else {
            NUMBER_RE.lastIndex = i;
            const m = NUMBER_RE.exec(s);
            if (m === null || m[0] === '') return fail(i, `unexpected ${JSON.stringify(c)}`);
            i += m[0].length;
          }
          expect = afterValue();
        }
        break;
      }
      case 'key':
      case 'keyOrClose': {
        if (c === '}' && expect === 'keyOrClose') {
          stack.pop();
          i++;
          expect = afterValue();
        } else if (c === '"') {
          const end = scanString(s, i);
          if (end < 0) return fail(-end - 1, 'bad string');
          i = end;
          expect = 'colon';
        } else {
          return fail(i, `expected a property name, got ${JSON.stringify(c)}`);
        }
        break;
      }
      case 'colon':
        if (c !== ':') return fail(i, `expected ":", got ${JSON.stringify(c)}`);
        i++;
        expect = 'value';
        break;
      case 'commaOrClose': {
        const top = stack[stack.length - 1];
        if (c === ',') {
          i++;
          expect = top === 'o' ? 'key' : 'value';
        } else if ((c === '}' && top === 'o') || (c === ']' && top === 'a')) {
          stack.pop();
          i++;
          expect = afterValue();
        } else {
          return fail(i, `expected "," or "${top === 'o' ? '}' : ']'}", got ${JSON.stringify(c)}`);
        }
        break;
      }
      case 'end':
        return fail(i, 'text after the end of the JSON value');
    }
  }
}

/** Returns the offset just past the closing quote, or -(offset of the problem) - 1. */
function scanString(s: string, start: number): number {
  let i = start + 1;
  while (i < s.length) {
    const code = s.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return -i - 1;
    if (code === 0x5c) {
      const e = s[i + 1];
      if (e === 'u') {
        if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) return -i - 1;
        i += 6;
        continue;
      }
      if (e === undefined || !'"\\/bfnrt'.includes(e)) return -i - 1;
      i += 2;
      continue;
    }
    i++;
  }
  return -s.length - 1;
}

/** 1-based line of a 0-based offset. */
export function lineAt(s: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, s.length);
  for (let i = 0; i < end; i++) if (s.charCodeAt(i) === 10) line++;
  return line;
}

/** 1-based line where each element of a top-level JSON array starts (the text must already be valid JSON). */
export function arrayElementLines(s: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let line = 1;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    if (depth === 1 && expectElement && c !== ']') {
      out.push(line);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === '}' || c === ']') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return out;
}
