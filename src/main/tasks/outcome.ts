import type { BulkResult, DeleteReport } from '../../shared/contract-types';
import type { IpcError, IpcResponse } from '../../shared/ipc-errors';
import type { TaskError, TaskState } from '../../shared/tasks';

/** How a task ended, as the log keeps it. */
export interface TaskOutcome {
  state: Exclude<TaskState, 'running' | 'unknown'>;
  error: TaskError | null;
}

const MAX_MESSAGE = 4000;
const MAX_XL = 8000;

/** `s` cut to at most `max` characters (an ellipsis marks the cut). */
export const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Keys whose string values are secrets wherever they appear in a call's arguments. */
const SECRET_KEY = /pass|secret|token/i;
/**
 * A secret written as config text (`vncpasswd = "…"`), as configSave and the wizard carry it, or inside a device
 * string (`vfb = [ "vnc=1,vncpasswd=hunter2" ]`), where it ends at a comma or quote.
 */
const SECRET_IN_TEXT = /\b\w*(?:passw|secret|token)\w*\s*=\s*(?:["']([^"'\n]+)["']|([^,"'\s\]]+))/gi;

/** Every secret value in a call's arguments: the log never shows them, even when an error message echoes one. */
export function secretsIn(args: unknown, depth = 0): string[] {
  if (depth > 8 || args === null || typeof args !== 'object') return typeof args === 'string' ? [...args.matchAll(SECRET_IN_TEXT)].map((m) => m[1] ?? m[2] ?? '') : [];
  const found: string[] = [];
  for (const [k, v] of Object.entries(args as Record<string, unknown>)) {
    if (SECRET_KEY.test(k) && typeof v === 'string') found.push(v);
    else found.push(...secretsIn(v, depth + 1));
  }
  return found.filter((s) => s !== '');
}

/** `text` with every secret replaced by dots. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('••••');
  return out;
}

/** A coded error as the log keeps it: Xenith's message, the cause in plain words, and xl's own stderr. */
export function taskError(e: IpcError, secrets: readonly string[]): TaskError {
  const d = e.detail ?? {};
  const said = (v: unknown, max: number): string | null => (typeof v === 'string' && v.trim() !== '' ? clip(scrub(v.trim(), secrets), max) : null);
  return { code: e.code, message: clip(scrub(e.message, secrets), MAX_MESSAGE), cause: said(d['cause'], 1000), xl: said(d['stderr'], MAX_XL) };
}

/** A bulk action fails when any of its domains failed; the error names each, with xl's words under each name. */
function bulkOutcome(results: BulkResult[], secrets: readonly string[]): TaskOutcome {
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return { state: 'ok', error: null };
  const each = failed.map((r) => ({ name: r.name, e: taskError({ code: (r.error?.code ?? 'INTERNAL') as IpcError['code'], message: r.error?.message ?? 'failed', ...(r.error?.detail ? { detail: r.error.detail } : {}) }, secrets) }));
  const xl = each.filter((f) => f.e.xl !== null).map((f) => `${f.name}:\n${f.e.xl ?? ''}`);
  return {
    state: 'failed',
    error: {
      code: each[0]?.e.code ?? 'INTERNAL',
      message: clip(`${failed.length} of ${results.length} failed. ${each.map((f) => `${f.name}: ${f.e.message}`).join('; ')}`, MAX_MESSAGE),
      cause: each.find((f) => f.e.cause !== null)?.e.cause ?? null,
      xl: xl.length > 0 ? clip(xl.join('\n'), MAX_XL) : null,
    },
  };
}

/** Deleting a domain answers a report: a step that failed (a disk kept) makes the task failed, naming what is left. */
function deleteOutcome(report: DeleteReport): TaskOutcome {
  const failed = report.steps.filter((s) => !s.ok);
  if (failed.length === 0) return { state: 'ok', error: null };
  const message = `Not deleted: ${failed.map((s) => `${s.path}${s.message ? ` (${s.message})` : ''}`).join('; ')}`;
  return { state: 'failed', error: { code: 'PARTIAL', message: clip(message, MAX_MESSAGE), cause: null, xl: null } };
}

/** How a call's answer ends its task. */
export function outcomeOf(channel: string, answer: IpcResponse<unknown>, secrets: readonly string[]): TaskOutcome {
  if (!answer.ok) return { state: answer.error.code === 'ABORTED' ? 'cancelled' : 'failed', error: taskError(answer.error, secrets) };
  if (channel === 'domains:bulk' && Array.isArray(answer.value)) return bulkOutcome(answer.value as BulkResult[], secrets);
  if (channel === 'domain:delete' && isDeleteReport(answer.value)) return deleteOutcome(answer.value);
  return { state: 'ok', error: null };
}

function isDeleteReport(v: unknown): v is DeleteReport {
  return typeof v === 'object' && v !== null && Array.isArray((v as { steps?: unknown }).steps);
}
