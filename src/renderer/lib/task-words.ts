import type { TaskRecord, TaskState } from '../../shared/tasks';

/** How the task log's result column says each state. */
export const RESULT_WORDS: Record<TaskState, string> = {
  running: 'Running',
  ok: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  unknown: 'Unknown',
};

/** A task's duration: "0.4 s", "12 s", "3 min 5 s", "1 h 2 min"; a running one counts up to `now`. */
export function durationWords(t: Pick<TaskRecord, 'durationMs' | 'startedAt' | 'state'>, now: number): string {
  if (t.durationMs === null && t.state === 'running') {
    // Counted on this page's clock, each second: whole seconds only.
    const s = Math.floor(Math.max(0, now - t.startedAt) / 1000);
    return s < 60 ? `${s} s` : durationWords({ durationMs: s * 1000, startedAt: t.startedAt, state: 'ok' }, now);
  }
  const ms = t.durationMs;
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

const two = (n: number): string => String(n).padStart(2, '0');

/** When a task started: the time today, else the date and time ("5 Dec 14:03:22"). */
export function timeWords(at: number, now: number): string {
  const d = new Date(at);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  if (new Date(now).toDateString() === d.toDateString()) return time;
  return `${d.getDate()} ${d.toLocaleString('en-GB', { month: 'short' })}${d.getFullYear() === new Date(now).getFullYear() ? '' : ` ${d.getFullYear()}`} ${time}`;
}

/** Who asked: the OS user and the window or browser. */
export function whoWords(t: Pick<TaskRecord, 'user' | 'client'>): string {
  return `${t.user} · ${t.client}`;
}

/** The line under a failed task: the cause in plain words when main knew one, else Xenith's message. */
export function failureLead(t: TaskRecord): string | null {
  if (t.error === null) return null;
  return t.error.cause ?? t.error.message;
}

/** Which tasks the table shows. */
export type TaskFilter = 'all' | 'running' | 'failed';

/** The tasks matching a filter and a text (over operation, domains, who, host and the error). */
export function filterTasks(tasks: readonly TaskRecord[], filter: TaskFilter, text: string): TaskRecord[] {
  const q = text.trim().toLowerCase();
  return tasks.filter((t) => {
    if (filter === 'running' && t.state !== 'running') return false;
    if (filter === 'failed' && t.state !== 'failed' && t.state !== 'unknown') return false;
    if (q === '') return true;
    return [t.operation, t.domains.join(' '), t.user, t.client, t.host, t.error?.message ?? '', t.error?.cause ?? ''].some((s) => s.toLowerCase().includes(q));
  });
}
