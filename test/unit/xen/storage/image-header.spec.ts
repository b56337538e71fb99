import { describe, expect, it } from 'vitest';
import { declaredBase, parseImageHeader } from '../../../../src/xen/storage/image-header';

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

/** An overlay's head as qemu-img 7.2 writes it (create -f qcow2 -F FMT -b BASE): extensions from byte 112, name at 528. */
function overlay(base: string, format: string | null): Uint8Array {
  const b = Buffer.alloc(1024);
  b.writeUInt32BE(0x514649fb, 0);
  b.writeUInt32BE(3, 4);
  b.writeBigUInt64BE(0x210n, 8);
  b.writeUInt32BE(base.length, 16);
  b.writeUInt32BE(16, 20);
  b.writeBigUInt64BE(64n << 20n, 24);
  b.writeUInt32BE(112, 100);
  let at = 112;
  if (format !== null) {
    b.writeUInt32BE(0xe2792aca, at);
    b.writeUInt32BE(format.length, at + 4);
    b.write(format, at + 8);
    at += 8 + Math.ceil(format.length / 8) * 8;
  }
  // The feature name table qemu-img writes next (0x180 bytes), then the end of the extensions.
  b.writeUInt32BE(0x6803f857, at);
  b.writeUInt32BE(0x180, at + 4);
  b.write(base, 0x210);
  return new Uint8Array(b);
}

describe('linked images', () => {
  it('reads the declared format of a backing file, and accepts as a base only an absolute plain path with raw or qcow2 declared', () => {
    const h = parseImageHeader(overlay('/srv/xen/base.qcow2', 'qcow2'), null, 1 << 20);
    expect(h).toMatchObject({ format: 'qcow2', virtualBytes: 64 << 20, backing: '/srv/xen/base.qcow2', backingFormat: 'qcow2' });
    expect(declaredBase(h)).toEqual({ path: '/srv/xen/base.qcow2', format: 'qcow2' });
    expect(declaredBase(parseImageHeader(overlay('/srv/xen/base.img', 'raw'), null, 1 << 20))).toEqual({ path: '/srv/xen/base.img', format: 'raw' });
    // Undeclared (qemu would guess from the base's bytes), another format, relative, or not a plain path: no base.
    for (const [base, fmt] of [['/srv/xen/base.qcow2', null], ['/srv/xen/b.vmdk', 'vmdk'], ['base.qcow2', 'qcow2'], ['/srv/xen/../x', 'raw'], ['/srv//x', 'raw'], ['/srv/x\n', 'raw']] as const) {
      expect(declaredBase(parseImageHeader(overlay(base, fmt), null, 1 << 20)), base).toBeNull();
    }
    // An external data file beside a backing file is still another file.
    const data = Buffer.from(overlay('/srv/xen/base.qcow2', 'qcow2'));
    data.writeBigUInt64BE(4n, 72);
    expect(declaredBase(parseImageHeader(data, null, 1 << 20))).toBeNull();
  });

  it('reads the declared format only as qemu does: never a second one, nor one past where the backing name starts', () => {
    const ok = Buffer.from(overlay('/srv/xen/guest.img', 'raw'));
    expect(declaredBase(parseImageHeader(ok, null, 1 << 20))).toEqual({ path: '/srv/xen/guest.img', format: 'raw' });
    // Two format extensions: qemu keeps the last ("qcow2", then it follows what the guest wrote into the base).
    const dup = Buffer.from(ok);
    dup.writeUInt32BE(0xe2792aca, 0x80);
    dup.writeUInt32BE(5, 0x84);
    dup.write('qcow2', 0x88);
    expect(declaredBase(parseImageHeader(dup, null, 1 << 20))).toBeNull();
    // header_length past the backing name: qemu reads no extension there (and guesses the base's format).
    const late = Buffer.alloc(1024);
    ok.copy(late, 0, 0, 0x70);
    late.writeUInt32BE(0x238, 100);
    late.write('/srv/xen/guest.img', 0x210);
    late.writeUInt32BE(0xe2792aca, 0x238);
    late.writeUInt32BE(3, 0x23c);
    late.write('raw', 0x240);
    expect(declaredBase(parseImageHeader(late, null, 1 << 20))).toBeNull();
    // An extension running into the name, a format with a NUL in it, a name with a byte that is not plain ASCII.
    const long = Buffer.from(ok);
    long.writeUInt32BE(0x1000, 116);
    expect(declaredBase(parseImageHeader(long, null, 1 << 20))).toBeNull();
    const nul = Buffer.from(overlay('/srv/xen/guest.img', 'raw\0x'));
    expect(declaredBase(parseImageHeader(nul, null, 1 << 20))).toBeNull();
    const odd = Buffer.from(ok);
    odd[0x210 + 9] = 0xff;
    expect(parseImageHeader(odd, null, 1 << 20).backing).toMatch(/^\(a name with bytes/);
    expect(declaredBase(parseImageHeader(odd, null, 1 << 20))).toBeNull();
  });
});
