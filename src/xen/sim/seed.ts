import { macFor } from './cfg';
import { seededRandom } from './load';
import { guideSeeds } from './seed-guides';

/** One domain the demo host starts with: its xl.cfg text and how it should be found. */
export interface SeedDomain {
  name: string;
  cfgText: string;
  state: 'running' | 'paused' | 'stopped';
  autostart: boolean;
  /** Images to create sparse: host path -> bytes. */
  images: [string, number][];
  /** How long it has been up, seconds. */
  uptimeS: number;
}

const GiB = 1024 ** 3;
const KERNEL = '/var/lib/xen/boot/vmlinuz-6.1.0-50-amd64';
const INITRD = '/var/lib/xen/boot/initrd.img-6.1.0-50-amd64';
/** The kernel and initrd the seed PV/PVH domains boot (and the wizard can pick): host path -> bytes. */
export const SEED_BOOT_FILES: readonly [string, number][] = [
  [KERNEL, 7_964_608],
  [INITRD, 33_554_432],
];
const IMG = (n: string, suffix = ''): string => `/var/lib/xen/images/${n}${suffix}.img`;

interface SeedSpec {
  name: string;
  type: 'pv' | 'pvh' | 'hvm';
  memory: number;
  maxmem?: number;
  vcpus: number;
  maxvcpus?: number;
  disks: { vdev: string; size: number; suffix?: string; cdrom?: string }[];
  bridges: string[];
  vnc?: boolean;
  vncpasswd?: string;
  onCrash?: string;
  state: SeedDomain['state'];
  autostart: boolean;
  uptimeS: number;
}

function renderSeed(s: SeedSpec): SeedDomain {
  const lines = [`# ${s.name}: created by the Xenith demo host`, `name = "${s.name}"`, `type = "${s.type}"`];
  if (s.type !== 'hvm') {
    lines.push(`kernel = "${KERNEL}"`, `ramdisk = "${INITRD}"`, `extra = "root=/dev/xvda ro console=hvc0 quiet"`);
  }
  lines.push(`memory = ${s.memory}`);
  if (s.maxmem) lines.push(`maxmem = ${s.maxmem}`);
  lines.push(`vcpus = ${s.vcpus}`);
  if (s.maxvcpus) lines.push(`maxvcpus = ${s.maxvcpus}`);
  const images: [string, number][] = [];
  const disks = s.disks.map((d) => {
    if (d.cdrom !== undefined) {
      if (d.cdrom) images.push([d.cdrom, 700 * 1024 ** 2]);
      return `'format=raw, vdev=${d.vdev}, access=ro, devtype=cdrom, target=${d.cdrom}'`;
    }
    const path = IMG(s.name, d.suffix);
    images.push([path, d.size]);
    return `'format=raw, vdev=${d.vdev}, access=rw, target=${path}'`;
  });
  lines.push(`disk = [ ${disks.join(', ')} ]`);
  lines.push(`vif = [ ${s.bridges.map((b, i) => `'mac=${macFor(`seed/${s.name}/${i}`)},bridge=${b}'`).join(', ')} ]`);
  if (s.type === 'hvm') {
    lines.push(`boot = "c"`, `serial = "pty"`);
    if (s.vnc) lines.push('vnc = 1', 'vnclisten = "127.0.0.1"');
    if (s.vncpasswd) lines.push(`vncpasswd = "${s.vncpasswd}"`);
  }
  lines.push('on_poweroff = "destroy"', 'on_reboot = "restart"', `on_crash = "${s.onCrash ?? 'destroy'}"`);
  return { name: s.name, cfgText: `${lines.join('\n')}\n`, state: s.state, autostart: s.autostart, images, uptimeS: s.uptimeS };
}

const HANDFUL: SeedSpec[] = [
  { name: 'web01', type: 'pv', memory: 1024, maxmem: 2048, vcpus: 2, maxvcpus: 4, disks: [{ vdev: 'xvda', size: 10 * GiB }], bridges: ['xenbr0'], state: 'running', autostart: true, uptimeS: 3 * 86400 + 4000 },
  {
    name: 'db01',
    type: 'pvh',
    memory: 4096,
    vcpus: 4,
    disks: [
      { vdev: 'xvda', size: 20 * GiB },
      { vdev: 'xvdb', size: 100 * GiB, suffix: '-data' },
      { vdev: 'xvdc', size: 10 * GiB, suffix: '-log' },
    ],
    bridges: ['xenbr0', 'xenbr1'],
    onCrash: 'restart',
    state: 'running',
    autostart: true,
    uptimeS: 3 * 86400 + 3900,
  },
  {
    name: 'win-desktop',
    type: 'hvm',
    memory: 2048,
    vcpus: 2,
    disks: [
      { vdev: 'hda', size: 60 * GiB },
      { vdev: 'hdc', size: 0, cdrom: '/var/lib/xen/iso/debian-12.7.0-amd64-netinst.iso' },
    ],
    bridges: ['xenbr0'],
    vnc: true,
    state: 'running',
    autostart: false,
    uptimeS: 5400,
  },
  { name: 'build01', type: 'pv', memory: 2048, vcpus: 4, disks: [{ vdev: 'xvda', size: 40 * GiB }], bridges: ['xenbr0'], state: 'paused', autostart: false, uptimeS: 86400 },
  { name: 'mail01', type: 'pv', memory: 512, maxmem: 1024, vcpus: 1, maxvcpus: 2, disks: [{ vdev: 'xvda', size: 8 * GiB }], bridges: ['xenbr0'], onCrash: 'restart', state: 'running', autostart: true, uptimeS: 3 * 86400 + 3800 },
  { name: 'test-pvh', type: 'pvh', memory: 1024, vcpus: 1, disks: [{ vdev: 'xvda', size: 8 * GiB }], bridges: ['xenbr0'], state: 'stopped', autostart: false, uptimeS: 0 },
  {
    name: 'legacy-hvm',
    type: 'hvm',
    memory: 2048,
    vcpus: 2,
    disks: [{ vdev: 'hda', size: 30 * GiB }],
    bridges: ['xenbr0'],
    vnc: true,
    vncpasswd: 'xenith',
    state: 'stopped',
    autostart: false,
    uptimeS: 0,
  },
];

/**
 * The demo host's starting domains: the handful above and the two old guides' configs, or `count` generated ones for
 * performance work.
 */
export function seedDomains(count?: number): SeedDomain[] {
  if (count === undefined) return [...HANDFUL.map(renderSeed), ...guideSeeds()];
  if (count <= HANDFUL.length) return HANDFUL.slice(0, count).map(renderSeed);
  const rnd = seededRandom('seed-many');
  const out: SeedDomain[] = [];
  const width = String(count).length;
  for (let i = 1; i <= count; i++) {
    const name = `vm-${String(i).padStart(width, '0')}`;
    const r = rnd();
    const type = r < 0.5 ? 'pv' : r < 0.8 ? 'pvh' : 'hvm';
    const memory = [256, 512, 512, 1024, 1024, 2048][Math.floor(rnd() * 6)] ?? 512;
    const vcpus = [1, 1, 2, 2, 4][Math.floor(rnd() * 5)] ?? 1;
    const s = rnd();
    out.push(
      renderSeed({
        name,
        type,
        memory,
        vcpus,
        disks: [{ vdev: type === 'hvm' ? 'hda' : 'xvda', size: 8 * GiB }],
        bridges: ['xenbr0'],
        vnc: type === 'hvm',
        state: s < 0.7 ? 'running' : s < 0.8 ? 'paused' : 'stopped',
        autostart: rnd() < 0.3,
        uptimeS: Math.floor(rnd() * 5 * 86400) + 60,
      }),
    );
  }
  return out;
}
