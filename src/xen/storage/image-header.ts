/** What an image file's first bytes say. */
export interface ImageHeader {
  readonly format: 'raw' | 'qcow2' | 'iso';
  /** The disk size the guest sees: qcow2's header field, else the file's size. */
  readonly virtualBytes: number;
  readonly backing: string | null;
  /** The backing file's format as the header declares it (its "backing file format name" extension), or null. */
  readonly backingFormat?: string | null;
}

const QCOW2_MAGIC = 0x514649fb;
const QED_MAGIC = 0x51454400;
/** How much of the head a probe reads: the qcow2 header and, in practice, its backing file name. */
export const PROBE_HEAD_BYTES = 1024;
/** Where an ISO 9660 volume descriptor says "CD001" (sector 16, byte 1). */
export const ISO_MAGIC_OFFSET = 32769;

/**
 * Reads the format from an image's head (up to PROBE_HEAD_BYTES) and the 5 bytes at ISO_MAGIC_OFFSET: qcow2 (its
 * virtual size and backing file name from the header, qcow2 spec "Header"), ISO 9660, or raw.
 */
export function parseImageHeader(head: Uint8Array, isoMagic: Uint8Array | null, fileSize: number): ImageHeader {
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  // QED ("QED\0") can name a backing file too; Xenith reads no further into it and treats it as reading another file.
  if (head.byteLength >= 4 && v.getUint32(0) === QED_MAGIC) return { format: 'raw', virtualBytes: fileSize, backing: '(a QED image, which may read another file)' };
  if (head.byteLength >= 32 && v.getUint32(0) === QCOW2_MAGIC) {
    const virtualBytes = Number(v.getBigUint64(24));
    // A head shorter than the header hides the fields that name other files (version 3: 104 bytes, earlier: 72).
    if (head.byteLength < (v.getUint32(4) >= 3 ? 104 : 72)) return { format: 'qcow2', virtualBytes, backing: '(a header too short to read whole)' };
    const off = Number(v.getBigUint64(8));
    const len = v.getUint32(16);
    let backing: string | null = null;
    if (off > 0 && len > 0) backing = off + len <= head.byteLength ? plainName(head.subarray(off, off + len)) : '(beyond the probed header)';
    // Version 3 may keep the data in another file (incompatible feature bit 2, "external data file"): reading the image
    // reads that file too, and no backing file makes that acceptable.
    if (v.getUint32(4) >= 3 && head.byteLength >= 80 && (v.getBigUint64(72) & 4n) !== 0n) backing = '(an external data file)';
    return { format: 'qcow2', virtualBytes, backing, ...(backing === null ? {} : { backingFormat: backingFormatOf(v, off) }) };
  }
  const iso = isoMagic !== null && new TextDecoder().decode(isoMagic) === 'CD001';
  return { format: iso ? 'iso' : 'raw', virtualBytes: fileSize, backing: null };
}

const BACKING_FORMAT_EXT = 0xe2792aca;

/**
 * A backing file's name as qemu opens it: its bytes, when every one is printable ASCII. Any other byte (a NUL that
 * would cut qemu's C string short, a byte a decoder would replace) gives a description, which names no base.
 */
function plainName(bytes: Uint8Array): string {
  return bytes.every((b) => b >= 0x20 && b <= 0x7e) ? String.fromCharCode(...bytes) : '(a name with bytes Xenith does not read)';
}

/**
 * The "backing file format name" header extension, walked as qemu walks it (qcow2_read_extensions): from the header's
 * end (72 bytes for version 2, header_length for 3) to where the backing file's name starts. Anything qemu could read
 * differently gives null (no declared format, so no base): an extension running past that end, a format named twice
 * (qemu keeps the last), a name that is not exactly its bytes.
 */
function backingFormatOf(v: DataView, backingOffset: number): string | null {
  const v3 = v.getUint32(4) >= 3;
  const start = v3 ? v.getUint32(100) : 72;
  if ((v3 && start < 104) || backingOffset < start || backingOffset > v.byteLength) return null;
  let found: string | null = null;
  for (let at = start; at < backingOffset; ) {
    if (at + 8 > backingOffset) return null;
    const type = v.getUint32(at);
    const len = v.getUint32(at + 4);
    if (type === 0) break;
    if (len > backingOffset - at - 8) return null;
    if (type === BACKING_FORMAT_EXT) {
      if (found !== null) return null;
      found = plainName(new Uint8Array(v.buffer, v.byteOffset + at + 8, len));
    }
    at += 8 + Math.ceil(len / 8) * 8;
  }
  return found;
}

/**
 * The base a linked image reads, when its header names one the way Xenith makes them: an absolute path and a declared
 * raw or qcow2 format (so nothing probes the base's bytes to guess). Anything else (relative, undeclared, an external
 * data file, a name cut off by the probe) is null: not a base Xenith accepts.
 */
export function declaredBase(h: ImageHeader): { path: string; format: 'raw' | 'qcow2' } | null {
  if (h.format !== 'qcow2' || h.backing === null || !h.backing.startsWith('/')) return null;
  if (h.backingFormat !== 'raw' && h.backingFormat !== 'qcow2') return null;
  // A plain absolute path: no empty, "." or ".." parts and no control characters, so what is checked is what qemu opens.
  if ([...h.backing].some((c) => c < ' ' || c === '\x7f') || h.backing.slice(1).split('/').some((p) => p === '' || p === '.' || p === '..')) return null;
  return { path: h.backing, format: h.backingFormat };
}

/** A name a probe reports: what Xenith would itself create (no control characters, spaces or leading dot/dash). */
export function probeableName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,254}$/.test(name);
}
