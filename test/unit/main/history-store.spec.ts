import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsBatch } from '../../../src/shared/dto';
import { openHistoryStore, type HistoryStore } from '../../../src/main/history/history-store';
import { decodeRow, encodeRow, encodeTick, readTickRow, rowKey } from '../../../src/main/history/codec';
import { Buckets, mergeRows } from '../../../src/main/history/buckets';

const dirs: string[] = [];
const stores: HistoryStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'xenith-hist-'));
  dirs.push(d);
  return d;
}

async function open(dir: string, now = () => T0 + 3600_000): Promise<HistoryStore> {
  const s = await openHistoryStore(dir, { now });
  stores.push(s);
  return s;
}

const T0 = Date.UTC(2026, 11, 5, 10, 0, 0);

function batch(t: number, cpu: number, names = ['web', 'db']): StatsBatch {
  return {
    t,
    host: { cpuPct: cpu / 2, memUsedKiB: 2048 * 1024, memTotalKiB: 4096 * 1024 },
    domains: names.map((name, i) => ({
      name,
      domid: i + 1,
      state: 'running' as const,
      stateFlags: '-b----',
      cpuHostPct: cpu / 4,
      cpuGuestPct: cpu + i,
      cpuTimeS: 1,
      memKiB: 512 * 1024,
      maxMemKiB: 512 * 1024,
      vcpus: 1,
      netRxBps: 100 * i,
      netTxBps: 200,
      blkReadBps: 300,
      blkWriteBps: 400,
    })),
  };
}

describe('history codec', () => {
  it('reads back one domain and the host from a tick record, and nothing for a name it lacks', () => {
    const buf = encodeTick(batch(T0, 10, ['a', 'web.example', 'ü-name']));
    const out: number[] = [];
    expect(readTickRow(buf, 'web.example', out, 0)).toBe(true);
    expect(out).toEqual([11, 2.5, 512, 300, 400, 100, 200]);
    expect(readTickRow(buf, 'ü-name', out, 7)).toBe(true);
    expect(out[7]).toBe(12);
    expect(readTickRow(buf, '', out, 14)).toBe(true);
    expect(out.slice(14)).toEqual([5, 2048, 4096]);
    expect(readTickRow(buf, 'web', out, 0)).toBe(false);
    expect(readTickRow(Buffer.from('garbage'), 'a', out, 0)).toBe(false);
  });

  it('keys sort by time within a series and never collide across names that prefix each other', () => {
    expect(rowKey('m', 'a', 999) < rowKey('m', 'a', 1000)).toBe(true);
    expect(rowKey('m', 'a', T0 + 1) < rowKey('m', 'ab', 0)).toBe(true);
    const r = decodeRow(encodeRow([1, 2, 3], 60), 3);
    expect(r).toEqual({ avg: [1, 2, 3], count: 60 });
    expect(decodeRow(encodeRow([1, 2], 1), 3)).toBeNull();
  });

  it('averages a bucket and hands it back once time moves past it, stamped at its middle', () => {
    const b = new Buckets(60_000);
    expect(b.begin(T0)).toBeNull();
    b.add('x', [1, 10]);
    b.add('x', [3, 30]);
    expect(b.begin(T0 + 59_000)).toBeNull();
    const done = b.begin(T0 + 60_000);
    expect(done?.t).toBe(T0 + 30_000);
    expect([...(done?.rows.get('x')?.avg ?? [])]).toEqual([2, 20]);
    expect(done?.rows.get('x')?.count).toBe(2);
    expect([...mergeRows({ avg: [2], count: 2 }, { avg: [5], count: 1 }).avg]).toEqual([3]);
  });
});

describe('history store', () => {
  it('keeps each second for ten minutes and no longer', async () => {
    const dir = tmp();
    const s = await open(dir);
    for (let i = 0; i < 700; i++) s.ingest(batch(T0 + i * 1000, i % 100));
    await s.flush();
    const end = T0 + 699_000;
    const r = await s.read('web', 'second', 0, end);
    expect(r.width).toBe(7);
    // Pruned every ten ticks: at most ten ticks beyond the ten-minute window remain.
    expect(r.t.length).toBeGreaterThanOrEqual(600);
    expect(r.t.length).toBeLessThanOrEqual(611);
    expect(r.t.at(-1)).toBe(end);
    expect(r.v.at(-7)).toBe(699 % 100);
    const host = await s.read(null, 'second', end - 4000, end);
    expect(host.t).toEqual([end - 4000, end - 3000, end - 2000, end - 1000, end]);
    expect(host.v.slice(0, 3)).toEqual([((695 % 100) / 2), 2048, 4096]);
  });

  it('keeps minute averages, survives a restart and merges the minute a restart split', async () => {
    const dir = tmp();
    let s = await open(dir);
    // 90 s at cpu 10, then a stop half-way through the second minute.
    for (let i = 0; i < 90; i++) s.ingest(batch(T0 + i * 1000, 10));
    await s.close();
    stores.length = 0;
    s = await open(dir);
    // After the restart, 30 more seconds of that minute at cpu 40, then into the next minute.
    for (let i = 90; i < 121; i++) s.ingest(batch(T0 + i * 1000, 40));
    await s.flush();
    const r = await s.read('web', 'minute', T0, T0 + 3 * 60_000);
    expect(r.t).toEqual([T0 + 30_000, T0 + 90_000]);
    expect(r.v[0]).toBe(10);
    // 30 samples at 10 before the restart and 30 at 40 after: the merged minute is their weighted average.
    expect(r.v[7]).toBeCloseTo(25, 4);
    const seconds = await s.read('web', 'second', T0, T0 + 121_000);
    expect(seconds.t[0]).toBe(T0);
    expect(seconds.t.length).toBe(121);
  });

  it('writes hour averages and keeps a domain that is gone until its rows age out', async () => {
    const dir = tmp();
    const s = await open(dir);
    for (let i = 0; i <= 3600; i += 5) s.ingest(batch(T0 + i * 1000, 20, i < 1800 ? ['web', 'old'] : ['web']));
    await s.flush();
    const web = await s.read('web', 'hour', T0, T0 + 7200_000);
    expect(web.t).toEqual([T0 + 1800_000]);
    expect(web.v[0]).toBe(20);
    const old = await s.read('old', 'minute', T0, T0 + 7200_000);
    expect(old.t.length).toBe(30);
    expect((await s.read('nobody', 'minute', 0, T0 + 7200_000)).t).toEqual([]);
  });

  it('ignores a repeated or older tick', async () => {
    const s = await open(tmp());
    s.ingest(batch(T0 + 5000, 1));
    s.ingest(batch(T0 + 5000, 2));
    s.ingest(batch(T0 + 4000, 3));
    await s.flush();
    const r = await s.read('web', 'second', 0, T0 + 10_000);
    expect(r.t).toEqual([T0 + 5000]);
    expect(r.v[0]).toBe(1);
  });

  it('keeps nothing, and says why, when another process holds the store', async () => {
    const dir = tmp();
    await open(dir);
    const second = await open(dir);
    expect(second.stored).toBe(false);
    expect(second.problem).toMatch(/could not be opened/);
    second.ingest(batch(T0, 1));
    expect((await second.read('web', 'second', 0, T0 + 1)).t).toEqual([]);
  });
});

describe('history:read arguments', () => {
  it('refuse a control character in the name and an unknown tier, naming the field', async () => {
    const { contract } = await import('../../../src/shared/contract');
    const schema = contract['history:read'].args;
    expect(schema.safeParse({ domain: 'web', tier: 'minute', fromMs: 0 }).success).toBe(true);
    expect(schema.safeParse({ domain: null, tier: 'hour', fromMs: 5, toMs: 10 }).success).toBe(true);
    const bad = schema.safeParse({ domain: 'we\nb', tier: 'minute', fromMs: 0 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['domain']);
    expect(schema.safeParse({ domain: 'web', tier: 'day', fromMs: 0 }).error?.issues[0]?.path).toEqual(['tier']);
    expect(schema.safeParse({ domain: 'web', tier: 'minute', fromMs: -1 }).error?.issues[0]?.path).toEqual(['fromMs']);
  });
});
