import { XenError } from '../errors';
/** Where and why a JSON text is malformed: a 0-based offset and 1-based line. */
export interface JsonSyntaxProblem {
  offset: number;
  line: number;
  reason: string;
}

type Expect = 'value' | 'valueOrClose' | 'key' | 'keyOrClose' | 'colon' | 'commaOrClose' | 'end';

const NUMBER_RE = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The scanner's state: the text, the open containers, where it is and what may come next. */
interface Scan {
  readonly s: string;
  readonly stack: ('o' | 'a')[];
  i: number;
  expect: Expect;
}

/** Where and why a step failed; the line is worked out only for the one failure reported. */
type Failure = { offset: number; reason: string } | null;

/**
 * Finds the first syntax error in a JSON text, or null when it is valid. JSON.parse's own messages do not always
 * carry a position (Node 20: `Unexpected token '}', "..." is not valid JSON`), and parse errors must name a line.
 * Iterative, so deeply nested hostile input cannot overflow the stack.
 */
export function findJsonSyntaxProblem(s: string): JsonSyntaxProblem | null {
  const st: Scan = { s, stack: [], i: 0, expect: 'value' };
  const n = s.length;
  const fail = (offset: number, reason: string): JsonSyntaxProblem => ({ offset, line: lineAt(s, offset), reason });

  for (;;) {
    while (st.i < n && (s[st.i] === ' ' || s[st.i] === '\n' || s[st.i] === '\r' || s[st.i] === '\t')) st.i++;
    if (st.i >= n) return st.expect === 'end' ? null : fail(n, 'unexpected end of input');
    const problem = step(st, s[st.i]!);
    if (problem !== null) return fail(problem.offset, problem.reason);
  }
}

/** Consumes the token starting with `c` (not whitespace), as `st.expect` allows. */
function step(st: Scan, c: string): Failure {
  switch (st.expect) {
    case 'value':
    case 'valueOrClose':
      return stepValue(st, c);
    case 'key':
    case 'keyOrClose':
      return stepKey(st, c);
    case 'colon':
      if (c !== ':') return { offset: st.i, reason: `expected ":", got ${JSON.stringify(c)}` };
      st.i++;
      st.expect = 'value';
      return null;
    case 'commaOrClose':
      return stepCommaOrClose(st, c);
    case 'end':
      return { offset: st.i, reason: 'text after the end of the JSON value' };
  }
}

function afterValue(st: Scan): Expect {
  return st.stack.length === 0 ? 'end' : 'commaOrClose';
}

/** A value, or the `]` of an empty array. */
function stepValue(st: Scan, c: string): Failure {
  if (c === ']' && st.expect === 'valueOrClose') {
    st.stack.pop();
    st.i++;
    st.expect = afterValue(st);
  } else if (c === '{') {
    st.stack.push('o');
    st.i++;
    st.expect = 'keyOrClose';
  } else if (c === '[') {
    st.stack.push('a');
    st.i++;
    st.expect = 'valueOrClose';
  } else if (c === '"') {
    const end = scanString(st.s, st.i);
    if (end < 0) return { offset: -end - 1, reason: 'bad string' };
    st.i = end;
    st.expect = afterValue(st);
  } else {
    return stepLiteralOrNumber(st, c);
  }
  return null;
}

/** true, false, null or a number. */
function stepLiteralOrNumber(st: Scan, c: string): Failure {
  const lit = ['true', 'false', 'null'].find((w) => st.s.startsWith(w, st.i));
  if (lit !== undefined) {
    st.i += lit.length;
  } else {
    NUMBER_RE.lastIndex = st.i;
    const m = NUMBER_RE.exec(st.s);
    if (m === null || m[0] === '') return { offset: st.i, reason: `unexpected ${JSON.stringify(c)}` };
    st.i += m[0].length;
  }
  st.expect = afterValue(st);
  return null;
}

/** A property name, or the `}` of an empty object. */
function stepKey(st: Scan, c: string): Failure {
  if (c === '}' && st.expect === 'keyOrClose') {
    st.stack.pop();
    st.i++;
    st.expect = afterValue(st);
  } else if (c === '"') {
    const end = scanString(st.s, st.i);
    if (end < 0) return { offset: -end - 1, reason: 'bad string' };
    st.i = end;
    st.expect = 'colon';
  } else {
    return { offset: st.i, reason: `expected a property name, got ${JSON.stringify(c)}` };
  }
  return null;
}

/** The comma after a member or element, or the bracket closing its container. */
function stepCommaOrClose(st: Scan, c: string): Failure {
  const top = st.stack[st.stack.length - 1];
  if (c === ',') {
    st.i++;
    st.expect = top === 'o' ? 'key' : 'value';
  } else if ((c === '}' && top === 'o') || (c === ']' && top === 'a')) {
    st.stack.pop();
    st.i++;
    st.expect = afterValue(st);
  } else {
    return { offset: st.i, reason: `expected "," or "${top === 'o' ? '}' : ']'}", got ${JSON.stringify(c)}` };
  }
  return null;
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

/** JSON.parse for a program's output: bad JSON is PARSE naming the program and the line where it goes wrong. */
export function parseJsonOutput(what: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const p = findJsonSyntaxProblem(text);
    const line = p?.line ?? 1;
    throw new XenError('PARSE', `${what}: line ${line}: invalid JSON: ${p?.reason ?? 'not parseable'}`, { line });
  }
}
