import { describe, expect, it } from 'vitest';
import { domainConfigSchema, validateDomainConfig, type DomainConfig } from '../../../src/shared/domain-config';

function pv(over: Partial<DomainConfig> = {}): DomainConfig {
  return {
    name: 'test1',
    type: 'pv',
    memory: 128,
    maxmem: 256,
    vcpus: 1,
    maxvcpus: 2,
    kernel: '/root/domu/vmlinuz',
    ramdisk: '/root/domu/initrd.gz',
    extra: 'console=hvc0 quiet',
    disks: [{ target: '/root/d.img', format: 'raw', vdev: 'xvda', access: 'rw' }],
    vifs: [{ bridge: 'xenbr0' }],
    on_poweroff: 'destroy',
    on_reboot: 'restart',
    on_crash: 'destroy',
    ...over,
  };
}

function hvm(over: Partial<DomainConfig> = {}): DomainConfig {
  return {
    name: 'hvm1',
    type: 'hvm',
    memory: 1024,
    vcpus: 2,
    boot: 'dc',
    firmware: 'bios',
    disks: [
      { target: '/var/lib/xen/images/hvm1.qcow2', format: 'qcow2', vdev: 'hda', access: 'rw' },
      { target: '/srv/iso/debian.iso', format: 'raw', vdev: 'hdc', access: 'ro', devtype: 'cdrom' },
    ],
    vifs: [{ mac: '00:16:3e:01:02:03', bridge: 'xenbr0', model: 'e1000', type: 'ioemu' }],
    vnc: true,
    vnclisten: '127.0.0.1',
    serial: 'pty',
    usb: true,
    usbdevice: ['tablet'],
    viridian: true,
    ...over,
  };
}

/** The problems for a config, as [field, message] pairs. */
function problems(cfg: unknown, ctx = {}): [string, string][] {
  const r = validateDomainConfig(cfg, ctx);
  return r.ok ? [] : r.errors.map((e) => [e.field, e.message]);
}

/** Asserts exactly one problem, on `field`, whose message matches. */
function expectProblem(cfg: unknown, field: string, message: RegExp, ctx = {}): void {
  const found = problems(cfg, ctx);
  expect(found.map(([f]) => f)).toEqual([field]);
  expect(found[0]?.[1]).toMatch(message);
}

describe('validateDomainConfig accepts good configs', () => {
  it.each([
    ['the real test1 PV guest', pv()],
    ['a PVH guest', pv({ name: 'pvh1', type: 'pvh' })],
    ['an HVM guest with a CD and VNC', hvm()],
    ['an HVM guest with direct kernel boot like hvm1.cfg', hvm({ kernel: '/root/domu/vmlinuz', ramdisk: '/root/domu/initrd.gz', extra: 'console=ttyS0', nographic: true, vnc: false })],
    ['a PV guest booting with a bootloader', pv({ kernel: undefined, ramdisk: undefined, bootloader: 'pygrub', bootloader_args: ['--kernel=/vmlinuz'] })],
    ['a PV guest booting pvgrub', pv({ kernel: undefined, ramdisk: undefined, firmware: 'pvgrub64' })],
    ['no devices at all like test2-nodev', pv({ name: 'test2', disks: [], vifs: [] })],
    ['an empty CD drive', hvm({ disks: [{ target: '', format: 'empty', vdev: 'hdc', access: 'ro', devtype: 'cdrom' }] })],
    ['an iSCSI disk whose target is not a path', pv({ disks: [{ target: 'iqn.2001-05.com.example:disk1', format: 'raw', vdev: 'xvda', access: 'rw', script: 'block-iscsi' }] })],
    ['quotes in the kernel arguments (they are escaped when written)', pv({ extra: `console=hvc0 init="/bin/sh" it's` })],
    ['unknown options kept aside', hvm({ extraOptions: { sdl: 0, device_model_version: 'qemu-xen', pci: ['01:00.0'] } })],
  ])('%s', (_label, cfg) => {
    const r = validateDomainConfig(cfg);
    expect(r).toEqual({ ok: true, value: cfg });
  });

  it('exposes the same rules as a zod schema', () => {
    expect(domainConfigSchema.safeParse(pv()).success).toBe(true);
    expect(domainConfigSchema.safeParse(pv({ memory: -1 })).success).toBe(false);
  });
});

describe('validateDomainConfig: name', () => {
  it.each([
    ['', /Name is empty/],
    ['a'.repeat(65), /Name is longer than 64 characters/],
    ['-lead', /Name may only use letters, digits/],
    ['has space', /Name may only use/],
    ['semi;colon', /Name may only use/],
    ['quote"name', /Name may only use/],
    ["it's", /Name may only use/],
    ['$(reboot)', /Name may only use/],
    ['../../etc/passwd', /Name may only use/],
    ['new\nline', /Name may not contain a newline/],
    ['12345', /Name may not be all digits/],
    ['Domain-0', /Name may not be "Domain-0"/],
    ['..', /Name may only use letters, digits, "_", "\." and "-", and may not start with "-" or "\."/],
    ['.hidden', /may not start with "-" or "\."/],
  ])('refuses %j', (name, message) => {
    expectProblem(pv({ name }), 'name', message);
  });

  it('accepts names Xen accepts', () => {
    for (const name of ['a', 'web-01', 'db_2.prod', '1st', 'a'.repeat(64), 'domain-0']) expect(problems(pv({ name }))).toEqual([]);
  });

  it('refuses a name another domain has', () => {
    expectProblem(pv(), 'name', /Name "test1" is already used by another domain/, { existingNames: ['Domain-0', 'test1'] });
    expect(problems(pv(), { existingNames: ['other'] })).toEqual([]);
  });
});

describe('validateDomainConfig: memory and vCPUs', () => {
  it.each<[Partial<DomainConfig>, string, RegExp]>([
    [{ memory: 0 }, 'memory', /^Memory must be more than 0 MiB$/],
    [{ memory: -128 }, 'memory', /Memory must be more than 0 MiB/],
    [{ memory: 1.5 }, 'memory', /Memory must be a whole number/],
    [{ memory: Number.NaN }, 'memory', /Memory must be a number/],
    [{ memory: Infinity }, 'memory', /Memory must be/],
    [{ memory: 1e12, maxmem: undefined }, 'memory', /Memory must be at most 16777216 MiB/],
    [{ memory: '128' as unknown as number }, 'memory', /Memory must be a number/],
    [{ memory: 512, maxmem: 256 }, 'memory', /Memory must not be more than the maximum memory \(256 MiB\)/],
    [{ maxmem: 0 }, 'maxmem', /Maximum memory must be more than 0 MiB/],
    [{ vcpus: 0 }, 'vcpus', /vCPUs must be at least 1/],
    [{ vcpus: 3, maxvcpus: 2 }, 'vcpus', /vCPUs must not be more than the maximum vCPUs \(2\)/],
    [{ vcpus: 129, maxvcpus: undefined }, 'vcpus', /vCPUs must be at most 128/],
    [{ maxvcpus: 4096 }, 'maxvcpus', /Maximum vCPUs must be at most 128/],
  ])('%j', (over, field, message) => {
    expectProblem(pv(over), field, message);
  });

  it('refuses more vCPUs than the host has when told the host size', () => {
    expectProblem(pv({ vcpus: 2 }), 'vcpus', /vCPUs must not be more than the host's 1 CPUs/, { maxHostCpus: 1 });
    expect(problems(pv({ vcpus: 2 }), { maxHostCpus: 2 })).toEqual([]);
  });

  it('reports a missing required field by name', () => {
    const { memory: _memory, ...rest } = pv();
    expectProblem(rest, 'memory', /^Memory is required$/);
  });
});

describe('validateDomainConfig: paths and free text', () => {
  it.each<[Partial<DomainConfig>, string, RegExp]>([
    [{ kernel: 'vmlinuz' }, 'kernel', /Kernel must be an absolute path/],
    [{ kernel: '/boot/../etc/shadow' }, 'kernel', /Kernel may not contain "\." or "\.\." segments/],
    [{ kernel: '/boot/vmlinuz\n' }, 'kernel', /Kernel contains a newline/],
    [{ kernel: '/boot/vm"linuz' }, 'kernel', /Kernel may only contain/],
    [{ kernel: '/boot/$(reboot)' }, 'kernel', /Kernel may only contain/],
    [{ kernel: '/boot/a b' }, 'kernel', /Kernel may only contain/],
    [{ ramdisk: '/x/../../initrd' }, 'ramdisk', /Ramdisk may not contain/],
    [{ ramdisk: '/x/ini\u0000trd' }, 'ramdisk', /Ramdisk contains a NUL byte/],
    [{ extra: 'console=hvc0\nmemory = 99999' }, 'extra', /Extra kernel arguments may not contain a newline/],
    [{ extra: 'a\rb' }, 'extra', /may not contain a newline, NUL or other control character/],
    [{ extra: 'x'.repeat(1025) }, 'extra', /longer than 1024/],
    [{ cmdline: 'root=/dev/xvda1' }, 'extra', /Extra kernel arguments is ignored by xl when a kernel command line/],
    [{ cpus: '0-3; rm -rf /' }, 'cpus', /CPU affinity must be a CPU list/],
    [{ uuid: 'not-a-uuid' }, 'uuid', /UUID must look like/],
    [{ on_crash: 'explode' as 'destroy' }, 'on_crash', /Action on crash must be one of destroy, restart/],
    [{ bootloader: '/usr/bin/pygrub; id' }, 'bootloader', /Bootloader must be a script name or an absolute path/],
    [{ vfb: ['vnc=1,vnclisten="0.0.0.0"'] }, 'vfb[0]', /Framebuffers item 1 may not contain quotes/],
  ])('%j', (over, field, message) => {
    expectProblem(pv(over), field, message);
  });

  it('refuses unknown fields and bad extra options', () => {
    expectProblem({ ...pv(), memroy: 128 }, 'memroy', /Option "memroy" is not a known option/);
    expectProblem(pv({ extraOptions: { Bad: 1 } }), 'extraOptions.Bad', /Option "Bad" is not an xl option name/);
    expectProblem(pv({ extraOptions: { memory: 99 } }), 'extraOptions.memory', /must be set through its own field/);
    expectProblem(pv({ extraOptions: { sdl: 'a\nb' } }), 'extraOptions.sdl', /Option "sdl" may not contain a newline/);
    expectProblem(pv({ extraOptions: { x: -1 } }), 'extraOptions.x', /Option "x" (may not be negative|must be)/);
    expectProblem(pv({ extraOptions: { x: { a: 1 } as unknown as number } }), 'extraOptions.x', /must be text, a whole number or a list/);
  });
});

describe('validateDomainConfig: type-specific rules', () => {
  it('needs a kernel for PV and PVH without a bootloader', () => {
    expectProblem(pv({ kernel: undefined, ramdisk: undefined }), 'kernel', /Kernel is required for a PV guest without a bootloader/);
    expectProblem(pv({ type: 'pvh', kernel: undefined, ramdisk: undefined }), 'kernel', /PVH guest/);
    expectProblem(pv({ kernel: undefined, bootloader: 'pygrub' }), 'ramdisk', /Ramdisk needs a kernel/);
    expect(problems(hvm())).toEqual([]);
  });

  it('keeps HVM-only options to HVM guests', () => {
    expectProblem(pv({ boot: 'c' }), 'boot', /Boot order only applies to HVM guests/);
    expectProblem(pv({ vnc: true }), 'vnc', /VNC only applies to HVM guests \(PV and PVH guests use vfb\)/);
    expectProblem(pv({ type: 'pvh', viridian: true }), 'viridian', /only applies to HVM/);
    expectProblem(pv({ vifs: [{ bridge: 'xenbr0', model: 'e1000' }] }), 'vifs[0].model', /Network interface 1 model only applies to HVM guests/);
  });

  it('checks firmware per type', () => {
    expectProblem(hvm({ firmware: 'coreboot' }), 'firmware', /Firmware must be bios, uefi, seabios, rombios, ovmf or an absolute path/);
    expect(problems(hvm({ firmware: '/usr/lib/xen/boot/OVMF.fd' }))).toEqual([]);
    expectProblem(pv({ firmware: 'uefi' }), 'firmware', /Firmware must be pvgrub32 or pvgrub64 for a PV guest/);
    expectProblem(pv({ type: 'pvh', firmware: 'pvgrub64' }), 'firmware', /not available for PVH/);
    expectProblem(hvm({ boot: 'z' }), 'boot', /Boot order must be letters from c/);
  });
});

describe('validateDomainConfig: disks', () => {
  const disk = (over: Partial<DomainConfig['disks'][number]>): DomainConfig =>
    pv({ disks: [{ target: '/root/d.img', format: 'raw', vdev: 'xvda', access: 'rw' }, { target: '/srv/b.img', format: 'raw', vdev: 'xvdb', access: 'rw', ...over }] });

  it.each<[Partial<DomainConfig['disks'][number]>, string, RegExp]>([
    [{ target: 'relative.img' }, 'disks[1].target', /^Disk 2 path must be an absolute path/],
    [{ target: '/srv/../etc/shadow' }, 'disks[1].target', /Disk 2 path may not contain "\." or "\.\."/],
    [{ target: '/srv/b.img,xvdc,w' }, 'disks[1].target', /Disk 2 path may only contain/],
    [{ target: "/srv/b'.img" }, 'disks[1].target', /Disk 2 path may only contain/],
    [{ target: '/srv/b.img\n' }, 'disks[1].target', /Disk 2 path (contains a newline|may not contain)/],
    [{ target: '' }, 'disks[1].target', /Disk 2 path is empty/],
    [{ vdev: 'xvda' }, 'disks[1].vdev', /Disk 2 device name xvda is already used by disk 1/],
    [{ vdev: 'vda' }, 'disks[1].vdev', /Disk 2 device name must be a device name like xvda/],
    [{ vdev: 'xvdb,target=/etc/shadow' }, 'disks[1].vdev', /Disk 2 device name must be/],
    [{ format: 'zip' as 'raw' }, 'disks[1].format', /Disk 2 format must be raw, qcow/],
    [{ format: 'empty' }, 'disks[1].format', /Disk 2 format can only be empty for a CD drive/],
    [{ access: 'w' as 'rw' }, 'disks[1].access', /Disk 2 access must be rw or ro/],
    [{ script: 'block-$(id)' }, 'disks[1].script', /Disk 2 script must be a script name or an absolute path/],
    [{ backend: '-evil' }, 'disks[1].backend', /Disk 2 backend may only use/],
  ])('%j', (over, field, message) => {
    expectProblem(disk(over), field, message);
  });

  it('treats xvdX and hdX as one disk in an HVM guest but not in a PV one', () => {
    const disks = [
      { target: '/a.img', format: 'raw' as const, vdev: 'xvda', access: 'rw' as const },
      { target: '/b.img', format: 'raw' as const, vdev: 'hda', access: 'rw' as const },
      { target: '/c.img', format: 'raw' as const, vdev: 'sda', access: 'rw' as const },
    ];
    expectProblem(hvm({ disks }), 'disks[1].vdev', /Disk 2 device name hda is the same emulated disk as xvda \(disk 1\) in an HVM guest/);
    expect(problems(pv({ disks }))).toEqual([]);
  });

  it('refuses unknown disk fields and too many disks', () => {
    expectProblem(disk({ evil: 1 } as never), 'disks[1].evil', /Disk 2 evil is not a known option/);
    const many = Array.from({ length: 65 }, (_, i) => ({ target: `/d/${i}.img`, format: 'raw' as const, vdev: `xvd${String.fromCharCode(97 + (i % 26))}${i >= 26 ? String(Math.floor(i / 26)) : ''}`, access: 'rw' as const }));
    expect(problems(pv({ disks: many })).map(([f]) => f)).toContain('disks');
  });
});

describe('validateDomainConfig: network interfaces', () => {
  const nic = (...vifs: DomainConfig['vifs']): DomainConfig => hvm({ vifs });

  it.each<[DomainConfig['vifs'], string, RegExp]>([
    [[{ mac: '00:16:3e:zz:00:01' }], 'vifs[0].mac', /Network interface 1 MAC address must be six hex pairs/],
    [[{ mac: '00:16:3e:00:00:01\n' }], 'vifs[0].mac', /must be six hex pairs/],
    [[{ mac: '01:00:5e:00:00:01' }], 'vifs[0].mac', /must be a unicast address/],
    [[{ mac: '00:00:00:00:00:00' }], 'vifs[0].mac', /must be a unicast address/],
    [[{ mac: '00:16:3e:00:00:01' }, { mac: '00:16:3E:00:00:01' }], 'vifs[1].mac', /Network interface 2 MAC address 00:16:3e:00:00:01 is already used by network interface 1/],
    [[{ bridge: 'xenbr0,script=/tmp/x' }], 'vifs[0].bridge', /Network interface 1 bridge must be 1-15 letters/],
    [[{ bridge: 'averyveryverylongbridge' }], 'vifs[0].bridge', /must be 1-15/],
    [[{ model: 'e1000"' }], 'vifs[0].model', /model must be a device model name/],
    [[{ type: 'tap' as 'vif' }], 'vifs[0].type', /type must be ioemu or vif/],
    [[{ rate: 'fast' }], 'vifs[0].rate', /rate must look like 10Mb\/s/],
    [[{ ip: '10.0.0.1; id' }], 'vifs[0].ip', /IP address must be IP addresses/],
    [[{ script: '../vif-bridge' }], 'vifs[0].script', /script must be a script name or an absolute path/],
  ])('%j', (vifs, field, message) => {
    expectProblem(nic(...vifs), field, message);
  });

  it('refuses a MAC another domain uses, whatever its spelling', () => {
    expectProblem(nic({ mac: '00:16:3e:aa:bb:cc' }), 'vifs[0].mac', /MAC address 00:16:3e:aa:bb:cc is already used by another domain/, {
      existingMacs: ['00-16-3E-AA-BB-CC'],
    });
  });

  it('accepts the usual vif settings', () => {
    expect(problems(nic({ mac: '00:16:3e:aa:bb:cc', bridge: 'xenbr0', model: 'virtio-net', rate: '1MB/s@20ms', ip: '10.0.0.2 10.0.0.3', vifname: 'hvm1-eth0' }))).toEqual([]);
  });
});

describe('validateDomainConfig reports every problem at once', () => {
  it('lists each bad field', () => {
    const fields = problems({ name: '', type: 'xen', memory: 0, vcpus: 0, disks: [], vifs: [] }).map(([f]) => f);
    expect(fields).toEqual(['name', 'type', 'memory', 'vcpus']);
  });

  it('refuses things that are not configs', () => {
    expect(problems(null)).toEqual([['', "The config must be an object with the domain's options"]]);
    expect(problems('name = "x"').length).toBe(1);
  });
});
