import type { SeedDomain } from './seed';

// Two configs as old Xen 3.x guides wrote them, on the demo host so `npm start` shows how Xenith reads what xl
// accepts with warnings. The same texts are test/fixtures/xm-era-*.cfg (a unit test holds them equal).

const GIB = 1024 ** 3;

/** An xm-era PV guest from a Debian/Ubuntu guide: its vif's mac is the guide's placeholder, which xl skips. */
export const GUIDE_PV_CFG = `# An xm-era PV guest as old Debian/Ubuntu guides wrote it (Xen 3.x, xen-tools era), kept as the guide has it:
# xl 4.17 accepts it with "Invalid parameter \`mac'." on stderr, 2 disks and 1 NIC.
#
#  Kernel + memory size
#
kernel      = '/boot/vmlinuz-2.6.32-5-xen-amd64'
ramdisk     = '/boot/initrd.img-2.6.32-5-xen-amd64'

vcpus       = '1'
memory      = 256

#
#  Disk device(s).
#
root        = '/dev/xvda2 ro'
disk        = [
                  'file:/srv/xen/domains/guide-pv/disk.img,xvda1,w',
                  'phy:/dev/vg/guide-pv-root,xvda2,w',
              ]

#
#  Hostname
#
name        = 'guide-pv'

#
#  Networking
#
dhcp        = 'dhcp'
vif         = ['mac=00:16:3e:__random_three_mac_bytes__, bridge=xenbr0']

extra       = 'console=hvc0 xencons=tty'

#
#  Behaviour
#
on_poweroff = 'destroy'
on_reboot   = 'restart'
on_crash    = 'restart'
`;

/** An xm-era Windows HVM guest: xl ignores its kernel (hvmloader), device_model and vncviewer, with warnings. */
export const GUIDE_WIN_CFG = `# An xm-era Windows HVM guest as Xen 3.x guides wrote it. xl 4.17 ignores kernel (hvmloader), device_model and
# vncviewer, and says so on stderr.
kernel = '/usr/lib/xen/boot/hvmloader'
builder = 'hvm'
memory = 1024
name = 'guide-win'
vcpus = 2
vif = [ 'type=ioemu, bridge=xenbr0' ]
disk = [ 'phy:/dev/vg/guide-win,hda,w', 'file:/srv/iso/winxp.iso,hdc:cdrom,r' ]
device_model = '/usr/lib/xen/bin/qemu-dm'
boot = 'dc'
sdl = 0
vnc = 1
vncviewer = 1
stdvga = 0
serial = 'pty'
usbdevice = 'tablet'
acpi = 1
apic = 1
localtime = 1
on_poweroff = 'destroy'
on_reboot = 'restart'
on_crash = 'restart'
`;

/** The guides' domains, stopped, with the image files they name (block devices cannot exist on the demo host). */
export function guideSeeds(): SeedDomain[] {
  return [
    { name: 'guide-pv', cfgText: GUIDE_PV_CFG, state: 'stopped', autostart: false, images: [['/srv/xen/domains/guide-pv/disk.img', 4 * GIB]], uptimeS: 0 },
    { name: 'guide-win', cfgText: GUIDE_WIN_CFG, state: 'stopped', autostart: false, images: [['/srv/iso/winxp.iso', 600 * 1024 ** 2]], uptimeS: 0 },
  ];
}
