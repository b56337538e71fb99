import { TASK_LOG_LIMIT, type TaskRecord } from '../../shared/tasks';

/** Pure helpers of the task log's store (tested without a page). */

/** `tasks` with `t` in place of the record of the same id, or added in start order; at most the log's limit. */
export function upsertTask(tasks: readonly TaskRecord[], t: TaskRecord): TaskRecord[] {
  const i = tasks.findIndex((x) => x.id === t.id);
  if (i >= 0) return tasks.map((x, k) => (k === i ? t : x));
  const at = tasks.findIndex((x) => x.startedAt <= t.startedAt);
  const next = at < 0 ? [...tasks, t] : [...tasks.slice(0, at), t, ...tasks.slice(at)];
  return next.slice(0, TASK_LOG_LIMIT);
}

/** Tasks still running. */
export const selectRunning = (s: { tasks: TaskRecord[] }): number => s.tasks.filter((t) => t.state === 'running').length;

/** Failures (and cut-off tasks) that ended after the user last looked. */
export const selectUnseenFailures = (s: { tasks: TaskRecord[]; seenAt: number }): number =>
  s.tasks.filter((t) => (t.state === 'failed' || t.state === 'unknown') && (t.endedAt ?? t.startedAt) > s.seenAt).length;
