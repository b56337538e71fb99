import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { XenError } from '../errors';

/** Where the kernel says what uses a block device; tests point these at fixtures. */
export interface BlockDeviceEnv {
  procDir: string;
  sysDir: string;
}

const HOST: BlockDeviceEnv = { procDir: '/proc', sysDir: '/sys' };

const readOr = (p: string, fallback: string): Promise<string> => readFile(p, 'utf8').catch(() => fallback);
const listOr = (p: string): Promise<string[]> => readdir(p).catch(() => []);

/** `major:minor` of every mounted filesystem (field 3 of mountinfo), with its mount point. */
export function mountedDevices(mountinfo: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    if (f.length > 4 && /^\d+:\d+$/.test(f[2] ?? '')) out.set(f[2] as string, f[4] as string);
  }
  return out;
}

/** The device paths in /proc/swaps. */
export function swapDevices(swaps: string): string[] {
  return swaps
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((p) => p.startsWith('/'));
}

/**
 * Why dom0 itself uses the block device `name` (as /sys/class/block calls it) with number `devno`, or null when it
 * does not: mounted, swap, held by device-mapper or md (an LVM physical volume, a RAID member, an open LUKS device),
 * or a whole disk one of whose partitions is in use.
 */
export async function dom0Use(name: string, devno: string, realDev: string, env: BlockDeviceEnv = HOST): Promise<string | null> {
  const mounts = mountedDevices(await readOr(path.join(env.procDir, 'self/mountinfo'), ''));
  const at = mounts.get(devno);
  if (at !== undefined) return `it is mounted on ${at} in dom0`;
  for (const s of swapDevices(await readOr(path.join(env.procDir, 'swaps'), ''))) {
    if (s === realDev || (await realpath(s).catch(() => s)) === realDev) return 'dom0 uses it as swap';
  }
  const dir = path.join(env.sysDir, 'class/block', name);
  const holders = await listOr(path.join(dir, 'holders'));
  if (holders.length > 0) return `it is held by ${holders.join(', ')} in dom0 (LVM, RAID or an open encrypted device)`;
  // A whole disk: each partition (a subdirectory with a `partition` file) counts.
  for (const child of await listOr(dir)) {
    if (!child.startsWith(name)) continue;
    const dev = (await readOr(path.join(dir, child, 'dev'), '')).trim();
    if (dev === '') continue;
    const why = await dom0Use(child, dev, `/dev/${child}`, env);
    if (why !== null) return `its partition ${child}: ${why}`;
  }
  return null;
}

/**
 * Checks that `p` (under /dev) is a block device dom0 does not use itself, following its links (an LVM name such as
 * /dev/vg0/web is a link to /dev/dm-3). Returns the resolved device path.
 */
export async function checkFreeBlockDevice(p: string, field: string, env: BlockDeviceEnv = HOST): Promise<string> {
  const real = await realpath(p).catch(() => {
    throw new XenError('NOT_FOUND', `${field}: ${p} does not exist`, { field, path: p });
  });
  if (!real.startsWith('/dev/')) throw new XenError('PERMISSION', `${field}: ${p} leads out of /dev`, { field, path: p, rule: 'block-device' });
  const st = await stat(real);
  if (!st.isBlockDevice()) throw new XenError('PERMISSION', `${field}: ${p} is not a block device`, { field, path: p, rule: 'block-device' });
  const devno = `${Math.floor(st.rdev / 256) & 0xfff}:${(st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00)}`;
  const why = await dom0Use(path.basename(real), devno, real, env);
  if (why !== null) throw new XenError('PERMISSION', `${field}: ${p} may not be given to a guest: ${why}`, { field, path: p, rule: 'dom0-device' });
  return real;
}
