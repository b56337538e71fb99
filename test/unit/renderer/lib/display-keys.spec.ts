import { describe, expect, it } from 'vitest';
import { displayKeys, vfbField } from '../../../../src/renderer/lib/display-keys';

describe('displayKeys', () => {
  it('writes top-level vnc options for HVM, choosing a free display when none is given', () => {
    expect(displayKeys('hvm', { vnc: true, listen: '', display: '', password: '' })).toEqual({ vnc: true, vnclisten: null, vncdisplay: null, vncunused: true });
    expect(displayKeys('hvm', { vnc: true, listen: '0.0.0.0', display: '7', password: 'pw' })).toEqual({ vnc: true, vnclisten: '0.0.0.0', vncdisplay: 7, vncunused: false, vncpasswd: 'pw' });
    expect(displayKeys('hvm', { vnc: false, listen: 'x', display: '3', password: '' })).toEqual({ vnc: false, vnclisten: null, vncdisplay: null, vncunused: null });
  });
  it('writes a vfb entry for PV, or removes it', () => {
    expect(displayKeys('pv', { vnc: true, listen: '127.0.0.1', display: '', password: '' })).toEqual({ vfb: ['vnc=1,vnclisten=127.0.0.1,vncunused=1'] });
    expect(displayKeys('pv', { vnc: false, listen: '', display: '', password: '' })).toEqual({ vfb: null });
    expect(() => displayKeys('pv', { vnc: true, listen: '', display: '', password: 'a,vnclisten=0.0.0.0' })).toThrow();
  });
});

describe('vfbField', () => {
  it('reads one key of a vfb entry', () => {
    expect(vfbField(['vnc=1,vnclisten=0.0.0.0,vncdisplay=2'], 'vncdisplay')).toBe('2');
    expect(vfbField(['vnc=1'], 'vnclisten')).toBe('');
    expect(vfbField(undefined, 'vnc')).toBe('');
  });
});
