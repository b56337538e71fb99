import { parseError, parseIntField, quoteLine, tokenize, rowsUnderHeader } from './lines';

/** One virtual block device from `xl block-list DOM`. */
export interface XlBlockRow {
  /** Xen's vdev number, e.g. 51712 for xvda. */
  vdev: number;
  /** The device name the number stands for ("xvda"), or null when it is not a scheme we decode. */
  vdevName: string | null;
  backendDomid: number;
  handle: number;
  /** Xenbus state number: 4 is Connected (see xenbusStateName). */
  state: number;
  evtch: number;
  ringRef: number;
  backendPath: string;
}

const WHAT = 'xl block-list';
const HEADER = ['Vdev', 'BE', 'handle', 'state', 'evt-ch', 'ring-ref', 'BE-path'] as const;

/** Parses `xl block-list DOM...`; a header alone (no disks, as for dom0) gives []. */
export function parseXlBlockList(text: string): XlBlockRow[] {
  return rowsUnderHeader(WHAT, text, HEADER).map(({ n, text: line }) => {
    const t = tokenize(line).map((x) => x.text);
    if (t.length !== 7) throw parseError(WHAT, n, `expected 7 columns, got ${quoteLine(line)}`);
    const [vdev = '', be = '', handle = '', state = '', evtch = '', ring = '', path = ''] = t;
    const v = parseIntField(WHAT, n, 'Vdev', vdev);
    // libxl's backend path always ends in the vdev; checking it also catches output cut inside the last column.
    if (!path.startsWith('/') || !path.endsWith(`/${v}`)) {
      throw parseError(WHAT, n, `BE-path does not end with the vdev ${v}: ${quoteLine(path)}`);
    }
    return {
      vdev: v,
      vdevName: vdevName(v),
      backendDomid: parseIntField(WHAT, n, 'BE', be),
      handle: parseIntField(WHAT, n, 'handle', handle),
      state: parseIntField(WHAT, n, 'state', state),
      evtch: parseIntField(WHAT, n, 'evt-ch', evtch),
      ringRef: parseIntField(WHAT, n, 'ring-ref', ring),
      backendPath: path,
    };
  });
}

/** Disk letters as Linux writes them: 0 -> a, 25 -> z, 26 -> aa. */
function diskLetters(disk: number): string {
  let s = '';
  let d = disk + 1;
  while (d > 0) {
    d -= 1;
    s = String.fromCharCode(97 + (d % 26)) + s;
    d = Math.floor(d / 26);
  }
  return s;
}

/**
 * Decodes a vdev number (docs/misc/vbd-interface): xvd (major 202, 16 disks of 15 partitions), the extended form
 * (bit 28 set: disk << 8 | partition), sd (major 8) and hd (majors 3 and 22). Null for anything else.
 */
export function vdevName(vdev: number): string | null {
  if (!Number.isInteger(vdev) || vdev < 0 || vdev > 0x3fffffff) return null;
  const part = (p: number): string => (p === 0 ? '' : String(p));
  if (vdev & (1 << 28)) return `xvd${diskLetters((vdev >> 8) & 0xfffff)}${part(vdev & 0xff)}`;
  const major = vdev >> 8;
  const minor = vdev & 0xff;
  if (major === 202) return `xvd${diskLetters(minor >> 4)}${part(minor & 0xf)}`;
  if (major === 8) return `sd${diskLetters(minor >> 4)}${part(minor & 0xf)}`;
  if (major === 3) return `hd${diskLetters(minor >> 6)}${part(minor & 0x3f)}`;
  if (major === 22) return `hd${diskLetters(2 + (minor >> 6))}${part(minor & 0x3f)}`;
  return null;
}
