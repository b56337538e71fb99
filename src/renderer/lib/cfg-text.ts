/**
 * Small edits of xl.cfg text in the renderer, for the Boot and Display forms: set or remove one top-level key and
 * leave every other line (and comment) alone. Main parses and validates the result before it is saved.
 */

/** A value for setCfgKey: strings are quoted, numbers bare, lists of strings as ["a", "b"]. */
export type CfgValue = string | number | string[];

function quote(s: string): string {
  if (/["\\\n\r]/.test(s)) throw new Error(`value may not contain quotes, backslashes or newlines: ${JSON.stringify(s)}`);
  return `"${s}"`;
}

/** xl.cfg text of one value. */
export function formatCfgValue(v: CfgValue): string {
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(quote).join(', ')}]`;
  return quote(v);
}

/** Where `key = ...` sits: first and last line index (a list may span lines), or null. */
export function findCfgKey(lines: readonly string[], key: string): { start: number; end: number } | null {
  const re = new RegExp(`^\\s*${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`);
  for (let i = 0; i < lines.length; i++) {
    if (!re.test(lines[i] ?? '')) continue;
    let depth = 0;
    let inStr: string | null = null;
    for (let j = i; j < lines.length; j++) {
      const line = lines[j] ?? '';
      for (let k = 0; k < line.length; k++) {
        const c = line[k];
        if (inStr) {
          if (c === inStr) inStr = null;
        } else if (c === '"' || c === "'") inStr = c;
        else if (c === '#') break;
        else if (c === '[') depth++;
        else if (c === ']') depth--;
      }
      if (depth <= 0) return { start: i, end: j };
    }
    return { start: i, end: lines.length - 1 };
  }
  return null;
}

/** The text with `key` set to `value` (replacing its line(s) in place or appending), or removed when value is null. */
export function setCfgKey(text: string, key: string, value: CfgValue | null): string {
  const lines = text.split('\n');
  const at = findCfgKey(lines, key);
  if (value === null) {
    if (!at) return text;
    lines.splice(at.start, at.end - at.start + 1);
    return lines.join('\n');
  }
  const line = `${key} = ${formatCfgValue(value)}`;
  if (at) {
    lines.splice(at.start, at.end - at.start + 1, line);
    return lines.join('\n');
  }
  const body = text.endsWith('\n') || text === '' ? text : `${text}\n`;
  return `${body}${line}\n`;
}

/** Sets several keys at once (null removes). */
export function setCfgKeys(text: string, values: Record<string, CfgValue | null>): string {
  let t = text;
  for (const [k, v] of Object.entries(values)) t = setCfgKey(t, k, v);
  return t;
}
