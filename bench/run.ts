import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { suites } from './suites/index';
import type { BenchResult } from './types';
import { settlingSoFar } from './load';

/** `--out FILE` (default bench/results.json under the working directory) and `--only a,b` to pick suites. */
function arg(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i === -1 ? undefined : process.argv[i + 1];
}

function table(rows: BenchResult[]): string {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const limitOf = (r: BenchResult): string => {
    const l = r.limit ? byName.get(r.limit) : undefined;
    return l ? `${l.name} = ${formatValue(l.value)} ${l.unit}` : '';
  };
  const cells = rows.map((r) => [r.name, formatValue(r.value), r.unit, r.load === undefined ? '' : r.load.toFixed(2), r.noisy ? 'NOISY' : '', limitOf(r)]);
  const head = ['name', 'value', 'unit', 'load', 'noisy', 'ratio to'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => (i === 1 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

const SUITE_TIMEOUT_MS = 10 * 60_000;

/**
 * A suite whose promise never settles would otherwise let Node exit silently with nothing reported. Time spent waiting
 * for a busy machine to calm down is not the suite's own: five floods on a loaded machine may wait 90 s twice each.
 */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setInterval> | undefined;
  const t0 = Date.now();
  const waited0 = settlingSoFar();
  const timeout = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const own = Date.now() - t0 - (settlingSoFar() - waited0);
      if (own > ms) reject(new Error(`${what} did not finish within ${ms / 1000} s of its own (waits for the load not counted)`));
    }, 1000);
  });
  return Promise.race([p, timeout]).finally(() => clearInterval(timer));
}

async function main(): Promise<number> {
  const out = resolve(arg('--out') ?? 'bench/results.json');
  const only = arg('--only')?.split(',');
  const results: BenchResult[] = [];
  const failed: string[] = [];
  for (const suite of suites) {
    if (only && !only.includes(suite.name)) continue;
    const t0 = Date.now();
    try {
      const got = await withTimeout(suite.run(), SUITE_TIMEOUT_MS, suite.name);
      results.push(...got);
      console.error(`bench: ${suite.name}: ${got.length} figures in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      // One broken suite must not hide the others' figures.
      failed.push(suite.name);
      console.error(`bench: ${suite.name} FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  console.log(table(results));
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.error(`bench: wrote ${results.length} figures to ${out}`);
  if (failed.length > 0) {
    console.error(`bench: ${failed.length} suite(s) failed: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
