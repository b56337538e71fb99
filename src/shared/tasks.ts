import { z } from 'zod';

/**
 * The task log's record: one operation Xenith performed for someone (issue #18). The same schema checks every line
 * read back from the log file, so a hand-edited or half-written line is dropped rather than shown half-parsed.
 */

/** How many finished tasks are kept (in memory and in the file); the panel shows the newest first. */
export const TASK_LOG_LIMIT = 2000;

/** running: in flight; ok/failed/cancelled: finished; unknown: it was running when Xenith stopped. */
export const TASK_STATES = ['running', 'ok', 'failed', 'cancelled', 'unknown'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Why a task failed: the code, Xenith's message, the cause in plain words and xl's own stderr, when there were any. */
export const taskErrorSchema = z.object({
  code: z.string().max(40),
  message: z.string().max(4000),
  cause: z.string().max(1000).nullable(),
  xl: z.string().max(8000).nullable(),
});
export type TaskError = z.infer<typeof taskErrorSchema>;

/** One task: what was asked (in words), of which domains, on which host, by whom, when, how long, and the result. */
export const taskRecordSchema = z.object({
  id: z.string().min(1).max(64),
  /** The contract channel that ran (domain:save). */
  channel: z.string().max(64),
  /** What it did in plain words ("Save to /var/lib/xen/save/web.save"). */
  operation: z.string().max(600),
  domains: z.array(z.string().max(64)).max(64),
  /** The toolstack's label ("demo host", "root@dom0 over SSH"). */
  host: z.string().max(200),
  /** The OS user Xenith runs as. */
  user: z.string().max(100),
  /** Which window or browser asked ("window 1", "browser 127.0.0.1"). */
  client: z.string().max(100),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  state: z.enum(TASK_STATES),
  /** The latest progress message of a long job (or what it is doing while it runs). */
  progress: z.string().max(600).nullable(),
  error: taskErrorSchema.nullable(),
});
export type TaskRecord = z.infer<typeof taskRecordSchema>;

/** True while a task has not finished. */
export function isRunning(t: TaskRecord): boolean {
  return t.state === 'running';
}
