import { describe, expect, it } from 'vitest';
import { contract } from '../../../src/shared/contract';
import { checkPlan, nextDiskVdev, plannedPhases, presetFitsType, stepOfField, type WizardPlan } from '../../../src/shared/wizard-plan';

/** A good PV direct-kernel plan; each test breaks one field. */
function pvPlan(over: Partial<WizardPlan> = {}): WizardPlan {
  return {
    type: 'pv',
    method: 'kernel',
    preset: 'debian',
    name: 'web1',
    memoryMiB: 512,
    maxMemMiB: 1024,
    vcpus: 1,
    maxVcpus: 2,
    kernel: '/var/lib/xen/boot/vmlinuz',
    ramdisk: '/var/lib/xen/boot/initrd.gz',
    cmdline: 'console=hvc0 root=/dev/xvda',
    disks: [{ mode: 'new', path: '/var/lib/xen/images/web1.img', sizeGiB: 8, format: 'raw', vdev: 'xvda' }],
    nics: [{ bridge: 'xenbr0', mac: '00:16:3e:01:02:03' }],
    vnc: false,
    startNow: true,
    autostart: false,
    openConsole: false,
    customise: false,
    dryRun: true,
    ...over,
  };
}

function hvmPlan(over: Partial<WizardPlan> = {}): WizardPlan {
  const { kernel: _k, ramdisk: _r, cmdline: _c, ...base } = pvPlan();
  return { ...base, type: 'hvm', method: 'iso', iso: '/var/lib/xen/iso/debian.iso', vnc: true, nics: [{ bridge: 'xenbr0', mac: '00:16:3e:01:02:03', model: 'e1000' }], ...over };
}

/** The one problem a plan has for `field`, or undefined. */
function problemFor(plan: unknown, field: string, ctx = {}): string | undefined {
  return checkPlan(plan, ctx).find((p) => p.field === field)?.message;
}

describe('checkPlan', () => {
  it('accepts good PV and HVM plans', () => {
    expect(checkPlan(pvPlan())).toEqual([]);
    expect(checkPlan(hvmPlan())).toEqual([]);
    // 0.3 * 10 is 3.0000000000000004 in floating point: still a multiple of 0.1.
    expect(checkPlan(pvPlan({ disks: [{ mode: 'new', path: '/var/lib/xen/images/a.img', sizeGiB: 0.3, format: 'raw', vdev: 'xvda' }] }))).toEqual([]);
  });

  it.each([
    ['a quote', 'we"b'],
    ['a single quote', "we'b"],
    ['a newline', 'web\nkernel="/x"'],
    ['a path', '../etc/passwd'],
    ['a leading dash', '-web'],
    ['all digits', '42'],
    ['dots only', '..'],
    ['the host domain', 'Domain-0'],
    ['nothing', ''],
    ['65 characters', 'a'.repeat(65)],
  ])('refuses a name with %s, naming the Name field', (_what, name) => {
    expect(problemFor(pvPlan({ name }), 'name')).toMatch(/^Name /);
  });

  it('offers Windows only as an HVM guest', () => {
    expect(problemFor(pvPlan({ preset: 'windows' }), 'preset')).toBe('OS preset Windows runs only as an HVM guest, not PV');
    expect(problemFor(hvmPlan({ preset: 'windows' }), 'preset')).toBeUndefined();
    expect(presetFitsType('windows', 'pvh')).toBe(false);
    expect(presetFitsType('debian', 'pv')).toBe(true);
  });

  it('refuses a name another domain uses', () => {
    expect(problemFor(pvPlan(), 'name', { usedNames: ['web1'] })).toBe('Name "web1" is already used by another domain');
  });

  it.each([
    ['a relative path', 'images/x.img'],
    ['a .. segment', '/var/lib/xen/images/../../../etc/shadow'],
    ['a double quote', '/var/lib/xen/images/a".img'],
    ['a newline', '/var/lib/xen/images/a\n.img'],
    ['a comma (xl disk spec syntax)', '/var/lib/xen/images/a,xvdb,w.img'],
    ['a space', '/var/lib/xen/images/a b.img'],
    ['a shell character', '/var/lib/xen/images/$(reboot).img'],
    ['a NUL', '/var/lib/xen/images/a\0.img'],
  ])('refuses a disk path with %s, naming "Disk 1 path"', (_what, path) => {
    const plan = pvPlan({ disks: [{ mode: 'new', path, sizeGiB: 8, format: 'raw', vdev: 'xvda' }] });
    expect(problemFor(plan, 'disks[0].path')).toMatch(/^Disk 1 path /);
  });

  it.each([
    ['hostile kernel', 'kernel', '/boot/vmlinuz"\nbootloader="/bin/sh'],
    ['relative ramdisk', 'ramdisk', 'initrd.gz'],
    ['ramdisk with ..', 'ramdisk', '/boot/../etc/shadow'],
  ] as const)('refuses a %s, naming the field', (_what, field, value) => {
    const msg = problemFor(pvPlan({ [field]: value }), field);
    expect(msg).toMatch(field === 'kernel' ? /^Kernel / : /^Ramdisk /);
  });

  it('refuses an ISO path with a quote and a missing ISO for an ISO install', () => {
    expect(problemFor(hvmPlan({ iso: "/iso/x'.iso" }), 'iso')).toMatch(/^Install ISO /);
    const { iso: _i, ...noIso } = hvmPlan();
    expect(problemFor(noIso, 'iso')).toBe('Install ISO is required to install from an ISO');
  });

  it.each([
    ['a double quote', 'console=hvc0 "x'],
    ['a backslash', 'console=hvc0 \\'],
    ['a newline (a second xl.cfg line)', 'console=hvc0\nbootloader="/bin/sh"'],
    ['1025 characters', 'a'.repeat(1025)],
  ])('refuses a kernel command line with %s', (_what, cmdline) => {
    expect(problemFor(pvPlan({ cmdline }), 'cmdline')).toMatch(/^Kernel command line /);
  });

  it.each([
    ['0', 0],
    ['negative', -1],
    ['below 0.1 GiB', 0.05],
    ['absurdly large (17 TiB)', 17 * 1024],
    ['absurdly large (1e12)', 1e12],
    ['NaN', Number.NaN],
    ['not a multiple of 0.1', 1.23],
  ])('refuses a disk size that is %s', (_what, sizeGiB) => {
    const plan = pvPlan({ disks: [{ mode: 'new', path: '/var/lib/xen/images/x.img', sizeGiB, format: 'raw', vdev: 'xvda' }] });
    expect(problemFor(plan, 'disks[0].sizeGiB')).toMatch(/^Disk 1 size /);
  });

  it.each([
    ['memory 0', { memoryMiB: 0 }, 'memoryMiB', /^Memory must be at least 32 MiB/],
    ['memory absurd', { memoryMiB: 1e9, maxMemMiB: 1e9 }, 'memoryMiB', /^Memory must be at most/],
    ['memory fractional', { memoryMiB: 512.5 }, 'memoryMiB', /^Memory must be a whole number/],
    ['memory above maximum', { memoryMiB: 2048, maxMemMiB: 1024 }, 'memoryMiB', /^Memory must not be more than the maximum memory \(1024 MiB\)/],
    ['vcpus 0', { vcpus: 0 }, 'vcpus', /^vCPUs must be at least 1/],
    ['vcpus above maximum', { vcpus: 4, maxVcpus: 2 }, 'vcpus', /^vCPUs must not be more than the maximum vCPUs \(2\)/],
    ['maxvcpus absurd', { maxVcpus: 100000 }, 'maxVcpus', /^Maximum vCPUs must be at most 128/],
  ] as const)('refuses %s', (_what, over, field, re) => {
    expect(problemFor(pvPlan(over as Partial<WizardPlan>), field)).toMatch(re);
  });

  it('refuses more vCPUs than the host has', () => {
    expect(problemFor(pvPlan({ vcpus: 8, maxVcpus: 8 }), 'vcpus', { hostCpus: 4 })).toBe("vCPUs must not be more than the host's 4 CPUs");
  });

  it('refuses bad, duplicate and taken MACs, naming the interface', () => {
    const bad = pvPlan({ nics: [{ bridge: 'xenbr0', mac: '00:16:3e:zz:00:01' }] });
    expect(problemFor(bad, 'nics[0].mac')).toMatch(/^Network interface 1 MAC address must be six hex pairs/);
    const multicast = pvPlan({ nics: [{ bridge: 'xenbr0', mac: '01:16:3e:00:00:01' }] });
    expect(problemFor(multicast, 'nics[0].mac')).toMatch(/unicast/);
    const dup = pvPlan({ nics: [{ bridge: 'xenbr0', mac: '00:16:3e:00:00:01' }, { bridge: 'xenbr0', mac: '00:16:3E:00:00:01' }] });
    expect(problemFor(dup, 'nics[1].mac')).toBe('Network interface 2 MAC address 00:16:3e:00:00:01 is already network interface 1');
    const taken = pvPlan({ nics: [{ bridge: 'xenbr0', mac: '00:16:3e:aa:bb:cc' }] });
    expect(problemFor(taken, 'nics[0].mac', { usedMacs: ['00:16:3E:AA:BB:CC'] })).toBe('Network interface 1 MAC address 00:16:3e:aa:bb:cc is already used by another domain');
  });

  it('refuses a hostile bridge name and a NIC model on a PV guest', () => {
    expect(problemFor(pvPlan({ nics: [{ bridge: 'br0;reboot', mac: '00:16:3e:00:00:01' }] }), 'nics[0].bridge')).toMatch(/^Network interface 1 bridge /);
    expect(problemFor(pvPlan({ nics: [{ bridge: 'xenbr0', mac: '00:16:3e:00:00:01', model: 'e1000' }] }), 'nics[0].model')).toBe('Network interface 1 model only applies to HVM guests');
  });

  it('refuses duplicate disk paths and devices, and a disk that is also the ISO', () => {
    const two = pvPlan({
      disks: [
        { mode: 'new', path: '/var/lib/xen/images/a.img', sizeGiB: 1, format: 'raw', vdev: 'xvda' },
        { mode: 'existing', path: '/var/lib/xen/images/a.img', format: 'raw', vdev: 'xvda' },
      ],
    });
    expect(problemFor(two, 'disks[1].vdev')).toBe('Disk 2 device name xvda is already used by disk 1');
    expect(problemFor(two, 'disks[1].path')).toBe('Disk 2 path /var/lib/xen/images/a.img is already disk 1');
    const clash = hvmPlan({ disks: [{ mode: 'new', path: '/var/lib/xen/images/a.img', sizeGiB: 1, format: 'raw', vdev: 'xvdc' }] });
    expect(problemFor(clash, 'disks[0].vdev')).toBe('Disk 1 device name xvdc is already used by the install ISO');
    const isoDisk = hvmPlan({ disks: [{ mode: 'existing', path: '/var/lib/xen/iso/debian.iso', format: 'raw', vdev: 'xvda' }] });
    expect(problemFor(isoDisk, 'disks[0].path')).toMatch(/is also the ISO/);
  });

  it('ties install methods to guest types and their sources', () => {
    expect(problemFor(pvPlan({ method: 'iso' }), 'method')).toMatch(/^Install method "iso" is not available for a PV guest/);
    expect(problemFor(pvPlan({ method: 'pygrub', kernel: undefined, ramdisk: undefined, cmdline: undefined }), 'disks[0].mode')).toBe('Disk 1 kind must be an existing disk image to boot from');
    const { kernel: _k, ...noKernel } = pvPlan();
    expect(problemFor(noKernel, 'kernel')).toBe('Kernel is required for direct kernel boot');
    expect(problemFor(hvmPlan({ method: 'pxe', iso: undefined, nics: [] }), 'nics')).toBe('Network interfaces must include one to boot from the network');
  });

  it('refuses qcow2 when the host has no qemu-img', () => {
    const plan = pvPlan({ disks: [{ mode: 'new', path: '/var/lib/xen/images/a.qcow2', sizeGiB: 1, format: 'qcow2', vdev: 'xvda' }] });
    expect(problemFor(plan, 'disks[0].format', { qemuImg: false })).toBe('Disk 1 format qcow2 needs qemu-img, which the host does not have');
    expect(checkPlan(plan, { qemuImg: true })).toEqual([]);
  });

  it('refuses unknown fields and wrong types, naming them', () => {
    expect(problemFor({ ...pvPlan(), bootloader: '/bin/sh' }, 'bootloader')).toBe('bootloader is not a wizard field');
    expect(problemFor({ ...pvPlan(), vnc: 'yes' }, 'vnc')).toBe('Graphical console (VNC) must be on or off');
    const { name: _n, ...noName } = pvPlan();
    expect(problemFor(noName, 'name')).toBe('Name is required');
    expect(problemFor({ ...pvPlan(), disks: [{ mode: 'new', path: '/x/y.img', sizeGiB: 1, format: 'raw', vdev: 'xvda', script: '/bin/sh' }] }, 'disks[0].script')).toMatch(/not a wizard field/);
  });

  it('still reports cross-field problems when another field has the wrong shape', () => {
    const plan = pvPlan({ memoryMiB: 2048, maxMemMiB: 1024, disks: [{ mode: 'new', path: '/var/lib/xen/images/a.img', sizeGiB: Number.NaN, format: 'raw', vdev: 'xvda' }] });
    const fields = checkPlan(plan).map((p) => p.field);
    expect(fields).toEqual(['disks[0].sizeGiB', 'memoryMiB']);
    // Too wrong to read (disks is not a list): only the shape problems.
    expect(checkPlan({ ...pvPlan(), disks: 'lots' }).map((p) => p.field)).toEqual(['disks']);
  });

  it('is the schema the wizard:create channel checks (hostile values never reach main)', () => {
    const args = contract['wizard:create'].args;
    expect(args.safeParse({ plan: pvPlan(), jobId: 'job12345' }).success).toBe(true);
    expect(args.safeParse({ plan: pvPlan({ cmdline: 'x\ny' }), jobId: 'job12345' }).success).toBe(false);
    expect(args.safeParse({ plan: { ...pvPlan(), extra: 1 }, jobId: 'job12345' }).success).toBe(false);
  });
});

describe('wizard steps and phases', () => {
  it('maps fields to the step that owns them', () => {
    expect(stepOfField('disks[2].path')).toBe('storage');
    expect(stepOfField('nics[0].mac')).toBe('network');
    expect(stepOfField('memoryMiB')).toBe('cpu');
    expect(stepOfField('kernel')).toBe('source');
    expect(stepOfField('name')).toBe('finish');
  });

  it('lists the phases create runs', () => {
    expect(plannedPhases(pvPlan())).toEqual(['validate', 'disks', 'config', 'check', 'start']);
    expect(plannedPhases(pvPlan({ customise: true, autostart: true, dryRun: false, disks: [] }))).toEqual(['validate', 'config', 'autostart']);
  });

  it('picks disk devices that do not collide with the ISO drive in HVM', () => {
    expect(nextDiskVdev([], false)).toBe('xvda');
    expect(nextDiskVdev(['xvda', 'xvdb'], true)).toBe('xvdd');
    expect(nextDiskVdev(['xvda', 'xvdb'], false)).toBe('xvdc');
  });
});
