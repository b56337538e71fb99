import { describe, expect, it } from 'vitest';
import { consoleTtyFrom, parseXenstoreLs, parseXenstoreRead, vncFrom } from '../../../../src/xen/parse/xenstore';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';

describe('parseXenstoreLs on real captures', () => {
  it("reads test1's subtree and its console tty", () => {
    const f = loadFixture('xenstore-ls-test1.txt');
    expect(f.command).toBe('xenstore-ls -f /local/domain/$(xl domid test1)');
    const entries = parseXenstoreLs(f.text);
    expect(entries.size).toBe(73);
    expect(entries.get('/local/domain/1/name')).toBe('test1');
    expect(entries.get('/local/domain/1/attr')).toBe('');
    expect(entries.get('/local/domain/1/vm')).toBe('/vm/791318b8-d3d6-4705-b8af-034c5b5b952e');
    expect(entries.get('/local/domain/1/device/vif/0/mac')).toBe('00:16:3e:08:38:84');
    expect(consoleTtyFrom(entries, 1)).toBe('/dev/pts/0');
    expect(vncFrom(entries, 1)).toBeNull();
    expect([...entries.keys()][0]).toBe('/local/domain/1/attr');
  });

  it("reads dom0's subtree", () => {
    const entries = parseXenstoreLs(loadFixture('xenstore-ls-local-domain-0.txt').text);
    expect(entries.get('/local/domain/0/name')).toBe('Domain-0');
    expect(consoleTtyFrom(entries, 1)).toBeNull();
  });
});

describe('parseXenstoreLs escapes and odd lines', () => {
  it('undoes xenstore escapes, keeps an unescaped quote and reads UTF-8 bytes', () => {
    const entries = parseXenstoreLs(
      '/a = "tab\\there\\nnew\\\\line"\n/b = "say "hi""\n/c = "caf\\xc3\\xa9"\n/d = "nul\\000bell\\007"\n/e:\n',
    );
    expect([...entries]).toEqual([
      ['/a', 'tab\there\nnew\\line'],
      ['/b', 'say "hi"'],
      ['/c', 'café'],
      ['/d', 'nul\u0000bell\u0007'],
      ['/e', null],
    ]);
  });

  it('reads VNC port and listen address', () => {
    const entries = parseXenstoreLs(
      '/local/domain/5/console/vnc-port = "5901"\n/local/domain/5/console/vnc-listen = "127.0.0.1"\n',
    );
    expect(vncFrom(entries, 5)).toEqual({ port: 5901, listen: '127.0.0.1' });
    expect(vncFrom(parseXenstoreLs('/local/domain/5/console/vnc-port = "5901"\n'), 5)).toEqual({ port: 5901, listen: null });
    expect(vncFrom(parseXenstoreLs('/local/domain/5/console/vnc-port = "99999"\n'), 5)).toBeNull();
    expect(vncFrom(parseXenstoreLs('/local/domain/5/console/vnc-port = "59x"\n'), 5)).toBeNull();
  });

  it('gives an empty map for empty output', () => {
    expect(parseXenstoreLs('').size).toBe(0);
  });

  it('refuses the indented form and width-truncated values', () => {
    expect(parseError(() => parseXenstoreLs('local = ""\n domain = ""\n'))).toEqual({
      message: 'xenstore-ls: line 1: not a full xenstore path (run xenstore-ls -f): "local"',
      line: 1,
    });
    expect(parseError(() => parseXenstoreLs('/a = "abc\\..."\n')).message).toBe(
      'xenstore-ls: line 1: value truncated by xenstore-ls (run it with -f): "/a = \\"abc\\\\...\\""',
    );
  });

  it('throws PARSE on a missing quote, a bad escape or a line that is not path = value', () => {
    expect(parseError(() => parseXenstoreLs('/a = "x"\n/b = "unterminated\n')).line).toBe(2);
    expect(parseError(() => parseXenstoreLs('/a = "\\q"\n')).message).toBe('xenstore-ls: line 1: unknown escape "\\\\q"');
    expect(parseError(() => parseXenstoreLs('xenstore-ls: could not access /local/domain/9\n')).line).toBe(1);
    expect(parseError(() => parseXenstoreLs('/a b = "x"\n')).line).toBe(1);
  });
});

describe('parseXenstoreRead', () => {
  it('trims exactly one trailing newline and undoes escapes', () => {
    expect(parseXenstoreRead('/dev/pts/0\n')).toBe('/dev/pts/0');
    expect(parseXenstoreRead('a\\nb\n')).toBe('a\nb');
    expect(parseXenstoreRead('')).toBe('');
    expect(parseXenstoreRead('x')).toBe('x');
  });

  it('keeps raw output (-R) as it is, bar the newline', () => {
    expect(parseXenstoreRead('a\\nb\nc\n\n', { raw: true })).toBe('a\\nb\nc\n');
  });

  it('throws PARSE for several values or a bad escape', () => {
    expect(parseError(() => parseXenstoreRead('a\nb\n'))).toEqual({
      message: 'xenstore-read: line 2: expected one value, got several lines (one path per call)',
      line: 2,
    });
    expect(parseError(() => parseXenstoreRead('\\x4\n')).line).toBe(1);
  });
});
