import { describe, expect, it } from 'vitest';
import { describeStateLetters } from '../../../src/shared/state-words';

describe('describeStateLetters', () => {
  it('explains each of xl’s letters in words', () => {
    expect(describeStateLetters('r-----')).toBe('running on a CPU');
    expect(describeStateLetters('-b----')).toBe('blocked (idle, waiting for I/O)');
    expect(describeStateLetters('--ps--')).toBe('paused, shut down (powered off)');
    expect(describeStateLetters('---sr-')).toBe('shut down (rebooting)');
    expect(describeStateLetters('-----d')).toBe('dying');
    expect(describeStateLetters('------')).toBe('runnable (waiting for a CPU)');
  });
  it('names a malformed value instead of guessing', () => {
    expect(describeStateLetters('rb')).toBe('unknown state "rb"');
    expect(describeStateLetters('x-----')).toContain('unknown state');
  });
});
