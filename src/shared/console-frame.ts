/**
 * Browser mode sends console output as binary WebSocket frames instead of JSON: the bulk of a console flood is text
 * that JSON would escape on one side and parse on the other. A frame is
 *
 *   0x01 | id length (1 byte) | id (ASCII) | the output, UTF-8
 *
 * Everything else on the socket stays JSON text frames.
 */
export const CONSOLE_DATA_FRAME = 0x01;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Encodes one console:data event; `id` is a session id (ASCII, at most 255 characters). */
export function encodeConsoleData(id: string, data: string): Uint8Array {
  if (id.length > 255 || !/^[\x20-\x7e]*$/.test(id)) throw new Error('console frame: the session id must be short ASCII');
  const head = 2 + id.length;
  // Most console output is ASCII, one byte a character: try that size first. A UTF-16 unit never needs more than 3
  // bytes of UTF-8 (a surrogate pair, two units, needs 4), so the second size always fits.
  for (const size of [data.length, data.length * 3]) {
    const out = new Uint8Array(head + size);
    const { read, written } = encoder.encodeInto(data, out.subarray(head));
    if (read !== data.length) continue;
    out[0] = CONSOLE_DATA_FRAME;
    out[1] = id.length;
    for (let i = 0; i < id.length; i++) out[2 + i] = id.charCodeAt(i);
    return out.subarray(0, head + written);
  }
  throw new Error('console frame: could not encode the output');
}

/** Decodes a frame made by encodeConsoleData; null for anything else. */
export function decodeConsoleData(frame: ArrayBuffer | Uint8Array): { id: string; data: string } | null {
  const b = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (b.length < 2 || b[0] !== CONSOLE_DATA_FRAME) return null;
  const n = b[1]!;
  if (b.length < 2 + n) return null;
  let id = '';
  for (let i = 0; i < n; i++) id += String.fromCharCode(b[2 + i]!);
  return { id, data: decoder.decode(b.subarray(2 + n)) };
}
