import { XenError } from '../errors';
import type { XlValue } from '../../shared/domain-config';
import { tokenizeXlConfig } from './xl-lexer';
import { formatXlValue, normaliseXlInput, XL_KEY_RE, type XlInput } from './xl-format';
import { applyStatements, Parser, xlValuesEqual } from './xl-parser';

export { xlValuesEqual };

export type { XlValue } from '../../shared/domain-config';
export { formatXlValue, type XlInput, type XlFormatOptions } from './xl-format';

/** One `KEY = VALUE` (or `KEY += VALUE`) statement and where its parts sit in the text. */
export interface XlStatement {
  key: string;
  op: '=' | '+=';
  value: XlValue;
  /** Offsets: the key, the operator, the value, and the end of the statement including a `;` right after it. */
  start: number;
  opStart: number;
  valueStart: number;
  valueEnd: number;
  end: number;
  line: number;
  /** Quote character of the first string in the value, so edits can keep the file's style. */
  quote: '"' | "'" | null;
  /** For a list value: where each top-level item's text starts and ends. */
  items?: { start: number; end: number }[];
}

/** A parsed xl.cfg that edits in place: untouched text (comments, order, spacing) stays byte for byte. */
export interface XlConfigDocument {
  /** Effective values by option name, as xl sees them (last assignment wins, `+=` appends). */
  toObject(): Record<string, XlValue>;
  /** The text, identical to the input when nothing was changed. */
  toString(): string;
  get(key: string): XlValue | undefined;
  has(key: string): boolean;
  /** Replaces the value where the option is set (keeping its line's layout and comment) or appends a new line. */
  set(key: string, value: XlInput): void;
  /** Removes every statement for the option (and its line when it was alone on it); false when it was absent. */
  delete(key: string): boolean;
  /** Option names in first-appearance order. */
  keys(): string[];
  statements(): readonly XlStatement[];
}

class Document implements XlConfigDocument {
  private text = '';
  private stmts: XlStatement[] = [];
  private values = new Map<string, XlValue>();

  constructor(text: string) {
    this.load(text);
  }

  private load(text: string): void {
    const stmts = new Parser(tokenizeXlConfig(text)).parseFile();
    this.values = applyStatements(stmts);
    this.stmts = stmts;
    this.text = text;
  }

  // Copies, so a caller changing a returned list cannot make the values disagree with the text.
  toObject(): Record<string, XlValue> {
    return structuredClone(Object.fromEntries(this.values));
  }
  toString(): string {
    return this.text;
  }
  get(key: string): XlValue | undefined {
    const v = this.values.get(key);
    return v === undefined ? undefined : structuredClone(v);
  }
  has(key: string): boolean {
    return this.values.has(key);
  }
  keys(): string[] {
    return [...this.values.keys()];
  }
  statements(): readonly XlStatement[] {
    return this.stmts;
  }

  set(key: string, value: XlInput): void {
    checkKey(key);
    const v = normaliseXlInput(value, key);
    if (this.values.has(key) && xlValuesEqual(this.values.get(key), v)) return;
    const mine = this.stmts.filter((s) => s.key === key);
    const last = mine[mine.length - 1];
    if (!last) {
      this.append(key, v);
      return;
    }
    // The last statement decides the value in xl, so editing it (as a plain "=") is enough.
    if (last.op === '=' && Array.isArray(v) && Array.isArray(last.value)) {
      const edited = editListItems(this.text, last, v);
      if (edited !== null) {
        this.load(edited);
        return;
      }
    }
    const oldText = this.text.slice(last.valueStart, last.valueEnd);
    const formatted = formatXlValue(v, {
      field: key,
      quote: last.quote ?? '"',
      ...(Array.isArray(v) && v.length > 0 && oldText.includes('\n') ? { listIndent: this.itemIndent(last) } : {}),
    });
    const opText = last.op === '+=' ? '=' : this.text.slice(last.opStart, last.opStart + 1);
    const before = this.text.slice(0, last.opStart);
    const between = this.text.slice(last.opStart + last.op.length, last.valueStart);
    this.load(`${before}${opText}${between}${formatted}${this.text.slice(last.valueEnd)}`);
  }

  delete(key: string): boolean {
    const mine = this.stmts.filter((s) => s.key === key);
    if (mine.length === 0) return false;
    let text = this.text;
    for (const s of [...mine].reverse()) {
      const lineStart = text.lastIndexOf('\n', s.start - 1) + 1;
      const alone = /^[ \t]*$/.test(text.slice(lineStart, s.start));
      const rest = /^[ \t]*(#[^\n]*)?(\n|$)/.exec(text.slice(s.end));
      if (alone && rest) {
        // The statement owns its line(s), including a trailing comment that described it.
        text = text.slice(0, lineStart) + text.slice(s.end + rest[0].length);
      } else {
        const trailing = /^[ \t]*/.exec(text.slice(s.end))?.[0].length ?? 0;
        text = text.slice(0, s.start) + text.slice(s.end + trailing);
      }
    }
    this.load(text);
    return true;
  }

  private append(key: string, v: XlValue): void {
    const sep = this.text === '' || this.text.endsWith('\n') ? '' : '\n';
    const width = this.alignmentColumn();
    const lhs = width !== null && key.length < width ? key.padEnd(width) : `${key} `;
    this.load(`${this.text}${sep}${lhs}= ${formatXlValue(v, { field: key })}\n`);
  }

  /** The `=` column most padded lines share ("name    = …"), so appended lines line up; null when there is none. */
  private alignmentColumn(): number | null {
    const counts = new Map<number, number>();
    for (const s of this.stmts) {
      const lineStart = this.text.lastIndexOf('\n', s.start - 1) + 1;
      const padded = s.opStart - (s.start + s.key.length) > 1;
      if (lineStart === s.start && padded) counts.set(s.opStart - lineStart, (counts.get(s.opStart - lineStart) ?? 0) + 1);
    }
    let best: number | null = null;
    let bestCount = 1;
    for (const [column, count] of counts) {
      if (count > bestCount) {
        best = column;
        bestCount = count;
      }
    }
    return best;
  }

  /** Indent of the first item of a multi-line list, so a rewritten list keeps its shape. */
  private itemIndent(s: XlStatement): string {
    const inner = this.text.slice(s.valueStart + 1, s.valueEnd);
    const m = /\n([ \t]*)[^ \t\n#\]]/.exec(inner);
    return m?.[1] ?? '    ';
  }
}

interface Splice {
  start: number;
  end: number;
  text: string;
}

function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const sp of [...splices].sort((a, b) => b.start - a.start)) out = out.slice(0, sp.start) + sp.text + out.slice(sp.end);
  return out;
}

/** Indices of `oldItems` kept when `next` is `oldItems` with some items removed; null when it is not. */
function keptIndices(oldItems: readonly XlValue[], next: readonly XlValue[]): number[] | null {
  const kept: number[] = [];
  let j = 0;
  for (let i = 0; i < oldItems.length && j < next.length; i++) {
    if (xlValuesEqual(oldItems[i], next[j])) {
      kept.push(i);
      j++;
    }
  }
  return j === next.length ? kept : null;
}

/**
 * Edits a list value item by item, so the items that stay keep their text and the comments between them: same
 * length (changed items replaced), items appended, or items removed. Null when the change is none of these (or the
 * list is empty), and the caller rewrites the whole value.
 */
function editListItems(text: string, s: XlStatement, next: XlValue[]): string | null {
  const oldItems = s.value as XlValue[];
  const spans = s.items ?? [];
  if (oldItems.length === 0 || spans.length !== oldItems.length || next.length === 0) return null;
  const fmt = (v: XlValue): string => formatXlValue(v, { field: s.key, quote: s.quote ?? '"' });
  const multiline = text.slice(s.valueStart, s.valueEnd).includes('\n');

  if (next.length === oldItems.length) {
    const splices: Splice[] = [];
    next.forEach((item, i) => {
      const span = spans[i] as { start: number; end: number };
      if (!xlValuesEqual(oldItems[i], item)) splices.push({ start: span.start, end: span.end, text: fmt(item) });
    });
    return applySplices(text, splices);
  }

  if (next.length > oldItems.length && oldItems.every((item, i) => xlValuesEqual(item, next[i]))) {
    const added = next.slice(oldItems.length).map(fmt);
    const lastSpan = spans[spans.length - 1] as { start: number; end: number };
    const closeLineStart = text.lastIndexOf('\n', s.valueEnd - 1) + 1;
    const bracketAlone = /^[ \t]*$/.test(text.slice(closeLineStart, s.valueEnd - 1));
    if (multiline && bracketAlone) {
      const indentMatch = /^[ \t]*/.exec(text.slice(text.lastIndexOf('\n', lastSpan.start - 1) + 1));
      const indent = indentMatch?.[0] ?? '    ';
      const hasComma = /^[ \t]*,/.test(text.slice(lastSpan.end));
      return applySplices(text, [
        ...(hasComma ? [] : [{ start: lastSpan.end, end: lastSpan.end, text: ',' }]),
        { start: closeLineStart, end: closeLineStart, text: added.map((a) => `${indent}${a},\n`).join('') },
      ]);
    }
    return applySplices(text, [{ start: lastSpan.end, end: lastSpan.end, text: added.map((a) => `, ${a}`).join('') }]);
  }

  const kept = keptIndices(oldItems, next);
  if (kept === null) return null;
  const splices: Splice[] = [];
  spans.forEach((span, i) => {
    if (kept.includes(i)) return;
    const lineStart = text.lastIndexOf('\n', span.start - 1) + 1;
    const after = /^[ \t]*,?[ \t]*(#[^\n]*)?\n/.exec(text.slice(span.end));
    if (multiline && /^[ \t]*$/.test(text.slice(lineStart, span.start)) && after) {
      // The item has its own line: drop the line, with its comma and comment.
      splices.push({ start: lineStart, end: span.end + after[0].length, text: '' });
      return;
    }
    const comma = /^[ \t]*,[ \t]*/.exec(text.slice(span.end));
    if (comma) {
      splices.push({ start: span.start, end: span.end + comma[0].length, text: '' });
    } else {
      // Last item without a trailing comma: remove the comma before it instead.
      const before = /,[ \t]*$/.exec(text.slice(0, span.start));
      splices.push({ start: before ? span.start - before[0].length : span.start, end: span.end, text: '' });
    }
  });
  const out = applySplices(text, splices);
  // A removal must leave a list that still parses to exactly `next`; otherwise fall back to a full rewrite.
  try {
    const check = new Parser(tokenizeXlConfig(out)).parseFile();
    const mine = check.filter((c) => c.key === s.key);
    return xlValuesEqual(mine[mine.length - 1]?.value, next) ? out : null;
  } catch {
    return null;
  }
}

function checkKey(key: string): void {
  if (!XL_KEY_RE.test(key)) {
    throw new XenError('INVALID_ARG', `"${key}" is not an xl option name (lower-case letters, digits and _)`, {
      field: key,
    });
  }
}

/** Parses xl.cfg text into an editable document; throws XenError('PARSE') naming the line and column. */
export function parseXlConfig(text: string): XlConfigDocument {
  return new Document(text);
}
