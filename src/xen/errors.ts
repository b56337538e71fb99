import type { ToolstackErrorCode } from '../shared/ipc-errors';

/** Codes every toolstack failure is reported with; the UI maps each to words a person understands. */
export type XenErrorCode = ToolstackErrorCode;

/** Extra facts kept with an error: the argv that ran, xl's exit code and its own stderr, the offending line. */
export interface XenErrorDetail {
  argv?: readonly string[];
  exitCode?: number | null;
  stderr?: string;
  line?: number;
  field?: string;
  [key: string]: unknown;
}

/** The one error type src/xen throws; `code` is stable, `message` is for people, `detail` keeps xl's own words. */
export class XenError extends Error {
  override readonly name = 'XenError';
  constructor(
    readonly code: XenErrorCode,
    message: string,
    readonly detail: XenErrorDetail = {},
  ) {
    super(message);
  }
}

/** True when `e` is a XenError (optionally of one code). */
export function isXenError(e: unknown, code?: XenErrorCode): e is XenError {
  return e instanceof XenError && (code === undefined || e.code === code);
}

/** True when `e` says the host could not be reached at all (ssh itself failed or lost the connection), not a command. */
export function isUnreachable(e: unknown): boolean {
  return e instanceof XenError && e.detail['unreachable'] === true;
}
