import { PassThrough } from 'node:stream';
import type { StatsBatch } from '../../src/shared/dto';
import { XentopStreamParser } from '../../src/xen/parse/xentop';
import type { Runner, RunResult, StreamHandle } from '../../src/xen/runner/types';
import { createStatsService } from '../../src/xen/stats/stats-service';
import { cpuMsPer, type BenchResult } from '../types';
import { measureQuietly } from '../load';
import { synthXentopFrames, synthXlList } from '../xentop-synth';

/** Suite name, as `--only` matches it. */
export const name = 'stats';

/** A Runner whose one xentop is a PassThrough the bench writes recorded frames into. */
function recordedRunner(domains: number): { runner: Runner; stdout: () => PassThrough } {
  let out: PassThrough | null = null;
  const runner: Runner = {
    kind: 'demo',
    label: 'bench',
    async run(op): Promise<RunResult> {
      if (op === 'domains.list') return { stdout: synthXlList(domains), stderr: '', exitCode: 0 };
      throw new Error(`bench runner: unexpected ${op}`);
    },
    stream(): StreamHandle {
      out = new PassThrough();
      return { stdout: out, exited: new Promise(() => undefined), kill: () => out?.destroy() };
    },
    pty() {
      throw new Error('bench runner: no pty');
    },
    fs: {} as Runner['fs'],
    close: async () => undefined,
  };
  return {
    runner,
    stdout: () => {
      if (!out) throw new Error('xentop was not started');
      return out;
    },
  };
}

/**
 * CPU per tick of the whole service path (Buffer chunks -> decoder -> stream parser -> batch builder -> subscriber)
 * at full speed. Frames are written as Buffers like a pipe delivers them.
 */
async function tickCpuMs(domains: number, warmup: number, ticks: number): Promise<number> {
  const frames = synthXentopFrames(domains, warmup + ticks + 2).map((f) => Buffer.from(f));
  const { runner, stdout } = recordedRunner(domains);
  const svc = createStatsService(runner, { intervalS: 1, hostCpus: 64, hostMemKiB: 512 * 1024 * 1024 });
  let count = 0;
  let wake: (() => void) | null = null;
  let target = 0;
  let checksum = 0;
  svc.subscribe((b: StatsBatch) => {
    count++;
    checksum += b.domains.length;
    if (count >= target && wake) wake();
  });
  const feed = async (from: number, to: number, expect: number): Promise<void> => {
    target = expect;
    const done = new Promise<void>((r) => (wake = r));
    const s = stdout();
    for (let i = from; i < to; i++) s.write(frames[i]);
    await done;
  };
  // Warm-up: JIT, the domid lookup, first-frame priming. Frame 0 only primes and frame k is emitted when frame k+1
  // arrives, so frames [0, n) give n - 2 batches.
  await feed(0, warmup + 2, warmup);
  // Let the xl list lookup (a promise) settle so it is not measured.
  await new Promise((r) => setTimeout(r, 20));
  const ms = await cpuMsPer(ticks, () => feed(warmup + 2, warmup + ticks + 2, warmup + ticks));
  svc.stop();
  if (checksum !== (warmup + ticks) * domains) throw new Error(`stats bench: expected ${domains} domains per batch`);
  return ms;
}

/** CPU per frame of the stream parser alone, on strings decoded from Buffers as a pipe delivers them. */
async function parseCpuMs(domains: number, warmup: number, ticks: number): Promise<number> {
  // Through a Buffer: a string built by concatenation is a rope, and flattening it would be measured as parsing.
  const frames = synthXentopFrames(domains, warmup + ticks).map((f) => Buffer.from(f).toString());
  let rows = 0;
  const p = new XentopStreamParser({ onFrame: (f) => (rows += f.domains.length) });
  for (let i = 0; i < warmup; i++) p.push(frames[i]!);
  const ms = await cpuMsPer(ticks, () => {
    for (let i = warmup; i < warmup + ticks; i++) p.push(frames[i]!);
  });
  p.flush();
  if (rows !== (warmup + ticks) * domains) throw new Error(`parse bench: got ${rows} rows`);
  return ms;
}

/**
 * stats.tick_cpu_ms.{1,50,500} and stats.parse_ms.500 (the budget is < 2 ms per tick for 500 domains), and the ratio
 * of the whole tick to parsing alone, both measured in the same run on the same frames: what the service adds to the
 * one part it cannot do without (stats.tick_ratio_to_parse.500).
 */
export async function run(): Promise<BenchResult[]> {
  const small = await measureQuietly('stats 1 and 50', async () => [await tickCpuMs(1, 500, 2000), await tickCpuMs(50, 300, 2000)]);
  const big = await measureQuietly('stats 500', async () => {
    // Alternated, three times each, so a change in the machine's state touches both alike; the medians stand.
    const tick: number[] = [];
    const parse: number[] = [];
    for (let i = 0; i < 3; i++) {
      tick.push(await tickCpuMs(500, 50, 300));
      parse.push(await parseCpuMs(500, 50, 300));
    }
    return { tick: median(tick), parse: median(parse) };
  });
  const at = (m: { load: number; noisy: boolean }) => ({ load: m.load, ...(m.noisy ? { noisy: true } : {}) });
  return [
    { name: 'stats.tick_cpu_ms.1', value: small.value[0] ?? NaN, unit: 'ms', ...at(small) },
    { name: 'stats.tick_cpu_ms.50', value: small.value[1] ?? NaN, unit: 'ms', ...at(small) },
    { name: 'stats.tick_cpu_ms.500', value: big.value.tick, unit: 'ms', ...at(big) },
    { name: 'stats.parse_ms.500', value: big.value.parse, unit: 'ms', ...at(big) },
    { name: 'stats.tick_ratio_to_parse.500', value: big.value.tick / big.value.parse, unit: 'x', limit: 'stats.parse_ms.500', ...at(big) },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}
