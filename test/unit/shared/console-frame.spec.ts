import { describe, expect, it } from 'vitest';
import { CONSOLE_DATA_FRAME, decodeConsoleData, encodeConsoleData } from '../../../src/shared/console-frame';

describe('console data frames', () => {
  it('round-trips ASCII, escapes, multi-byte and astral text exactly, with one byte a character for ASCII', () => {
    const ascii = 'login: root\r\n\x1b[1;32mok\x1b[0m "quoted" \\ done';
    const f = encodeConsoleData('AbC_-123', ascii);
    expect(f[0]).toBe(CONSOLE_DATA_FRAME);
    expect(f.length).toBe(2 + 8 + ascii.length);
    expect(decodeConsoleData(f)).toEqual({ id: 'AbC_-123', data: ascii });
    for (const data of ['', 'é', 'ünïcödé ✓ 漢字', '😀 emoji and 🐧', 'x'.repeat(100_000) + '€']) {
      const frame = encodeConsoleData('s', data);
      expect(decodeConsoleData(frame)).toEqual({ id: 's', data });
      expect(decodeConsoleData(frame.slice().buffer)).toEqual({ id: 's', data });
    }
  });

  it('refuses ids that are not short ASCII, and frames it did not make', () => {
    expect(() => encodeConsoleData('é', 'x')).toThrow(/ASCII/);
    expect(() => encodeConsoleData('a'.repeat(256), 'x')).toThrow(/ASCII/);
    expect(decodeConsoleData(new Uint8Array([]))).toBeNull();
    expect(decodeConsoleData(new Uint8Array([0x02, 0]))).toBeNull();
    expect(decodeConsoleData(new Uint8Array([CONSOLE_DATA_FRAME, 5, 65]))).toBeNull();
    expect(decodeConsoleData(new TextEncoder().encode('{"t":"evt"}'))).toBeNull();
  });
});
