import { lstat, readFile } from 'node:fs/promises';
import { plainNameProblem } from '../../shared/rules';
import * as path from 'node:path';
import { XenError } from '../errors';
import { acceptImageDirs } from './paths';
import { overlapProblem } from './pool-policy';
import { DEFAULT_IMAGE_DIR, DEFAULT_SAVE_DIR, vgNameProblem, type PoolDef } from '../../shared/storage';
import { parsePoolsFile, POOLS_FILE } from '../storage/pools-file';

/** Where root's policy for the broker lives; only root may write it. */
export const BROKER_POLICY_FILE = '/etc/xenith/broker.conf';

/**
 * What the root broker may touch, decided by root (the policy file), never by the process that talks to it.
 * Config, autostart and save directories are Xen's own (Debian's xen-utils layout); the rest are configurable.
 */
export interface BrokerPolicy {
  /** Domain configs: `NAME.cfg` files directly inside. */
  readonly configDir: string;
  /** xendomains' autostart directory: links to configs only. */
  readonly autoDir: string;
  /** Where `xl save` writes and `xl restore` reads (a save file carries a config root obeys). */
  readonly saveDir: string;
  /** Disk and ISO images: where guests' file disks may be, and where new ones are made. */
  readonly imageDirs: readonly string[];
  /** Kernels, ramdisks and firmware a config may name. */
  readonly bootDirs: readonly string[];
  /** Bootloaders a config may name (xl runs them as root). */
  readonly bootloaders: readonly string[];
  /** LVM volume groups that are pools: logical volumes may be created, grown and removed in these only. */
  readonly vgs: readonly string[];
  /** NFS pools: the only exports root mounts, each at its own mount point (and unmounts from there only). */
  readonly nfs: readonly { source: string; path: string }[];
}

/** The policy when root has written no file: the stock Debian layout, pygrub only. */
export const DEFAULT_BROKER_POLICY: BrokerPolicy = {
  configDir: '/etc/xen',
  autoDir: '/etc/xen/auto',
  saveDir: DEFAULT_SAVE_DIR,
  imageDirs: [DEFAULT_IMAGE_DIR],
  bootDirs: ['/var/lib/xen/boot', '/boot', '/usr/lib/grub-xen'],
  bootloaders: ['pygrub', '/usr/lib/xen-4.17/bin/pygrub', '/usr/bin/pygrub'],
  vgs: [],
  nfs: [],
};

/**
 * The policy widened by the storage pools (pools.json): each directory pool is an image directory, each LVM pool's
 * volume group one whose volumes Xenith manages. checkPools has refused system directories already.
 */
export function withPools(base: BrokerPolicy, pools: readonly PoolDef[]): BrokerPolicy {
  const dirs = pools.flatMap((p) => (p.kind === 'lvm' ? [] : [p.path]));
  return {
    ...base,
    imageDirs: acceptImageDirs([...new Set([...base.imageDirs, ...dirs])]),
    vgs: [...new Set([...base.vgs, ...pools.flatMap((p) => (p.kind === 'lvm' ? [p.vg] : []))])],
    nfs: [...base.nfs, ...pools.flatMap((p) => (p.kind === 'nfs' ? [{ source: `${p.server}:${p.export}`, path: p.path }] : []))],
  };
}

/** The keys of broker.conf, each repeatable; the first use of a key replaces its default list. */
const KEYS = { image_dir: 'imageDirs', boot_dir: 'bootDirs', bootloader: 'bootloaders', volume_group: 'vgs' } as const;

const bad = (line: number, message: string): XenError =>
  new XenError('INVALID_ARG', `${BROKER_POLICY_FILE} line ${line}: ${message}`, { field: 'policy', line });

function absDir(value: string, line: number): string {
  if (!path.posix.isAbsolute(value) || value.split('/').includes('..') || /[\0-\x1f]/.test(value)) throw bad(line, `${JSON.stringify(value)} is not an absolute path`);
  return path.posix.normalize(value).replace(/(.)\/+$/, '$1');
}

/**
 * Parses broker.conf: `key = value` lines, `#` comments, keys image_dir, boot_dir and bootloader (each repeatable).
 * Anything else is an error naming the line, so a typo never silently widens or narrows what root does.
 */
export function parseBrokerPolicy(text: string): BrokerPolicy {
  const lists: Partial<Record<(typeof KEYS)[keyof typeof KEYS], string[]>> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') return;
    const m = /^([a-z_]+)\s*=\s*(.+)$/.exec(line);
    if (m === null) throw bad(i + 1, 'expected "key = value"');
    const key = m[1] as string;
    if (!Object.hasOwn(KEYS, key)) throw bad(i + 1, `unknown key "${key}" (image_dir, boot_dir, bootloader, volume_group)`);
    const field = KEYS[key as keyof typeof KEYS];
    const value = (m[2] as string).trim();
    const v =
      field === 'vgs' ? checkVg(value, i + 1) : field === 'bootloaders' && !value.includes('/') ? checkName(value, i + 1) : absDir(value, i + 1);
    (lists[field] ??= []).push(v);
  });
  const policy = {
    ...DEFAULT_BROKER_POLICY,
    ...lists,
    // Image directories are written by root on the caller's behalf: never "/" or a system directory.
    imageDirs: acceptImageDirs(lists.imageDirs ?? DEFAULT_BROKER_POLICY.imageDirs),
  };
  // Nor one holding (or inside) the save, config or boot directories: the caller could write what root later obeys.
  for (const d of policy.imageDirs) {
    const why = overlapProblem(d, policy);
    if (why !== null) throw new XenError('INVALID_ARG', `${BROKER_POLICY_FILE}: image_dir ${why}`, { field: 'image_dir' });
  }
  return policy;
}

function checkVg(value: string, line: number): string {
  if (vgNameProblem(value) !== null) throw bad(line, `${JSON.stringify(value)} is not a volume group name`);
  return value;
}

function checkName(value: string, line: number): string {
  if (plainNameProblem(value) !== null) throw bad(line, `${JSON.stringify(value)} is not a program name or an absolute path`);
  return value;
}

/**
 * Reads the policy file. It must be a regular file (not a link) owned by root and writable by nobody else, or the
 * broker refuses to start: a policy another user could edit would hand that user root's reach. No file: defaults.
 */
export async function loadBrokerPolicy(file = BROKER_POLICY_FILE, expectUid = 0): Promise<BrokerPolicy> {
  const text = await readRootFile(file, expectUid);
  return text === null ? DEFAULT_BROKER_POLICY : parseBrokerPolicy(text);
}

/** The pools root's policy includes (pools.json beside broker.conf, held to the same ownership rules); null if absent. */
export async function loadPools(file = POOLS_FILE, expectUid = 0): Promise<PoolDef[] | null> {
  const text = await readRootFile(file, expectUid);
  return text === null ? null : parsePoolsFile(text);
}

/** A file only root may have written (regular, root-owned, not group/world-writable, nor its directory); null if absent. */
async function readRootFile(file: string, expectUid: number): Promise<string | null> {
  let st;
  try {
    st = await lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (!st.isFile()) throw new XenError('PERMISSION', `${file} must be a regular file, not a link or directory`, { field: 'policy' });
  // The directory too: whoever can write it can swap the file.
  const dir = await lstat(path.dirname(file));
  for (const [what, s] of [[file, st], [path.dirname(file), dir]] as const) {
    if (s.uid !== expectUid || (s.mode & 0o022) !== 0) {
      throw new XenError('PERMISSION', `${what} must be owned by root and writable only by root (chown root: ; chmod go-w)`, { field: 'policy' });
    }
  }
  return readFile(file, 'utf8');
}
