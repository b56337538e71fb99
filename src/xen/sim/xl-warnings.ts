import type { CfgValue } from './cfg';

// What xl 4.17's parse_config_data (tools/xl/xl_parse.c) prints on stderr while it still accepts a config: the
// directives it ignores and the vif items it skips, in the order xl reads them, word for word.

function str(v: CfgValue | undefined): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/**
 * The bytes of a vif mac as xl reads them: each pair with strtoul(…, 16) until one does not parse, the rest left 0.
 * `ok` is false when xl complained ("Invalid parameter `mac'.") and kept the bytes read so far.
 */
export function xlMac(value: string): { mac: string; ok: boolean } {
  const bytes = [0, 0, 0, 0, 0, 0];
  let rest = value;
  for (let i = 0; i < 6; i++) {
    const m = /^[ \t]*[+-]?(0x)?([0-9a-f]+)/i.exec(rest);
    const n = m ? parseInt(m[2] as string, 16) : Number.NaN;
    if (!m || n > 255) return { mac: bytes.map((b) => b.toString(16).padStart(2, '0')).join(':'), ok: false };
    bytes[i] = n;
    rest = rest.slice(m[0].length + 1);
  }
  return { mac: bytes.map((b) => b.toString(16).padStart(2, '0')).join(':'), ok: true };
}

function vifWarnings(vifs: CfgValue | undefined): string[] {
  const out: string[] = [];
  const list = Array.isArray(vifs) ? vifs : typeof vifs === 'string' ? [vifs] : [];
  for (const spec of list) {
    for (const raw of spec.split(',')) {
      const item = raw.replace(/^ +/, '');
      if (item.startsWith('mac=') && !xlMac(item.slice(4)).ok) out.push("Invalid parameter `mac'.");
      else if (item.startsWith('type=') && item !== 'type=vif' && item !== 'type=ioemu') out.push("Invalid parameter `type'.");
    }
  }
  return out;
}

/** The warnings xl prints for `cfg` (a config it goes on to accept), one stderr line each. */
export function xlParseWarnings(cfg: Record<string, CfgValue>, hvm: boolean): string[] {
  const out: string[] = [];
  if (cfg['vncviewer'] !== undefined) {
    out.push('WARNING: ignoring "vncviewer" option. Use "-V" option of "xl create" to automatically spawn vncviewer.');
  }
  if (cfg['cmdline'] !== undefined && (cfg['root'] !== undefined || cfg['extra'] !== undefined)) {
    out.push('Warning: ignoring root= and extra= in favour of cmdline=');
  }
  const kernel = str(cfg['kernel']);
  if (hvm && kernel !== undefined && kernel.slice(kernel.lastIndexOf('/') + 1) === 'hvmloader') {
    out.push('WARNING: you seem to be using "kernel" directive to override HVM guest firmware. Ignore that. Use "firmware_override" instead if you really want a non-default firmware');
  }
  out.push(...vifWarnings(cfg['vif']));
  if (str(cfg['device_model']) !== undefined) {
    out.push('WARNING: ignoring device_model directive.', 'WARNING: Use "device_model_override" instead if you really want a non-default device_model');
  }
  return out;
}
