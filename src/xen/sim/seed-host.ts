import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { parseCfgText, simConfigFromCfg } from './cfg';
import type { SimHost } from './host';
import { SEED_BOOT_FILES, seedDomains } from './seed';

// The demo host's first start on a state dir: its size, and the seed domains' files and running state.

/** How big the simulated host is: a workstation, or a consolidation host with room for every seeded domain. */
export function hostSizing(count: number | undefined): { totalMiB: number; dom0MiB: number; nrCpus: number } {
  if (count === undefined || count <= 8) return { totalMiB: 16384, dom0MiB: 2048, nrCpus: 8 };
  // Room for every seeded domain (at most 2 GiB each) plus headroom, like a big consolidation host.
  return { totalMiB: 4096 + count * 2048, dom0MiB: 4096, nrCpus: 64 };
}

/** Writes the seed domains' configs, images and autostart links and starts the running ones, once per state dir. */
export function seedHost(host: SimHost, fs: { local: (p: string) => string }, count: number | undefined): void {
  const now = host.now();
  for (const s of seedDomains(count)) {
    const cfgPath = `/etc/xen/${s.name}.cfg`;
    const local = fs.local(cfgPath);
    mkdirSync(path.dirname(local), { recursive: true });
    writeFileSync(local, s.cfgText);
    for (const [img, bytes] of s.images) {
      const li = fs.local(img);
      if (existsSync(li)) continue;
      mkdirSync(path.dirname(li), { recursive: true });
      const fd = openSync(li, 'w');
      ftruncateSync(fd, bytes);
      closeSync(fd);
    }
    if (s.autostart) {
      const link = fs.local(`/etc/xen/auto/${s.name}.cfg`);
      mkdirSync(path.dirname(link), { recursive: true });
      // Relative, like the sandboxed HostFs makes them, so the link cannot reach outside the state dir.
      if (!existsSync(link)) symlinkSync(`../${s.name}.cfg`, link);
    }
    if (s.state === 'stopped') continue;
    const config = simConfigFromCfg(parseCfgText(s.cfgText, cfgPath), `seed:${s.name}`);
    const d = host.createDomain(config, { paused: false, uptimeS: s.uptimeS, consoleFresh: false });
    // A plausible history: CPU time roughly in line with the uptime and the domain's own load.
    d.cpuBase = s.uptimeS * d.load.base * config.vcpus * 0.8;
    d.cpuSince = now;
    if (s.state === 'paused') d.phase = 'paused';
  }
  mkdirSync(fs.local('/etc/xen/auto'), { recursive: true });
  // No /var/lib/xen/save: stock Debian has none, and Xenith makes it on the first save.
  mkdirSync(fs.local('/var/lib/xen/images'), { recursive: true });
  mkdirSync(fs.local('/root'), { recursive: true });
  seedStorage(fs.local);
  host.state.seeded = true;
  host.persist();
}

/**
 * The kernel and initrd the seed domains name, so they exist as on a real dom0 and every wizard path can be finished:
 * sparse files of a real kernel's size with the bzImage header's "HdrS" magic at 0x202. Made on every start, so a
 * demo state from before they existed gains them.
 */
export function seedBootFiles(local: (p: string) => string): void {
  for (const [file, bytes] of SEED_BOOT_FILES) {
    const li = local(file);
    if (existsSync(li)) continue;
    mkdirSync(path.dirname(li), { recursive: true });
    const fd = openSync(li, 'w');
    ftruncateSync(fd, bytes);
    if (file.includes('vmlinuz')) writeSync(fd, Buffer.from('HdrS', 'latin1'), 0, 4, 0x202);
    closeSync(fd);
  }
}

/** ISO images in the demo's ISO pool: sparse files with an ISO 9660 volume descriptor where a real one has it. */
const SEED_ISOS: [string, number][] = [
  ['debian-12.8.0-amd64-netinst.iso', 631 * 1024 * 1024],
  ['alpine-virt-3.20.3-x86_64.iso', 63 * 1024 * 1024],
];

/** The demo's pools: the image directory, an ISO library and the volume group vg0 (sim/storage.ts). */
function seedStorage(local: (p: string) => string): void {
  const pools = {
    version: 1,
    pools: [
      { name: 'default', kind: 'dir', path: '/var/lib/xen/images' },
      { name: 'isos', kind: 'dir', path: '/var/lib/xen/isos', iso: true },
      { name: 'vg0', kind: 'lvm', vg: 'vg0' },
    ],
  };
  const fstab = local('/etc/fstab');
  if (!existsSync(fstab)) {
    writeFileSync(fstab, '# /etc/fstab: static file system information.\nUUID=5b3c1f0e-7d2a-4c1e-9b8f-2f4e6a1d9c70 / ext4 errors=remount-ro 0 1\nUUID=1A2B-3C4D /boot/efi vfat umask=0077 0 1\n');
  }
  const file = local('/etc/xenith/pools.json');
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) writeFileSync(file, `${JSON.stringify(pools, null, 2)}\n`);
  mkdirSync(local('/var/lib/xen/isos'), { recursive: true });
  for (const [name, bytes] of SEED_ISOS) {
    const li = local(`/var/lib/xen/isos/${name}`);
    if (existsSync(li)) continue;
    const fd = openSync(li, 'w');
    ftruncateSync(fd, bytes);
    // Sector 16: volume descriptor type 1, "CD001".
    writeSync(fd, Buffer.from('\x01CD001\x01', 'latin1'), 0, 7, 32768);
    closeSync(fd);
  }
}
