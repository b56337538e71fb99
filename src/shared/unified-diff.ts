/** A line-based unified diff (LCS), enough for config files of a few hundred lines; pure so both sides can use it. */

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

function ops(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // LCS table from the end; config files are small, so O(n*m) memory is fine (capped by the caller's size limit).
  const w = m + 1;
  const t = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      t[i * w + j] = a[i] === b[j] ? (t[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(t[(i + 1) * w + j] ?? 0, t[i * w + j + 1] ?? 0);
  const out: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: ' ', line: a[i] ?? '', a: i++, b: j++ });
    } else if ((t[(i + 1) * w + j] ?? 0) >= (t[i * w + j + 1] ?? 0)) out.push({ kind: '-', line: a[i] ?? '', a: i++, b: j });
    else out.push({ kind: '+', line: b[j] ?? '', a: i, b: j++ });
  }
  while (i < n) out.push({ kind: '-', line: a[i] ?? '', a: i++, b: j });
  while (j < m) out.push({ kind: '+', line: b[j] ?? '', a: i, b: j++ });
  return out;
}

function splitText(s: string): string[] {
  if (s === '') return [];
  const lines = s.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Unified diff of `before` -> `after` with `context` lines around each change; '' when they are equal. */
export function unifiedDiff(before: string, after: string, names: { a: string; b: string } = { a: 'saved', b: 'edited' }, context = 3): string {
  if (before === after) return '';
  const all = ops(splitText(before), splitText(after));
  const changed = all.map((o, k) => (o.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  const hunks: [number, number][] = [];
  for (const k of changed) {
    const lo = Math.max(0, k - context);
    const hi = Math.min(all.length - 1, k + context);
    const last = hunks[hunks.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else hunks.push([lo, hi]);
  }
  const out = [`--- ${names.a}`, `+++ ${names.b}`];
  for (const [lo, hi] of hunks) {
    const slice = all.slice(lo, hi + 1);
    const first = slice[0];
    if (!first) continue;
    const aLen = slice.filter((o) => o.kind !== '+').length;
    const bLen = slice.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${aLen === 0 ? first.a : first.a + 1},${aLen} +${bLen === 0 ? first.b : first.b + 1},${bLen} @@`);
    for (const o of slice) out.push(`${o.kind}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}
