import { absPathProblem } from '../../shared/rules';
import { vgNameProblem, volumeNameProblem } from '../../shared/storage';
import { XenError } from '../errors';
import type { XenProgram } from '../runner/types';
import type { BrokerGuards } from './allowlist';
import { constants, lstat, open, readFile, realpath } from 'node:fs/promises';
import { checkFreeBlockDevice } from './block-devices';
import { parseImageHeader, PROBE_HEAD_BYTES } from '../storage/image-header';
import { assertPooledQcow2 } from './linked-images';

// The broker's checks of the storage commands (LVM, df, lsblk, NFS mounts), after the table built their argv.

/** Refuses a request the broker's checks do not allow (INVALID_ARG, the field `args` unless `detail` names one). */
export const refuse = (msg: string, detail: Record<string, unknown> = {}): never => {
  throw new XenError('INVALID_ARG', msg, { field: 'args', ...detail });
};

/** The fixed argv of the read-only storage reports, exactly as the command table builds them. */
const FIXED_READS: Partial<Record<XenProgram, readonly string[]>> = {
  lsblk: ['-J', '-b', '-o', 'PATH,SIZE,TYPE,MODEL,MOUNTPOINT,FSTYPE,PKNAME'],
  vgs: ['--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_size,vg_free'],
  lvs: ['--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'lv_name,vg_name,lv_size,lv_attr,pool_lv,data_percent'],
};

const sameArgv = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Refuses a volume group that is not a pool: outside the policy, like a path outside its directories. */
function notAPool(vg: string, g: BrokerGuards): void {
  if (!g.policy.vgs.includes(vg)) throw new XenError('PERMISSION', `Volume group ${vg} is not a storage pool`, { field: 'vg', rule: 'pool-vg' });
}

/** VG/LV naming a logical volume in a volume group that is a pool. */
function checkLvRef(ref: string | undefined, g: BrokerGuards): void {
  const [vg, lv, extra] = (ref ?? '').split('/');
  if (extra !== undefined || vg === undefined || lv === undefined || vgNameProblem(vg) !== null || volumeNameProblem(lv) !== null) {
    refuse(`${JSON.stringify(ref)} is not VG/LV`, { rule: 'lv-name' });
  }
  notAPool(vg!, g);
}

/**
 * Storage commands: df of absolute paths; lsblk, vgs and lvs with their fixed report options; lvcreate, lvextend and
 * lvremove only inside a volume group that is a pool (and never with -f: LVM refuses to remove an open volume);
 * vgcreate only on a whole block device dom0 does not use, under a name that is not yet a volume group.
 */
export async function checkStorage(p: XenProgram, args: readonly string[], g: BrokerGuards): Promise<readonly string[]> {
  const fixed = FIXED_READS[p];
  if (fixed !== undefined) {
    if (!sameArgv(args, fixed)) refuse(`${p} takes only Xenith's report options`);
    return args;
  }
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  const rest = end === -1 ? [] : args.slice(end + 1);
  switch (p) {
    case 'df':
      if (!sameArgv(flags, ['-B1', '--output=target,size,used,avail']) || rest.length === 0) refuse('df takes only Xenith\'s options and paths');
      for (const x of rest) if (absPathProblem(x) !== null) refuse(`df path ${JSON.stringify(x)} is not an absolute path`);
      return args;
    case 'lvcreate':
      return args.includes('-s') ? checkLvSnapshot(args, g) : checkLvcreate(args, g);
    case 'lvconvert':
      // Merging a snapshot back into its origin: the snapshot must be a volume of a pool (LVM refuses a non-snapshot).
      if (!sameArgv(flags, ['-q', '-i', '1', '--merge']) || rest.length !== 1) refuse('lvconvert takes only -q -i 1 --merge and one VG/LV');
      checkLvRef(rest[0], g);
      return args;
    case 'lvremove':
      if (!sameArgv(flags, ['-q', '-y']) || rest.length !== 1) refuse('lvremove takes -q -y and one VG/LV');
      checkLvRef(rest[0], g);
      return args;
    case 'lvreduce':
      if (!sameArgv(flags.slice(0, 3), ['-q', '-y', '-L']) || flags.length !== 4 || !/^\d{1,16}b$/.test(flags[3] ?? '') || rest.length !== 1) refuse('lvreduce takes -q -y -L SIZEb and one VG/LV');
      checkLvRef(rest[0], g);
      return args;
    case 'lvextend':
      if (flags.length !== 3 || flags[0] !== '-q' || flags[1] !== '-L' || !/^\d{1,16}b$/.test(flags[2] ?? '') || rest.length !== 1) refuse('lvextend takes -q -L SIZEb and one VG/LV');
      checkLvRef(rest[0], g);
      return args;
    case 'vgcreate': {
      if (!sameArgv(flags, ['-q']) || rest.length !== 2 || vgNameProblem(rest[0] ?? '') !== null) refuse('vgcreate takes -q, a name and one device');
      const device = await checkFreeBlockDevice(rest[1]!, 'device', g.blockEnv);
      await assertExclusive(device);
      return [...flags, '--', rest[0]!, device];
    }
    default:
      return refuse(`${p} is not allowed`);
  }
}

/** lvcreate -q -y -W y -Z y -n NAME -L SIZEb -- VG, or thin: -q -y -n NAME -V SIZEb -T VG/POOL. */
function checkLvcreate(args: readonly string[], g: BrokerGuards): readonly string[] {
  const name = args[args.indexOf('-n') + 1];
  const plain = sameArgv(args.slice(0, 6), ['-q', '-y', '-W', 'y', '-Z', 'y']) && args[6] === '-n' && args[8] === '-L' && args[10] === '--' && args.length === 12;
  const thin = sameArgv(args.slice(0, 2), ['-q', '-y']) && args[2] === '-n' && args[4] === '-V' && args[6] === '-T' && args.length === 8;
  if (!plain && !thin) refuse('lvcreate takes only Xenith\'s options');
  if (name === undefined || volumeNameProblem(name) !== null) refuse(`${JSON.stringify(name)} is not a volume name`, { rule: 'lv-name' });
  if (!/^\d{1,16}b$/.test((plain ? args[9] : args[5]) ?? '')) refuse('lvcreate size must be bytes');
  if (plain) {
    notAPool(args[11]!, g);
  } else {
    checkLvRef(args[7], g);
  }
  return args;
}

/** lvcreate -q -y -s -n NAME [-L SIZEb | -kn] -- VG/ORIGIN: a snapshot of a volume of a pool, in the same group. */
function checkLvSnapshot(args: readonly string[], g: BrokerGuards): readonly string[] {
  const thick = args.length === 9 && args[5] === '-L' && /^\d{1,16}b$/.test(args[6] ?? '');
  const thin = args.length === 8 && args[5] === '-kn';
  const shape = sameArgv(args.slice(0, 4), ['-q', '-y', '-s', '-n']) && (thick || thin) && args[args.length - 2] === '--';
  if (!shape) refuse('lvcreate -s takes only -q -y -s -n NAME [-L SIZEb | -kn] -- VG/ORIGIN');
  if (volumeNameProblem(args[4] ?? '') !== null) refuse(`${JSON.stringify(args[4])} is not a volume name`, { rule: 'lv-name' });
  checkLvRef(args[args.length - 1], g);
  return args;
}

/**
 * qemu-img snapshot -q -c|-a|-d TAG --image-opts -- driver=qcow2,file.driver=file,file.filename=PATH: a Xenith tag,
 * on a plain file of an image directory whose header (read here, just before) is qcow2 with no backing or external
 * data file, which qemu-img would otherwise open as root.
 */
export async function checkQemuSnapshot(args: readonly string[], g: BrokerGuards): Promise<readonly string[]> {
  const prefix = 'driver=qcow2,file.driver=file,file.filename=';
  const opts = args[6] ?? '';
  const shape = args.length === 7 && args[1] === '-q' && ['-c', '-a', '-d'].includes(args[2] ?? '') && /^xenith-[0-9a-f]{8}$/.test(args[3] ?? '') && args[4] === '--image-opts' && args[5] === '--' && opts.startsWith(prefix);
  if (!shape) refuse('qemu-img snapshot takes only -q, -c/-a/-d with a Xenith tag, and one qcow2 file');
  const raw = opts.slice(prefix.length);
  // QemuOpts doubles a comma inside a value; a single one would start another option.
  if (/(^|[^,])(,,)*,([^,]|$)/.test(raw)) refuse('qemu-img snapshot: the file name carries an option');
  const checked = await g.images.check(raw.replace(/,,/g, ','), 'nofollow');
  await assertPlainFile(checked);
  await assertPooledQcow2(checked, g);
  return [...args.slice(0, 6), `${prefix}${checked.replace(/,/g, ',,')}`];
}

/** A qcow2 image (by its header, read now) that names no backing or external data file. */
export async function assertSelfContainedQcow2(p: string): Promise<void> {
  // /dev/VG/LV is a link to its device-mapper node (assertLogicalVolume checked it): read the node.
  const head = await readHead(p.startsWith('/dev/') ? await realpath(p) : p);
  const h = parseImageHeader(head, null, head.byteLength);
  if (h.format !== 'qcow2') refuse(`${p} is not a qcow2 image`, { field: 'path', rule: 'qcow2' });
  if (h.backing !== null) refuse(`${p} names a backing or data file (${h.backing}); root does not open it`, { field: 'path', rule: 'backing' });
}

export async function readHead(p: string): Promise<Uint8Array> {
  const fh = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buf = new Uint8Array(PROBE_HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.byteLength, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * NFS: findmnt with its fixed report options; mount of exactly a pool's export at exactly that pool's mount point
 * (nosuid,nodev: nothing on the share runs as root or acts as a device); umount of a pool's mount point only.
 */
export function checkNfs(p: XenProgram, args: readonly string[], g: BrokerGuards): readonly string[] {
  if (p === 'findmnt') {
    if (!sameArgv(args, ['-J', '-t', 'nfs,nfs4', '-o', 'TARGET,SOURCE,FSTYPE'])) refuse('findmnt takes only Xenith\'s report options');
    return args;
  }
  if (p === 'mount') {
    if (args.length !== 7 || !sameArgv(args.slice(0, 5), ['-t', 'nfs', '-o', 'nosuid,nodev,noexec', '--'])) refuse('mount takes only -t nfs -o nosuid,nodev,noexec, an export and a mount point');
    if (!g.policy.nfs.some((n) => n.source === args[5] && n.path === args[6])) {
      throw new XenError('PERMISSION', `${args[5]} at ${args[6]} is not an NFS storage pool`, { field: 'path', rule: 'pool-nfs' });
    }
    return args;
  }
  if (args.length !== 2 || args[0] !== '--') refuse('umount takes one mount point');
  if (!g.policy.nfs.some((n) => n.path === args[1])) throw new XenError('PERMISSION', `${args[1]} is not the mount point of an NFS storage pool`, { field: 'path', rule: 'pool-nfs' });
  return args;
}

/** A volume path for qemu-img convert: a file in an image directory (never through a link), or /dev/VG/LV of a pool. */
async function volumePath(p: string | undefined, g: BrokerGuards): Promise<string> {
  if (p === undefined) return refuse('qemu-img convert needs a source and a destination');
  if (p.startsWith('/dev/')) {
    checkLvRef(p.slice('/dev/'.length), g);
    await assertLogicalVolume(p);
    return p;
  }
  const checked = await g.images.check(p, 'nofollow');
  await assertPlainFile(checked);
  return checked;
}

/**
 * qemu-img convert -p -n -f FMT -O FMT -- SRC DST: -n writes into a destination that already exists (Xenith made it),
 * so nothing is created or replaced; both ends are volumes of the pools. No -o, no backing files, no other options.
 */
export async function checkQemuConvert(args: readonly string[], g: BrokerGuards): Promise<readonly string[]> {
  const fmt = (x: string | undefined): boolean => x === 'raw' || x === 'qcow2';
  // Optionally -l snapshot.name=xenith-ID right after -n: a Xenith snapshot inside a qcow2 source.
  const snap = args[3] === '-l' && /^snapshot\.name=xenith-[0-9a-f]{8}$/.test(args[4] ?? '') ? 2 : 0;
  const a = [...args.slice(0, 3), ...args.slice(3 + snap)];
  const shape = a.length === 10 && sameArgv(a.slice(0, 4), ['convert', '-p', '-n', '-f']) && fmt(a[4]) && a[5] === '-O' && fmt(a[6]) && a[7] === '--';
  if (!shape || (snap > 0 && a[4] !== 'qcow2')) refuse('qemu-img convert takes only -p -n [-l snapshot.name=TAG] -f FMT -O FMT, a source and a destination');
  const src = await volumePath(a[8], g);
  const dst = await volumePath(a[9], g);
  if (src === dst) refuse('qemu-img convert: the source and the destination are the same');
  // Read as qcow2, the source's header decides what else qemu-img opens: a backing or data file (which a raw disk's guest
  // can write into its first sector) would have root copy any host file. Checked here, just before, not as listed.
  if (a[4] === 'qcow2') await assertPooledQcow2(src, g);
  return [...args.slice(0, 8 + snap), src, dst];
}

/**
 * Whether anything holds the block device: the kernel refuses an exclusive open (EBUSY) of a device that is mounted,
 * swap, a member of device-mapper or md, or a guest's disk in blkback, whatever /proc and /sys say.
 */
async function assertExclusive(device: string): Promise<void> {
  try {
    await (await open(device, constants.O_RDONLY | constants.O_EXCL)).close();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EBUSY') throw new XenError('PERMISSION', `${device} is in use (mounted, swap, LVM, RAID or a guest's disk)`, { field: 'device', rule: 'dom0-device' });
    throw e;
  }
}

/** A file qemu-img acts on: a regular file with one name (never a link it would follow out of the pool). */
export async function assertPlainFile(p: string): Promise<void> {
  const st = await lstat(p).catch(() => null);
  if (st === null || !st.isFile() || st.nlink !== 1) throw new XenError('PERMISSION', `${p} is not a plain image file (a link or a file with other names)`, { field: 'path', rule: 'plain-file' });
}

/** /dev/VG/LV names a logical volume of that group: a link to /dev/dm-N whose device-mapper name is VG-LV. */
async function assertLogicalVolume(p: string): Promise<void> {
  const [vg = '', lv = ''] = p.slice('/dev/'.length).split('/');
  const real = await realpath(p).catch(() => '');
  const dm = /^\/dev\/(dm-\d+)$/.exec(real)?.[1];
  const name = dm ? (await readFile(`/sys/block/${dm}/dm/name`, 'utf8').catch(() => '')).trim() : '';
  // device-mapper doubles the hyphens inside LVM's names.
  if (name !== `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`) throw new XenError('PERMISSION', `${p} is not a logical volume of ${vg}`, { field: 'path', rule: 'pool-lv' });
}

/** A new image's path: made here (O_EXCL, 0600, never through a link), or the empty file the caller made that way. */
export async function claimNewImage(p: string): Promise<void> {
  const st = await lstat(p).catch(() => null);
  if (st === null) {
    await (await open(p, 'wx', 0o600)).close();
    return;
  }
  if (!st.isFile() || st.size !== 0 || st.nlink !== 1) throw new XenError('EXISTS', `${p} already exists`, { field: 'path', path: p });
}
