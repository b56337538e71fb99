import { XenError } from '../../xen/index';
import { TOOLSTACK_ERROR_CODES, type IpcError } from '../../shared/ipc-errors';

const PASS_THROUGH: ReadonlySet<string> = new Set(TOOLSTACK_ERROR_CODES);

/** Encodes any thrown value as a plain coded error (Electron passes only `message` of an Error across IPC). */
export function encodeError(e: unknown): IpcError {
  if (e instanceof XenError && PASS_THROUGH.has(e.code)) {
    return { code: e.code, message: e.message, detail: plainDetail(e.detail) };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: message || 'Internal error' };
}

function plainDetail(detail: object): Record<string, unknown> {
  // Only JSON-safe values cross the boundary.
  try {
    return JSON.parse(JSON.stringify(detail)) as Record<string, unknown>;
  } catch {
    return {};
  }
}
