import { lstat, realpath } from 'node:fs/promises';
import * as path from 'node:path';
import { XenError } from '../errors';

/** Directories the broker may touch by default: xl configs (with auto/ inside) and Xen's own state. */
export const DEFAULT_BROKER_ROOTS: readonly string[] = ['/etc/xen', '/var/lib/xen'];

const MAX_PATH = 4096;

/** How the final path component is treated: followed (read, stat, list) or acted on itself (create, remove, link). */
export type FinalComponent = 'follow' | 'nofollow';

/** Checks host paths against a fixed set of roots, after resolving symlinks, for a process running as root. */
export interface PathGuard {
  readonly roots: readonly string[];
  /** The path to use (symlinks in its directories resolved), or INVALID_ARG / PERMISSION when it leaves the roots. */
  check(p: unknown, final?: FinalComponent): Promise<string>;
}

/** True when `child` is `root` or below it. */
export function isInside(child: string, root: string): boolean {
  return child === root || child.startsWith(root === '/' ? '/' : `${root}/`);
}

/** realpath of the deepest part of `p` that exists, with the missing rest appended. */
async function isLink(p: string): Promise<boolean> {
  try {
    return (await lstat(p)).isSymbolicLink();
  } catch {
    return false;
  }
}

async function resolveExisting(p: string): Promise<string> {
  const rest: string[] = [];
  let cur = p;
  for (;;) {
    try {
      const real = await realpath(cur);
      return rest.length === 0 ? real : path.posix.join(real, ...rest.reverse());
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
      // A missing name may still be a link (dangling): where it points could appear later, outside every root.
      if (await isLink(cur)) throw new XenError('PERMISSION', `${cur} is a link to something that does not exist`, { path: cur });
      const parent = path.posix.dirname(cur);
      if (parent === cur) return p;
      rest.push(path.posix.basename(cur));
      cur = parent;
    }
  }
}

/**
 * Builds a guard for `roots`. A path must be absolute, contain no `..` (refused outright rather than normalised
 * away), lie lexically under a root, and still lie under a root's real path once symlinks are resolved. What remains
 * is the race between check and use; the broker narrows it by using the resolved path.
 */
export function createPathGuard(roots: readonly string[]): PathGuard {
  const clean = roots.map((r) => {
    if (!path.posix.isAbsolute(r) || r.includes('\0')) throw new XenError('INVALID_ARG', `Broker root ${r} is not absolute`, {});
    return path.posix.normalize(r).replace(/(.)\/+$/, '$1');
  });
  let realRoots: Promise<string[]> | null = null;
  const getRealRoots = (): Promise<string[]> =>
    (realRoots ??= Promise.all(clean.map((r) => realpath(r).catch(() => r))));

  return {
    roots: clean,
    async check(p, final = 'follow') {
      if (typeof p !== 'string' || p.length === 0 || p.length > MAX_PATH || p.includes('\0')) {
        throw new XenError('INVALID_ARG', 'Bad path', { field: 'path' });
      }
      if (!path.posix.isAbsolute(p)) throw new XenError('INVALID_ARG', `Not an absolute path: ${p}`, { field: 'path', path: p });
      if (p.split('/').includes('..')) throw new XenError('INVALID_ARG', `Path may not contain "..": ${p}`, { field: 'path', path: p });
      const norm = path.posix.normalize(p).replace(/(.)\/+$/, '$1');
      const outside = (): XenError =>
        new XenError('PERMISSION', `${p} is outside the directories Xenith may change (${clean.join(', ')})`, { field: 'path', path: p });
      if (!clean.some((r) => isInside(norm, r))) throw outside();
      const real = await getRealRoots();
      const resolved =
        final === 'follow' || clean.includes(norm)
          ? await resolveExisting(norm)
          : path.posix.join(await resolveExisting(path.posix.dirname(norm)), path.posix.basename(norm));
      if (!real.some((r) => isInside(resolved, r))) throw outside();
      return resolved;
    },
  };
}

/** System directories an image directory may never be, nor lie under (the caller, not root, names image dirs). */
const SYSTEM_DIRS = ['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/proc', '/sys', '/dev', '/run', '/root', '/var/log', '/var/spool', '/var/lib'];

/**
 * Keeps the image directories the app asked for, refusing "/", relative paths, ".." and system directories (Xen's own
 * /etc/xen and /var/lib/xen stay allowed), so a caller cannot widen the broker's reach to the whole filesystem.
 */
export function acceptImageDirs(dirs: readonly string[]): string[] {
  return dirs.map((d) => {
    if (typeof d !== 'string' || !path.posix.isAbsolute(d) || d.includes('\0') || d.split('/').includes('..')) {
      throw new XenError('INVALID_ARG', `Bad image directory ${JSON.stringify(d)}`, { field: 'imageDirs' });
    }
    const n = path.posix.normalize(d).replace(/(.)\/+$/, '$1');
    const xenOwn = isInside(n, '/etc/xen') || isInside(n, '/var/lib/xen');
    if (n === '/' || (!xenOwn && SYSTEM_DIRS.some((s) => isInside(n, s)))) {
      throw new XenError('PERMISSION', `${n} may not be an image directory`, { field: 'imageDirs', path: n });
    }
    return n;
  });
}
