import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STOPPED_WORDS, TaskLog } from '../../../../src/main/tasks/task-log';
import type { TaskRecord } from '../../../../src/shared/tasks';

let dir: string;
let file: string;

function rec(n: number, over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id: `t${n}`,
    channel: 'domain:pause',
    operation: 'Pause',
    domains: [`vm-${n}`],
    host: 'demo host',
    user: 'alice',
    client: 'window 1',
    startedAt: 1_000 * n,
    endedAt: 1_000 * n + 250,
    durationMs: 250,
    state: 'ok',
    progress: null,
    error: null,
    ...over,
  };
}

const lines = (): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenith-tasklog-'));
  // A data directory that does not exist yet: the first write makes it.
  file = join(dir, 'data', 'tasks.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the task log file', () => {
  it('keeps what it was given across a reopen, newest first, the last line of an id winning', async () => {
    const log = await TaskLog.open(file);
    log.put(rec(1, { state: 'running', endedAt: null, durationMs: null }));
    log.put(rec(1));
    const failed = rec(2, { state: 'failed', error: { code: 'XL_FAILED', message: 'Invalid cpumap: 0-99', cause: null, xl: 'Invalid cpumap: 0-99' } });
    log.put(failed);
    await log.flush();
    expect(lines()).toHaveLength(3);
    const again = await TaskLog.open(file);
    expect(again.list()).toEqual([failed, rec(1)]);
  });

  it('shows a task that was running when Xenith stopped as "outcome unknown", not as lost or still running', async () => {
    const log = await TaskLog.open(file);
    log.put(rec(1));
    log.put(rec(2, { state: 'running', endedAt: null, durationMs: null, progress: 'Copying a to b: 40%' }));
    await log.flush();
    const [cut, done] = (await TaskLog.open(file)).list();
    expect(cut).toMatchObject({ id: 't2', state: 'unknown', endedAt: null, progress: STOPPED_WORDS });
    expect(done).toEqual(rec(1));
  });

  it('skips a corrupt line and a torn last line, and rewrites the file so the next line lands on its own', async () => {
    const log = await TaskLog.open(file);
    log.put(rec(1));
    log.put(rec(2));
    await log.flush();
    appendFileSync(file, 'not json at all\n{"id":"t9","state":"ok"}\n');
    appendFileSync(file, JSON.stringify(rec(3)).slice(0, 40));
    const again = await TaskLog.open(file);
    expect(again.list().map((r) => r.id)).toEqual(['t2', 't1']);
    again.put(rec(4));
    await again.flush();
    expect(lines().map((l) => (JSON.parse(l) as TaskRecord).id)).toEqual(['t1', 't2', 't4']);
    expect((await TaskLog.open(file)).list().map((r) => r.id)).toEqual(['t4', 't2', 't1']);
  });

  it('keeps the newest `limit` tasks and rewrites the file once it holds twice as many lines', async () => {
    const log = await TaskLog.open(file, { limit: 5 });
    for (let n = 1; n <= 10; n++) log.put(rec(n));
    await log.flush();
    expect(lines()).toHaveLength(10);
    expect(log.list().map((r) => r.id)).toEqual(['t10', 't9', 't8', 't7', 't6']);
    log.put(rec(11));
    await log.flush();
    // Over 2 x limit: the file now holds the newest five only, written whole through a rename.
    expect(lines().map((l) => (JSON.parse(l) as TaskRecord).id)).toEqual(['t7', 't8', 't9', 't10', 't11']);
    expect((await TaskLog.open(file, { limit: 5 })).list().map((r) => r.id)).toEqual(['t11', 't10', 't9', 't8', 't7']);
  });

  it('trims a file longer than the limit when it opens', async () => {
    const log = await TaskLog.open(file);
    for (let n = 1; n <= 8; n++) log.put(rec(n));
    await log.flush();
    const small = await TaskLog.open(file, { limit: 3 });
    await small.flush();
    expect(lines()).toHaveLength(3);
    expect(small.list().map((r) => r.id)).toEqual(['t8', 't7', 't6']);
  });

  it('never drops a running task to make room', async () => {
    const log = await TaskLog.open(file, { limit: 2 });
    log.put(rec(1, { state: 'running', endedAt: null, durationMs: null }));
    for (let n = 2; n <= 4; n++) log.put(rec(n));
    expect(log.list().map((r) => r.id)).toEqual(['t4', 't1']);
    await log.flush();
  });

  it('keeps working in memory when the file cannot be written, and says so', async () => {
    writeFileSync(join(dir, 'data'), 'a file where the directory should be');
    const errors: unknown[] = [];
    const log = await TaskLog.open(file, { onError: (e) => errors.push(e) });
    log.put(rec(1));
    await log.flush();
    expect(log.list()).toEqual([rec(1)]);
    expect(errors.length).toBeGreaterThan(0);
  });
});
