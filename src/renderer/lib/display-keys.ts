import type { ConfigPatch } from '../../shared/domain-config';

/** The model's options for a VNC choice: top-level options for HVM, a `vfb` entry for PV (xl reads vnc* only for HVM). */
export function displayKeys(type: string, o: { vnc: boolean; listen: string; display: string; password: string }): ConfigPatch {
  if (type === 'hvm') {
    return {
      vnc: o.vnc,
      vnclisten: o.vnc && o.listen !== '' ? o.listen : null,
      vncdisplay: o.vnc && o.display !== '' ? Number(o.display) : null,
      vncunused: o.vnc ? o.display === '' : null,
      ...(o.vnc && o.password !== '' ? { vncpasswd: o.password } : {}),
    };
  }
  if (!o.vnc) return { vfb: null };
  // A vfb entry is "k=v,k=v": a comma or "=" inside a value would split it.
  for (const v of [o.listen, o.display, o.password]) if (/[,=]/.test(v)) throw new Error('VNC settings of a PV guest may not contain "," or "="');
  const parts = ['vnc=1', o.listen !== '' ? `vnclisten=${o.listen}` : '', o.display !== '' ? `vncdisplay=${o.display}` : 'vncunused=1', o.password !== '' ? `vncpasswd=${o.password}` : ''];
  return { vfb: [parts.filter(Boolean).join(',')] };
}

/** One key of the first `vfb` entry that has it ("vnc=1,vnclisten=0.0.0.0" -> vnclisten "0.0.0.0"); '' when absent. */
export function vfbField(vfb: unknown, key: string): string {
  if (!Array.isArray(vfb)) return '';
  for (const entry of vfb) {
    for (const part of String(entry).split(',')) {
      const [k, v] = part.split('=');
      if (k?.trim() === key && v !== undefined) return v.trim();
    }
  }
  return '';
}
