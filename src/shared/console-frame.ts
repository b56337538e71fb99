/**
 * Browser mode sends console output as binary WebSocket frames instead of JSON: the output is bytes (UTF-8) from main
 * to xterm, never a string on the way. A frame is
 *
 *   0x01 | id length (1 byte) | id (ASCII) | the output, UTF-8
 *
 * Everything else on the socket stays JSON text frames.
 */
export const CONSOLE_DATA_FRAME = 0x01;

/** Encodes one console:data event; `id` is a session id (ASCII, at most 255 characters). One copy of `data`. */
export function encodeConsoleData(id: string, data: Uint8Array): Uint8Array {
  if (id.length > 255 || !/^[\x20-\x7e]*$/.test(id)) throw new Error('console frame: the session id must be short ASCII');
  const head = 2 + id.length;
  const out = new Uint8Array(head + data.length);
  out[0] = CONSOLE_DATA_FRAME;
  out[1] = id.length;
  for (let i = 0; i < id.length; i++) out[2 + i] = id.charCodeAt(i);
  out.set(data, head);
  return out;
}

/** Decodes a frame made by encodeConsoleData; null for anything else. The output is a view into `frame`, not a copy. */
export function decodeConsoleData(frame: ArrayBuffer | Uint8Array): { id: string; data: Uint8Array } | null {
  const b = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (b.length < 2 || b[0] !== CONSOLE_DATA_FRAME) return null;
  const n = b[1]!;
  if (b.length < 2 + n) return null;
  let id = '';
  for (let i = 0; i < n; i++) id += String.fromCharCode(b[2 + i]!);
  return { id, data: b.subarray(2 + n) };
}
