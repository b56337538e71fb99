/**
 * Codes every toolstack failure is reported with (src/xen's XenError uses exactly these). IN_USE: a disk another
 * domain uses in a way that forbids this use (two writers). LIMIT: one client holds as many consoles or graphical
 * sessions as it may.
 */
export const TOOLSTACK_ERROR_CODES = [
  'XL_NOT_FOUND', 'XL_FAILED', 'TIMEOUT', 'ABORTED', 'PERMISSION', 'PARSE', 'INVALID_ARG', 'NOT_FOUND', 'EXISTS', 'IN_USE', 'LIMIT', 'UNSUPPORTED',
] as const;
export type ToolstackErrorCode = (typeof TOOLSTACK_ERROR_CODES)[number];

/** Error codes that cross IPC: the toolstack's own plus the gateway's. */
export type IpcErrorCode = ToolstackErrorCode | 'UNKNOWN_CHANNEL' | 'FORBIDDEN' | 'INTERNAL';

/** A coded error as it travels over IPC (Electron passes only `message` of a thrown Error, so it is encoded on purpose). */
export interface IpcError {
  code: IpcErrorCode;
  message: string;
  detail?: Record<string, unknown>;
}

/** Every answer from the gateway. */
export type IpcResponse<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** The error a client-side call rejects with; keeps the code and detail of the gateway's answer. */
export class XenithError extends Error {
  override readonly name = 'XenithError';
  constructor(
    readonly code: IpcErrorCode,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Turns a gateway answer into a value or a thrown XenithError. */
export function unwrapResponse<T>(r: IpcResponse<T>): T {
  if (r.ok) return r.value;
  throw new XenithError(r.error.code, r.error.message, r.error.detail ?? {});
}

/** Words a person understands for each code; xl's own message stays in `detail.stderr`. */
export function describeErrorCode(code: IpcErrorCode): string {
  switch (code) {
    case 'XL_NOT_FOUND':
      return 'The Xen toolstack (xl) was not found on this host.';
    case 'XL_FAILED':
      return 'Xen refused the operation.';
    case 'TIMEOUT':
      return 'The operation took too long and was stopped.';
    case 'ABORTED':
      return 'The operation was cancelled.';
    case 'PERMISSION':
      return 'Xenith lacks the privilege to do this (xl needs root).';
    case 'PARSE':
      return 'The toolstack answered in a form Xenith did not understand.';
    case 'INVALID_ARG':
      return 'A value was not valid.';
    case 'NOT_FOUND':
      return 'It no longer exists.';
    case 'EXISTS':
      return 'It already exists; nothing was overwritten.';
    case 'IN_USE':
      return 'Another domain uses that disk; sharing it read-write would corrupt it.';
    case 'LIMIT':
      return 'Too many open at once; close one first.';
    case 'UNSUPPORTED':
      return 'This host cannot do that.';
    case 'UNKNOWN_CHANNEL':
      return 'Unknown request.';
    case 'FORBIDDEN':
      return 'Request refused.';
    case 'INTERNAL':
      return 'Something went wrong inside Xenith.';
  }
}
