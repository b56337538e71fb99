import { describeErrorCode, XenithError, type IpcErrorCode } from '../../shared/ipc-errors';

/** An error as the UI shows it: words a person understands, plus xl's own message one click away. */
export interface ErrorInfo {
  code: IpcErrorCode | 'UNKNOWN';
  /** Plain words for the code. */
  words: string;
  /** The error's own message (often xl's first stderr line). */
  message: string;
  /** xl's full stderr or other detail, when there is any. */
  detail: string | null;
  /** The field a validation error names, when it names one. */
  field: string | null;
  /** What went wrong in plain words (the path, the bridge, the missing thing), when main recognised xl's words. */
  cause: string | null;
}

/** Turns whatever a call rejected with into an ErrorInfo. */
export function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof XenithError) {
    const d = e.detail;
    const stderr = typeof d['stderr'] === 'string' && d['stderr'].trim() !== '' ? d['stderr'].trim() : null;
    return {
      code: e.code,
      // An unknown code (a newer main) has no words of its own.
      words: (describeErrorCode(e.code) as string | undefined) ?? 'Something went wrong.',
      message: e.message,
      detail: stderr,
      field: typeof d['field'] === 'string' ? d['field'] : null,
      cause: typeof d['cause'] === 'string' && d['cause'] !== '' ? d['cause'] : null,
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'UNKNOWN', words: 'Something went wrong.', message, detail: null, field: null, cause: null };
}

/** Same shape from a bulk result's plain error object. */
export function errorInfoFromPlain(err: { code: string; message: string; detail?: Record<string, unknown> }): ErrorInfo {
  return errorInfo(new XenithError(err.code as IpcErrorCode, err.message, err.detail ?? {}));
}
