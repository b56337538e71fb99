import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../fixtures/load';
import { formatDiskSpec, isValidVdev, letterIndex, parseDiskSpec, type DiskSpec } from '../../../src/shared/disk-spec';
import { parseXlConfig } from '../../../src/xen/config/xl-config';

const REAL = ['test1.cfg', 'pvh1.cfg', 'hvm1.cfg', 'test2-nodev.cfg'];

function realDiskLines(): string[] {
  return REAL.flatMap((name) => {
    const disk = parseXlConfig(loadFixture(name).text).get('disk');
    return Array.isArray(disk) ? disk.map(String) : [];
  });
}

const volume: DiskSpec = { target: '/dev/vg/guest-volume', format: 'raw', vdev: 'hda', access: 'rw' };
const iso: DiskSpec = { target: '/root/image.iso', format: 'raw', vdev: 'hdc', access: 'ro', devtype: 'cdrom' };
const emptyCd: DiskSpec = { target: '', format: 'empty', vdev: 'hdc', access: 'ro', devtype: 'cdrom' };

// Equivalence classes from xl-disk-configuration(5) and xl's own check-xl-disk-parse.
const EQUIVALENT: [DiskSpec, string[]][] = [
  [volume, ['/dev/vg/guest-volume,,hda', '/dev/vg/guest-volume,raw,hda,rw', 'format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume', 'raw:/dev/vg/guest-volume,hda,w']],
  [
    iso,
    ['/root/image.iso,,hdc,cdrom', '/root/image.iso,,hdc,,cdrom', '/root/image.iso,raw,hdc,devtype=cdrom', 'format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso', 'raw:/root/image.iso,hdc:cdrom,ro'],
  ],
  [emptyCd, ['devtype=cdrom,,,hdc', ',,hdc:cdrom,r', ',hdc:cdrom,r', 'vdev=hdc,access=r,devtype=cdrom,target=', ',empty,hdc:cdrom,r', 'vdev=hdc,access=r,devtype=cdrom,format=empty', 'vdev=hdc,access=r,devtype=cdrom']],
  [{ target: '/dev/vg/guest-volume', format: 'raw', vdev: 'xvdb', access: 'rw', backendtype: 'phy' }, ['backendtype=phy,vdev=xvdb,access=w,target=/dev/vg/guest-volume']],
  [
    { target: 'iqn.2001-05.com.equallogic:0-8a0906-23fe93404-c82797962054a96d-examplehost', format: 'raw', vdev: 'xvda', access: 'rw', script: 'block-iscsi' },
    ['iscsi:iqn.2001-05.com.equallogic:0-8a0906-23fe93404-c82797962054a96d-examplehost,xvda,w', 'vdev=xvda,access=w,script=block-iscsi,target=iqn.2001-05.com.equallogic:0-8a0906-23fe93404-c82797962054a96d-examplehost'],
  ],
  [{ target: 'app01', format: 'raw', vdev: 'hda', access: 'rw', script: 'block-drbd' }, ['drbd:app01,hda,w']],
  [{ target: '/some/disk/image.raw', format: 'raw', vdev: 'hda', access: 'rw', discard: true }, [' discard, vdev=hda, target=/some/disk/image.raw']],
  [{ target: '/some/disk/image.iso', format: 'raw', vdev: 'hda', access: 'ro', devtype: 'cdrom', discard: false }, ['cdrom,no-discard,vdev=hda,target=/some/disk/image.iso']],
  [{ target: '/some/disk/image.raw', format: 'raw', vdev: 'hda', access: 'rw', trusted: false }, ['untrusted,vdev=hda,target=/some/disk/image.raw']],
  [{ target: '/root/d.img', format: 'raw', vdev: 'xvda', access: 'rw' }, ['file:/root/d.img,xvda,w', 'phy:/root/d.img,xvda,w', 'tap:aio:/root/d.img,xvda,w', '/root/d.img,raw,xvda,rw']],
  [{ target: '/img/a.qcow2', format: 'qcow2', vdev: 'xvdb', access: 'ro' }, ['tap:qcow2:/img/a.qcow2,xvdb,r', '/img/a.qcow2,qcow2,xvdb,ro', 'qcow2:/img/a.qcow2,xvdb,ro']],
];

describe('parseDiskSpec', () => {
  for (const [expected, specs] of EQUIVALENT) {
    it.each(specs)('reads %j', (spec) => {
      expect(parseDiskSpec(spec)).toEqual(expected);
    });
  }

  it('reads every disk line of the real configs', () => {
    const lines = realDiskLines();
    expect(lines).toEqual(['file:/root/d.img,xvda,w', 'file:/root/d.img,xvda,w', 'file:/root/d.img,xvda,w']);
    for (const line of lines) {
      expect(parseDiskSpec(line)).toEqual({ target: '/root/d.img', format: 'raw', vdev: 'xvda', access: 'rw' });
    }
  });

  it('lets target= carry commas, colons and spaces', () => {
    expect(parseDiskSpec('vdev=xvda,target=/srv/a,b:c d ').target).toBe('/srv/a,b:c d ');
  });

  it('reads the remaining parameters', () => {
    expect(
      parseDiskSpec('/x,qcow2,xvdc,rw,backend=drv,specification=virtio,grant_usage=1,direct-io-safe,colo,colo-host=h,colo-port=9000,colo-export=e,active-disk=/a,hidden-disk=/h'),
    ).toEqual({
      target: '/x', format: 'qcow2', vdev: 'xvdc', access: 'rw', backend: 'drv', specification: 'virtio', grantUsage: true, directIoSafe: true,
      colo: true, coloHost: 'h', coloPort: 9000, coloExport: 'e', activeDisk: '/a', hiddenDisk: '/h',
    });
  });

  const BAD: [string, RegExp][] = [
    ['foo', /no vdev/],
    ['vdev=xvda', /no target/],
    [',,xvda', /no target/],
    ['/x,raw', /no vdev/],
    ['/x,zip,xvda', /unknown format "zip"/],
    ['/x,raw,xvda,rwx', /unknown access "rwx"/],
    ['/x,raw,xvda,rw,extra', /too many positional/],
    ['vdev=xvda,bogus=1,target=/x', /unknown parameter "bogus"/],
    ['foo:/x,xvda', /unknown prefix "foo:"/],
    ['/x,,xvda,devtype=floppy', /unknown devtype/],
    ['/x,,xvda,backendtype=nvme', /unknown backendtype/],
    ['vdev=xvda,vdev=xvdb,target=/x', /vdev given twice/],
    ['/x,raw,xvda,format=qcow2', /format given twice/],
    ['/x=y,raw,xvda', /bad syntax/],
    [',,hdc:floppy,r', /unknown device type/],
  ];
  it.each(BAD)('refuses %j', (spec, message) => {
    expect(() => parseDiskSpec(spec)).toThrow(message);
  });
});

describe('formatDiskSpec', () => {
  it('writes the canonical positional form', () => {
    expect(formatDiskSpec(volume)).toBe('/dev/vg/guest-volume,raw,hda,rw');
    expect(formatDiskSpec(iso)).toBe('/root/image.iso,raw,hdc,ro,devtype=cdrom');
    expect(formatDiskSpec(emptyCd)).toBe('vdev=hdc,access=ro,devtype=cdrom');
  });

  it('moves awkward targets to a trailing target=', () => {
    expect(formatDiskSpec({ target: '/srv/a,b', format: 'raw', vdev: 'xvda', access: 'rw' })).toBe('format=raw,vdev=xvda,access=rw,target=/srv/a,b');
    expect(formatDiskSpec({ target: 'phy:/dev/x', format: 'raw', vdev: 'xvda', access: 'rw' })).toBe('format=raw,vdev=xvda,access=rw,target=phy:/dev/x');
    expect(formatDiskSpec({ target: 'cdrom', format: 'raw', vdev: 'xvda', access: 'rw' })).toBe('format=raw,vdev=xvda,access=rw,target=cdrom');
  });

  it('round-trips every example and real line: format(parse(x)) parses back to the same disk', () => {
    const all = [...EQUIVALENT.flatMap(([, specs]) => specs), ...realDiskLines(), 'vdev=xvda,target=/srv/a,b:c d '];
    for (const spec of all) {
      const d = parseDiskSpec(spec);
      const text = formatDiskSpec(d);
      expect(parseDiskSpec(text)).toEqual(d);
      expect(formatDiskSpec(parseDiskSpec(text))).toBe(text);
    }
  });

  it('refuses values it cannot write', () => {
    expect(() => formatDiskSpec({ ...volume, target: '/x\nmemory=1' })).toThrow(/newline/);
    expect(() => formatDiskSpec({ ...volume, target: '/x\u0000' })).toThrow(/NUL/);
    expect(() => formatDiskSpec({ ...volume, vdev: 'xvda,target=/etc/shadow' })).toThrow(/may not contain ","/);
    expect(() => formatDiskSpec({ ...volume, vdev: 'xv da' })).toThrow(/not a device name/);
    expect(() => formatDiskSpec({ ...volume, script: 'a,b' })).toThrow(/script may not contain ","/);
    expect(() => formatDiskSpec({ ...volume, format: 'zip' as DiskSpec['format'] })).toThrow(/unknown disk format/);
    expect(() => formatDiskSpec({ ...volume, target: '/srv/a,b,' })).toThrow(/may not end with ","/);
    expect(() => formatDiskSpec({ ...volume, target: '' })).toThrow(/no target/);
  });
});

describe('isValidVdev', () => {
  it.each(['xvda', 'xvdb1', 'xvdz15', 'xvdaa', 'xvdaa200', 'hda', 'hdd63', 'sda', 'sdp15'])('accepts %s', (v) => {
    expect(isValidVdev(v)).toBe(true);
  });
  it.each(['', 'xvd', 'xvda0', 'xvda16', 'hde', 'hda64', 'sdq', 'sda16', 'vda', 'XVDA', 'xvda ', 'd0p1', '51712', 'xvda;rm', '../xvda'])('refuses %j', (v) => {
    expect(isValidVdev(v)).toBe(false);
  });
  it('counts letters base-26 like xen-vbd-interface(7)', () => {
    expect([letterIndex('a'), letterIndex('z'), letterIndex('aa'), letterIndex('ab')]).toEqual([0, 25, 26, 27]);
  });
});
