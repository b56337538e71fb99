import { XenError, type XenErrorCode, type XenErrorDetail } from '../errors';

/**
 * The broker speaks newline-delimited JSON on stdio. One request per line; every request gets exactly one response
 * with its id; streams and terminals also send events carrying the id of the request that opened them.
 */
export type BrokerId = number | string;

/** A request from the app. */
export interface BrokerRequest {
  id: BrokerId;
  /** A command of the table (src/xen/commands/table.ts), a file operation or a session control; never a program. */
  op: string;
  /** The operation's arguments, checked by its schema in the broker. */
  args?: Record<string, unknown>;
  /** How to run it: timeoutMs and allowFailure for commands, cols and rows for a terminal. */
  opts?: Record<string, unknown>;
}

/** An error as it crosses the pipe (a XenError's own fields). */
export interface WireError {
  code: XenErrorCode;
  message: string;
  detail: XenErrorDetail;
}

/** The answer to one request; id is null only when the line could not be read at all. */
export type BrokerResponse = { id: BrokerId | null; ok: true; value: unknown } | { id: BrokerId | null; ok: false; error: WireError };

/** Something a stream or terminal did: `data` (string), `exit` (code or null), `error` (WireError); id 0 `ready` at start. */
export interface BrokerEvent {
  id: BrokerId;
  event: 'data' | 'exit' | 'error' | 'ready';
  data: unknown;
}

/** Protocol version announced in the `ready` event. */
export const BROKER_PROTOCOL_VERSION = 2;

/** The longest request line accepted; config files are small, so 1 MiB is plenty. */
export const MAX_LINE_BYTES = 1024 * 1024;

/** Encodes any thrown value for the wire; anything that is not a XenError is reported without its stack. */
export function toWireError(e: unknown): WireError {
  if (e instanceof XenError) return { code: e.code, message: e.message, detail: e.detail };
  return { code: 'XL_FAILED', message: e instanceof Error ? e.message : String(e), detail: {} };
}

/** Rebuilds the XenError on the app side. */
export function fromWireError(w: WireError): XenError {
  return new XenError(w.code, w.message, w.detail ?? {});
}

/** Reads one request line; throws INVALID_ARG (with whatever id could be found) when it is not a request. */
export function parseRequest(line: string): BrokerRequest {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new XenError('INVALID_ARG', 'Request is not valid JSON', {});
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new XenError('INVALID_ARG', 'Request must be a JSON object', {});
  const r = v as Record<string, unknown>;
  const id = r['id'];
  const validId = (typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && id.length > 0 && id.length <= 64);
  if (!validId) throw new XenError('INVALID_ARG', 'Request needs an id (integer or short string)', {});
  if (typeof r['op'] !== 'string') throw new XenError('INVALID_ARG', 'Request needs an op', { requestId: id });
  const args = r['args'] ?? {};
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new XenError('INVALID_ARG', 'args must be an object', { requestId: id });
  const opts = r['opts'] ?? {};
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new XenError('INVALID_ARG', 'opts must be an object', { requestId: id });
  return { id: id as BrokerId, op: r['op'], args: args as Record<string, unknown>, opts: opts as Record<string, unknown> };
}

/** The id of a request line that failed parseRequest, if one can be read, so its sender is not left waiting. */
export function salvageId(line: string): BrokerId | null {
  try {
    const v: unknown = JSON.parse(line);
    const id = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)['id'] : undefined;
    return typeof id === 'number' || (typeof id === 'string' && id.length <= 64) ? id : null;
  } catch {
    return null;
  }
}
