import { describe, expect, it } from 'vitest';
import { CONSOLE_DATA_FRAME, decodeConsoleData, encodeConsoleData } from '../../../src/shared/console-frame';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('console data frames', () => {
  it('round-trips bytes exactly (escapes, multi-byte, astral, a partial character) behind a short header', () => {
    const ascii = utf8('login: root\r\n\x1b[1;32mok\x1b[0m "quoted" \\ done');
    const f = encodeConsoleData('AbC_-123', ascii);
    expect(f[0]).toBe(CONSOLE_DATA_FRAME);
    expect(f.length).toBe(2 + 8 + ascii.length);
    expect(decodeConsoleData(f)).toEqual({ id: 'AbC_-123', data: ascii });
    const euro = utf8('€');
    for (const data of [utf8(''), utf8('é'), utf8('ünïcödé ✓ 漢字'), utf8('😀 emoji and 🐧'), utf8('x'.repeat(100_000) + '€'), euro.subarray(0, 2)]) {
      const frame = encodeConsoleData('s', data);
      expect(decodeConsoleData(frame)).toEqual({ id: 's', data });
      expect(decodeConsoleData(frame.slice().buffer)).toEqual({ id: 's', data });
    }
  });

  it('decodes to a view of the frame, not a copy', () => {
    const frame = encodeConsoleData('s', utf8('abc'));
    const got = decodeConsoleData(frame.buffer as ArrayBuffer)!;
    expect(got.data.buffer).toBe(frame.buffer);
    expect(got.data.byteOffset).toBe(3);
  });

  it('refuses ids that are not short ASCII, and frames it did not make', () => {
    expect(() => encodeConsoleData('é', utf8('x'))).toThrow(/ASCII/);
    expect(() => encodeConsoleData('a'.repeat(256), utf8('x'))).toThrow(/ASCII/);
    expect(decodeConsoleData(new Uint8Array([]))).toBeNull();
    expect(decodeConsoleData(new Uint8Array([0x02, 0]))).toBeNull();
    expect(decodeConsoleData(new Uint8Array([CONSOLE_DATA_FRAME, 5, 65]))).toBeNull();
    expect(decodeConsoleData(utf8('{"t":"evt"}'))).toBeNull();
  });
});
