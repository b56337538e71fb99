import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DomainSample, StatsBatch } from '../../src/shared/dto';
import { openHistoryStore, type HistoryStore } from '../../src/main/history/history-store';
import type { BenchResult } from '../types';
import { measureQuietly } from '../load';

/** Suite name, as `--only` matches it. */
export const name = 'history';

const DOMAINS = 500;
const DAY_S = 24 * 3600;
const T0 = Date.UTC(2026, 0, 1);

/** Sixty distinct ticks of `n` domains with moving figures, reused round-robin (only `t` changes). */
function tickPool(n: number): StatsBatch[] {
  const pool: StatsBatch[] = [];
  for (let k = 0; k < 60; k++) {
    const domains: DomainSample[] = [];
    for (let i = 0; i < n; i++) {
      const x = ((i * 7919 + k * 104729) % 1000) / 10;
      domains.push({
        name: `guest-${String(i).padStart(3, '0')}`, domid: i + 1, state: 'running', stateFlags: '-b----',
        cpuHostPct: x / 8, cpuGuestPct: x, cpuTimeS: k * 10 + i, memKiB: 524288 + i * 1024, maxMemKiB: 1048576, vcpus: 2,
        netRxBps: x * 1000, netTxBps: x * 500, blkReadBps: x * 4096, blkWriteBps: x * 2048,
      });
    }
    pool.push({ t: 0, host: { cpuPct: 30 + (k % 10), memUsedKiB: 8 << 20, memTotalKiB: 16 << 20 }, domains });
  }
  return pool;
}

/** Bytes of every file under `dir` (LevelDB keeps one flat folder). */
function dirBytes(dir: string): number {
  // LevelDB removes files as it compacts: one listed a moment ago may be gone.
  return readdirSync(dir).reduce((sum, f) => sum + (statSync(join(dir, f), { throwIfNoEntry: false })?.size ?? 0), 0);
}

/** Feeds `seconds` ticks, one per simulated second, each awaited as the live app's one-a-second ticks would be. */
async function feed(s: HistoryStore, pool: StatsBatch[], fromS: number, seconds: number, each?: (i: number) => void): Promise<void> {
  for (let i = fromS; i < fromS + seconds; i++) {
    const b = pool[i % pool.length]!;
    s.ingest({ ...b, t: T0 + i * 1000 });
    await s.flush();
    each?.(i);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/**
 * Main's history store fed with 500 domains: CPU of every thread of the process per tick (the write path and
 * LevelDB's own work, minute rows and pruning included), its size on disk over a simulated day (the largest seen,
 * checked every simulated hour), and the read of one domain's 24 hours of minute rows a 24 h chart makes.
 */
export async function run(): Promise<BenchResult[]> {
  const m = await measureQuietly('history', measure);
  return m.value.map((r) => ({ ...r, load: m.load, ...(m.noisy ? { noisy: true } : {}) }));
}

async function measure(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'xenith-bench-history-'));
  const pool = tickPool(DOMAINS);
  const clock = { now: T0 };
  const s = await openHistoryStore(dir, { now: () => clock.now, onError: (e) => console.error('bench: history write failed', e) });
  if (!s.stored) throw new Error(s.problem ?? 'history store did not open');
  try {
    // Warm up, then the measured half hour (30 minute rows and their pruning fall inside it).
    await feed(s, pool, 0, 120);
    const measured = 1800;
    const before = process.cpuUsage();
    await feed(s, pool, 120, measured);
    const used = process.cpuUsage(before);
    const writeCpuMs = (used.user + used.system) / 1000 / measured;

    let maxBytes = dirBytes(dir);
    await feed(s, pool, 120 + measured, DAY_S - 120 - measured, (i) => {
      if (i % 3600 === 0) maxBytes = Math.max(maxBytes, dirBytes(dir));
    });
    await s.flush();
    maxBytes = Math.max(maxBytes, dirBytes(dir));
    clock.now = T0 + DAY_S * 1000;

    const reads24: number[] = [];
    const reads10m: number[] = [];
    let rows = 0;
    for (let k = 0; k < 20; k++) {
      const who = `guest-${String((k * 37) % DOMAINS).padStart(3, '0')}`;
      let t = performance.now();
      rows = (await s.read(who, 'minute', clock.now - DAY_S * 1000)).t.length;
      reads24.push(performance.now() - t);
      t = performance.now();
      await s.read(who, 'second', clock.now - 600_000);
      reads10m.push(performance.now() - t);
    }
    if (rows < 1400) throw new Error(`a 24 h read returned ${rows} minute rows`);
    return [
      { name: `history.write_cpu_ms.${DOMAINS}`, value: writeCpuMs, unit: 'ms' },
      { name: `history.disk_mb_per_day.${DOMAINS}`, value: maxBytes / 1e6, unit: 'MB' },
      { name: 'history.read_ms.24h', value: median(reads24), unit: 'ms' },
      { name: 'history.read_ms.10m', value: median(reads10m), unit: 'ms' },
    ];
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
