import { describe, expect, it } from 'vitest';
import { OutputBatch } from '../../../src/main/console/output-batch';

const text = (b: Uint8Array): string => new TextDecoder('utf-8', { fatal: true }).decode(b);

describe('OutputBatch', () => {
  it('encodes chunks as they come into one batch, handed on once taken', () => {
    const b = new OutputBatch(64);
    const full: Uint8Array[] = [];
    b.add('login: ', (x) => full.push(x));
    b.add('é✓', (x) => full.push(x));
    expect(full).toEqual([]);
    expect(b.length).toBe(7 + 2 + 3);
    expect(text(b.take())).toBe('login: é✓');
    expect(b.length).toBe(0);
    expect(b.take()).toHaveLength(0);
  });

  it('hands on each batch that fills up at once, every one ending on a whole character, losing nothing', () => {
    const b = new OutputBatch(16);
    const full: Uint8Array[] = [];
    const input = `${'ab😀'.repeat(10)}tail €`;
    b.add(input, (x) => full.push(x));
    for (const f of full) {
      expect(f.length).toBeLessThanOrEqual(16);
      // Whole characters only: a fatal decoder throws on a cut sequence.
      expect(() => text(f)).not.toThrow();
    }
    expect(full.length).toBeGreaterThan(1);
    expect(full.map(text).join('') + text(b.take())).toBe(input);
  });

  it('hands a nearly full buffer over without a copy and copies a small batch out of one it keeps', () => {
    const b = new OutputBatch(8);
    b.add('abcdefg', () => undefined);
    const big = b.take();
    b.add('xy', () => undefined);
    const small = b.take();
    // The big one kept its buffer (8 bytes, no copy); the small one is exactly its size.
    expect(big.buffer.byteLength).toBe(8);
    expect(small.buffer.byteLength).toBe(2);
    b.add('z', () => undefined);
    // Taking a small batch did not disturb one handed over before.
    expect([text(big), text(small), text(b.take())]).toEqual(['abcdefg', 'xy', 'z']);
  });

  it('refuses a capacity too small for one character', () => {
    expect(() => new OutputBatch(3)).toThrow(/at least 4/);
  });
});
