import { describe, expect, it } from 'vitest';
import { reasonNames } from '../../../../src/renderer/lib/reason';

describe('reasonNames', () => {
  it('matches main’s "<action> <name>" reasons for exactly that domain', () => {
    expect(reasonNames('pause web01', 'web01')).toBe(true);
    expect(reasonNames('attach disk web01', 'web01')).toBe(true);
    expect(reasonNames('pause xweb01', 'web01')).toBe(false);
    expect(reasonNames('pause web011', 'web01')).toBe(false);
    expect(reasonNames('running domains changed', 'web01')).toBe(false);
  });
});
