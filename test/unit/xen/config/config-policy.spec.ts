import { describe, expect, it } from 'vitest';
import { assertPlainStatements, checkConfigForRoot, diskFileUse } from '../../../../src/xen/config/config-policy';
import { XenError } from '../../../../src/xen/errors';

const rules = { bootloaders: ['pygrub', '/usr/lib/xen-4.17/bin/pygrub'] };
const base = 'name = "web"\nmemory = 256\n';

/** The refusal `fn` throws: its field and rule. */
function refusal(fn: () => unknown): { field: unknown; rule: unknown; message: string } {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof XenError)) throw e;
    expect(e.code).toBe('INVALID_ARG');
    return { field: e.detail.field, rule: e.detail['rule'], message: e.message };
  }
  throw new Error('expected a refusal');
}

describe('checkConfigForRoot', () => {
  it('acts on the values xl uses: a second statement on a line and += are seen and checked', () => {
    expect(refusal(() => checkConfigForRoot('name = "web"\nmemory=256; bootloader="/tmp/evil"\n', rules))).toMatchObject({ field: 'bootloader', rule: 'bootloader-allowlist' });
    expect(refusal(() => checkConfigForRoot('name = "web"\nbootloader = "pygrub"\nbootloader += "/tmp/evil"\n', rules))).toMatchObject({ field: 'bootloader' });
    expect(refusal(() => checkConfigForRoot(`${base}disk = [ "/var/lib/xen/images/a.img,raw,xvda,rw" ]\ndisk += [ "1" ]\n`, rules)).field).toBe('disk[1]');
  });

  it('re-renders canonically: one statement per line, += folded in, comments gone', () => {
    const c = checkConfigForRoot('name="web" ; memory=256 # comment\nvif = [ "bridge=xenbr0" ]\nvif += [ "bridge=xenbr1" ]\n', rules);
    expect(c.text).toBe('name = "web"\nmemory = 256\nvif = [ "bridge=xenbr0", "bridge=xenbr1" ]\n');
    expect(checkConfigForRoot(c.text, rules).text).toBe(c.text);
  });

  it('names the field and the rule for each key that makes root read, write or run something', () => {
    const cases: [string, string, string][] = [
      ['device_model_override = "/bin/sh"', 'device_model_override', 'refused-key'],
      ['device_model_args_hvm = [ "-chardev", "file,path=/etc/shadow" ]', 'device_model_args_hvm', 'refused-key'],
      ['stubdomain_kernel = "/tmp/k"', 'stubdomain_kernel', 'refused-key'],
      ['iomem = [ "0,ffffff" ]', 'iomem', 'refused-key'],
      ['ioports = [ "3f8-3ff" ]', 'ioports', 'refused-key'],
      ['usbdev = [ "hostbus=1,hostaddr=2" ]', 'usbdev', 'refused-key'],
      ['pci = [ "0000:00:1f.2,seize=1" ]', 'pci', 'refused-key'],
      ['gfx_passthru = 1', 'gfx_passthru', 'refused-key'],
      ['bootloader = "/tmp/evil"', 'bootloader', 'bootloader-allowlist'],
      ['bootloader_args = [ "--output-directory=/etc/cron.d" ]', 'bootloader_args[0]', 'bootloader-args'],
      ['serial = "file:/etc/shadow"', 'serial', 'serial'],
      ['serial = [ "pty", "tcp:0.0.0.0:4555,server" ]', 'serial[1]', 'serial'],
      ['channel = [ "name=x, connection=socket, path=/etc/cron.d/x" ]', 'channel[0]', 'channel'],
      ['keymap = "../../../etc/shadow"', 'keymap', 'keymap'],
      ['vfb = [ "vnc=1, xauthority=/root/.Xauthority" ]', 'vfb[0]', 'vfb'],
      ['usbdevice = "host:1234:5678"', 'usbdevice', 'usbdevice'],
      ['kernel = "vmlinuz"', 'kernel', 'absolute-path'],
      ['ramdisk = "/boot/../etc/shadow"', 'ramdisk', 'absolute-path'],
      ['disk = [ "format=raw, vdev=xvda, access=rw, target=/dev/../etc/shadow" ]', 'disk[0]', 'absolute-path'],
      ['disk = [ "evil.img,raw,xvda,rw" ]', 'disk[0]', 'absolute-path'],
      ['disk = [ "format=raw, vdev=xvda, script=/tmp/x, target=/dev/vg/x" ]', 'disk[0]', 'script-name'],
      ['disk = [ "not a disk spec at all,,,,," ]', 'disk[0]', 'disk-spec'],
      ["vif = [ 'bridge=xenbr0,script=/tmp/evil.sh' ]", 'vif[0]', 'script-name'],
      ["vif = [ 'bridge=x#', 'script=/tmp/e' ]", 'vif[1]', 'script-name'],
      ['p9 = [ "tag=root, security_model=none, path=relative" ]', 'p9[0]', 'absolute-path'],
    ];
    for (const [line, field, rule] of cases) {
      expect({ line, ...refusal(() => checkConfigForRoot(`${base}${line}\n`, rules)) }).toMatchObject({ line, field, rule });
    }
    expect(refusal(() => checkConfigForRoot('name = ".hidden"\n', rules))).toMatchObject({ field: 'name', rule: 'domain-name' });
    expect(refusal(() => checkConfigForRoot('name = "-x"\n', rules))).toMatchObject({ field: 'name', rule: 'domain-name' });
    expect(refusal(() => checkConfigForRoot('name = "a"\nmemory = 256 $\n', rules))).toMatchObject({ field: 'config', rule: 'syntax' });
  });

  it('lists every host file the config names, with how root opens it', () => {
    const c = checkConfigForRoot(
      `${base}kernel = "/var/lib/xen/boot/vmlinuz"\nramdisk = "/var/lib/xen/boot/initrd.img"\nfirmware = "/usr/lib/grub-xen/grub-x86_64-xen.bin"\n` +
        'disk = [ "/var/lib/xen/images/web.img,raw,xvda,rw", "phy:/dev/vg0/data,xvdb,r", "/srv/iso/d.iso,raw,hdc,ro,devtype=cdrom", ",raw,hdd,ro,devtype=cdrom", "vdev=xvdc, script=block-iscsi, target=iqn.2001-05.com.example:x" ]\n' +
        'serial = "pty"\nbootloader = "pygrub"\nbootloader_args = [ "--entry=1", "-q" ]\nchannel = [ "name=org.qemu.guest_agent.0, connection=pty" ]\n',
      rules,
    );
    expect(c.files).toEqual([
      { field: 'disk[0]', path: '/var/lib/xen/images/web.img', kind: 'disk', access: 'rw', format: 'raw' },
      { field: 'disk[1]', path: '/dev/vg0/data', kind: 'disk', access: 'ro', format: 'raw' },
      { field: 'disk[2]', path: '/srv/iso/d.iso', kind: 'disk', access: 'ro', format: 'raw' },
      { field: 'kernel', path: '/var/lib/xen/boot/vmlinuz', kind: 'boot', access: 'ro' },
      { field: 'ramdisk', path: '/var/lib/xen/boot/initrd.img', kind: 'boot', access: 'ro' },
      { field: 'firmware', path: '/usr/lib/grub-xen/grub-x86_64-xen.bin', kind: 'boot', access: 'ro' },
    ]);
    // A firmware name (not a path) names no file.
    expect(checkConfigForRoot(`${base}type = "pv"\nfirmware = "pvgrub64"\n`, rules).files).toEqual([]);
  });

  it('refuses qcow and QED disks: their headers can name files root\'s qemu would open', () => {
    for (const f of ['qcow', 'qed']) {
      expect(() => checkConfigForRoot(`${base}disk = [ "format=${f},vdev=xvda,access=rw,target=/var/lib/xen/images/a.img" ]\n`, rules)).toThrow(/convert the image to qcow2 or raw/);
    }
  });

  it('gives every refusal in the detail, not just the first', () => {
    try {
      checkConfigForRoot(`${base}bootloader = "/x"\nserial = "file:/y"\niomem = [ "1" ]\n`, rules);
      throw new Error('not refused');
    } catch (e) {
      expect((e as XenError).detail['refusals']).toHaveLength(3);
    }
  });
});

describe('diskFileUse', () => {
  it('reads the target of a deprecated-prefix spec the way xl does', () => {
    expect(diskFileUse('file:/etc/shadow,xvdb,w')).toMatchObject({ path: '/etc/shadow', access: 'rw' });
    expect(diskFileUse('phy:/dev/sda,xvdb,r')).toMatchObject({ path: '/dev/sda', access: 'ro' });
    expect(() => diskFileUse('format=raw, vdev=xvdb, target=relative.img')).toThrow(/must be an absolute path/);
  });
});

describe('assertPlainStatements', () => {
  it('refuses a second statement on a line and +=, naming the line', () => {
    expect(refusal(() => assertPlainStatements('name = "a"\nmemory=256; bootloader="/tmp/evil"\n'))).toMatchObject({ field: 'bootloader', rule: 'one-per-line' });
    expect(refusal(() => assertPlainStatements('name = "a"\ndisk += [ "x" ]\n'))).toMatchObject({ field: 'disk', rule: 'no-append', message: 'disk: line 2 appends with "+=": write the whole value with "="' });
    expect(() => assertPlainStatements('name = "a"; \n# memory = 1; x = 2\nvif = [ "bridge=a;b" ]\n')).not.toThrow();
  });
});
