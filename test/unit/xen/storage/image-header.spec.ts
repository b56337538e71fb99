import { describe, expect, it } from 'vitest';
import { parseImageHeader } from '../../../../src/xen/storage/image-header';

/** A qcow2 header: version, backing file (offset, name) and incompatible feature bits. */
function qcow2(o: { version: number; backing?: string; incompatible?: bigint }): Uint8Array {
  const b = Buffer.alloc(1024);
  b.writeUInt32BE(0x514649fb, 0);
  b.writeUInt32BE(o.version, 4);
  if (o.backing) {
    b.writeBigUInt64BE(512n, 8);
    b.writeUInt32BE(o.backing.length, 16);
    b.write(o.backing, 512);
  }
  b.writeBigUInt64BE(BigInt(2 * 1024 ** 3), 24);
  if (o.version >= 3) b.writeBigUInt64BE(o.incompatible ?? 0n, 72);
  return new Uint8Array(b);
}

describe('image headers', () => {
  it('names the backing file, and an external data file, of a qcow2 image: both are files reading it reads too', () => {
    expect(parseImageHeader(qcow2({ version: 3 }), null, 4096)).toEqual({ format: 'qcow2', virtualBytes: 2 * 1024 ** 3, backing: null });
    expect(parseImageHeader(qcow2({ version: 2, backing: '/etc/shadow' }), null, 4096).backing).toBe('/etc/shadow');
    expect(parseImageHeader(qcow2({ version: 3, incompatible: 4n }), null, 4096).backing).toBe('(an external data file)');
    // Other incompatible bits (dirty, corrupt) are not another file.
    expect(parseImageHeader(qcow2({ version: 3, incompatible: 3n }), null, 4096).backing).toBeNull();
    expect(parseImageHeader(new Uint8Array(512), null, 4096)).toEqual({ format: 'raw', virtualBytes: 4096, backing: null });
  });
});

describe('heads that could make root read another file', () => {
  it('treats a QED image and a qcow2 head too short to hold its whole header as reading another file', () => {
    const qed = Buffer.alloc(64);
    qed.write('QED\0', 0, 'latin1');
    expect(parseImageHeader(qed, null, 1 << 20).backing).toMatch(/QED/);
    const short = Buffer.alloc(72);
    short.writeUInt32BE(0x514649fb, 0);
    short.writeUInt32BE(3, 4);
    expect(parseImageHeader(short, null, 1 << 20).backing).toMatch(/too short/);
    const whole = Buffer.alloc(512);
    whole.writeUInt32BE(0x514649fb, 0);
    whole.writeUInt32BE(3, 4);
    expect(parseImageHeader(whole, null, 1 << 20)).toMatchObject({ format: 'qcow2', backing: null });
  });
});
