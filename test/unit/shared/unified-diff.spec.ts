import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../src/shared/unified-diff';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
  });
  it('shows a changed line with its context and 1-based ranges', () => {
    const a = 'name = "x"\nmemory = 512\nvcpus = 1\n';
    const b = 'name = "x"\nmemory = 1024\nvcpus = 1\n';
    expect(unifiedDiff(a, b)).toBe('--- saved\n+++ edited\n@@ -1,3 +1,3 @@\n name = "x"\n-memory = 512\n+memory = 1024\n vcpus = 1\n');
  });
  it('splits far-apart changes into hunks and handles additions at the end', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n');
    const b = a.replace('l1\n', 'L1\n') + '\nnew';
    const d = unifiedDiff(a, b);
    expect(d.match(/^@@/gm)).toHaveLength(2);
    expect(d).toContain('-l1\n+L1\n');
    expect(d.trimEnd().endsWith('+new')).toBe(true);
  });
  it('diffs from empty', () => {
    expect(unifiedDiff('', 'a\n')).toBe('--- saved\n+++ edited\n@@ -0,0 +1,1 @@\n+a\n');
  });
});
