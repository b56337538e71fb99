import { describe, expect, it } from 'vitest';
import { durationWords, failureLead, filterTasks, timeWords, whoWords } from '../../../../src/renderer/lib/task-words';
import { selectRunning, selectUnseenFailures, upsertTask } from '../../../../src/renderer/store/task-selectors';
import type { TaskRecord } from '../../../../src/shared/tasks';

function rec(id: string, over: Partial<TaskRecord> = {}): TaskRecord {
  return {
    id,
    channel: 'domain:pause',
    operation: 'Pause',
    domains: ['web'],
    host: 'demo host',
    user: 'alice',
    client: 'window 1',
    startedAt: 1_000_000,
    endedAt: 1_000_250,
    durationMs: 250,
    state: 'ok',
    progress: null,
    error: null,
    ...over,
  };
}

describe('the task log\'s words', () => {
  it('says a duration in ms below a second, tenths below ten, then whole units; a running one counts whole seconds', () => {
    const now = 5_000_000;
    expect(durationWords(rec('a', { durationMs: 23 }), now)).toBe('23 ms');
    expect(durationWords(rec('a', { durationMs: 4_260 }), now)).toBe('4.3 s');
    expect(durationWords(rec('a', { durationMs: 42_000 }), now)).toBe('42 s');
    expect(durationWords(rec('a', { durationMs: 185_000 }), now)).toBe('3 min 5 s');
    expect(durationWords(rec('a', { durationMs: 3_720_000 }), now)).toBe('1 h 2 min');
    expect(durationWords(rec('a', { state: 'running', durationMs: null, endedAt: null, startedAt: now - 12_700 }), now)).toBe('12 s');
    expect(durationWords(rec('a', { state: 'running', durationMs: null, endedAt: null, startedAt: now - 125_000 }), now)).toBe('2 min 5 s');
    expect(durationWords(rec('a', { state: 'unknown', durationMs: null, endedAt: null }), now)).toBe('—');
  });

  it('says the time alone for today and adds the date otherwise', () => {
    const now = new Date(2026, 11, 5, 15, 0, 0).getTime();
    expect(timeWords(new Date(2026, 11, 5, 9, 3, 7).getTime(), now)).toBe('09:03:07');
    expect(timeWords(new Date(2026, 11, 4, 23, 59, 1).getTime(), now)).toBe('4 Dec 23:59:01');
    expect(timeWords(new Date(2025, 0, 2, 8, 0, 0).getTime(), now)).toBe('2 Jan 2025 08:00:00');
  });

  it('names who asked, and leads a failure with the cause in words when main knew one', () => {
    expect(whoWords(rec('a'))).toBe('alice · window 1');
    const failed = rec('a', { state: 'failed', error: { code: 'XL_FAILED', message: 'Failed to open temp file /x/a.save for writing', cause: '/x/a.save could not be created', xl: 'Failed to open temp file /x/a.save for writing' } });
    expect(failureLead(failed)).toBe('/x/a.save could not be created');
    expect(failureLead(rec('b', { state: 'failed', error: { code: 'EXISTS', message: 'web2 already exists', cause: null, xl: null } }))).toBe('web2 already exists');
    expect(failureLead(rec('c'))).toBeNull();
  });

  it('filters by state and by text over operation, domains, who and the error', () => {
    const tasks = [
      rec('a'),
      rec('b', { state: 'failed', domains: ['db'], error: { code: 'XL_FAILED', message: 'Invalid cpumap: 0-99', cause: null, xl: null } }),
      rec('c', { state: 'running', operation: 'Save to /var/lib/xen/save/db.save', domains: ['db'], client: 'browser 10.0.0.5' }),
      rec('d', { state: 'unknown' }),
    ];
    expect(filterTasks(tasks, 'running', '').map((t) => t.id)).toEqual(['c']);
    expect(filterTasks(tasks, 'failed', '').map((t) => t.id)).toEqual(['b', 'd']);
    expect(filterTasks(tasks, 'all', 'DB').map((t) => t.id)).toEqual(['b', 'c']);
    expect(filterTasks(tasks, 'all', 'cpumap').map((t) => t.id)).toEqual(['b']);
    expect(filterTasks(tasks, 'all', '10.0.0.5').map((t) => t.id)).toEqual(['c']);
  });
});

describe('the task log\'s store helpers', () => {
  it('replaces a task by id and puts a new one in start order, newest first', () => {
    const a = rec('a', { startedAt: 3 });
    const b = rec('b', { startedAt: 1 });
    const list = [a, b];
    expect(upsertTask(list, rec('a', { startedAt: 3, state: 'failed' })).map((t) => `${t.id} ${t.state}`)).toEqual(['a failed', 'b ok']);
    expect(upsertTask(list, rec('c', { startedAt: 5 })).map((t) => t.id)).toEqual(['c', 'a', 'b']);
    expect(upsertTask(list, rec('c', { startedAt: 2 })).map((t) => t.id)).toEqual(['a', 'c', 'b']);
    expect(upsertTask(list, rec('c', { startedAt: 0 })).map((t) => t.id)).toEqual(['a', 'b', 'c']);
  });

  it('counts running tasks, and failures that ended after the log was last seen', () => {
    const tasks = [
      rec('a', { state: 'running', endedAt: null, durationMs: null }),
      rec('b', { state: 'failed', endedAt: 2_000 }),
      rec('c', { state: 'failed', endedAt: 500 }),
      rec('d', { state: 'unknown', endedAt: null, startedAt: 3_000 }),
    ];
    expect(selectRunning({ tasks })).toBe(1);
    expect(selectUnseenFailures({ tasks, seenAt: 1_000 })).toBe(2);
    expect(selectUnseenFailures({ tasks, seenAt: 5_000 })).toBe(0);
  });
});
