import { describe, expect, it } from 'vitest';
import { findCfgKey, formatCfgValue, setCfgKey, setCfgKeys } from '../../../../src/renderer/lib/cfg-text';

const TEXT = `# web server
name = "web"
memory = 512   # MiB
disk = [ 'file:/img/a,xvda,w',
         'file:/img/b,xvdb,w' ]
vnc = 1
`;

describe('setCfgKey', () => {
  it('replaces a key in place and keeps every other line and comment', () => {
    const out = setCfgKey(TEXT, 'memory', 1024);
    expect(out).toBe(TEXT.replace('memory = 512   # MiB', 'memory = 1024'));
    expect(out).toContain('# web server');
  });
  it('replaces a list spanning lines as one', () => {
    const out = setCfgKey(TEXT, 'disk', ['file:/img/c,xvda,w']);
    expect(out).toBe('# web server\nname = "web"\nmemory = 512   # MiB\ndisk = ["file:/img/c,xvda,w"]\nvnc = 1\n');
  });
  it('appends a missing key, and removes a key given null', () => {
    expect(setCfgKey(TEXT, 'kernel', '/boot/vmlinuz')).toBe(`${TEXT}kernel = "/boot/vmlinuz"\n`);
    expect(setCfgKey('a = 1', 'b', 2)).toBe('a = 1\nb = 2\n');
    expect(setCfgKey(TEXT, 'vnc', null)).not.toContain('vnc');
    expect(setCfgKey(TEXT, 'absent', null)).toBe(TEXT);
  });
  it('does not match a key that only starts the same', () => {
    const t = 'vncdisplay = 1\nvnc = 0\n';
    expect(setCfgKey(t, 'vnc', 1)).toBe('vncdisplay = 1\nvnc = 1\n');
    expect(findCfgKey(t.split('\n'), 'vnc')).toEqual({ start: 1, end: 1 });
  });
  it('refuses values that would break out of their quotes', () => {
    expect(() => formatCfgValue('a"b')).toThrow();
    expect(() => setCfgKey(TEXT, 'extra', 'x\nname="evil"')).toThrow();
  });
  it('sets several keys', () => {
    const out = setCfgKeys(TEXT, { vnc: 0, vnclisten: '0.0.0.0', memory: null });
    expect(out).toContain('vnc = 0');
    expect(out).toContain('vnclisten = "0.0.0.0"');
    expect(out).not.toContain('memory');
  });
});
