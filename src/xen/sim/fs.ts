import { readDirParts } from '../runner/read-dir';
import { probeImagesIn } from '../runner/probe-images';
import { editFstab } from '../storage/fstab';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { XenError } from '../errors';
import type { HostFileStat, HostFs } from '../runner/types';
import { readRegularFile, writeNewFile } from '../runner/file-stream';

/** Maps absolute host paths (/etc/xen/x.cfg) into `<stateDir>/root/...`; refuses anything that is not a clean absolute path. */
export function hostPathToLocal(rootDir: string, hostPath: string): string {
  if (typeof hostPath !== 'string' || !hostPath.startsWith('/') || hostPath.includes('\0')) {
    throw new XenError('INVALID_ARG', `not an absolute host path: ${String(hostPath)}`, { field: 'path' });
  }
  // posix.normalize collapses `..` against the root, so `/../../etc` stays inside the sandbox root.
  const norm = path.posix.normalize(hostPath);
  if (norm.split('/').includes('..')) {
    throw new XenError('INVALID_ARG', `path escapes the host root: ${hostPath}`, { field: 'path' });
  }
  return path.join(rootDir, ...norm.split('/').filter((p) => p !== ''));
}

function mapFsError(e: unknown, hostPath: string): XenError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new XenError('NOT_FOUND', `${hostPath}: no such file or directory`, { path: hostPath });
  if (code === 'EEXIST') return new XenError('EXISTS', `${hostPath}: already exists`, { path: hostPath });
  if (code === 'EACCES' || code === 'EPERM') return new XenError('PERMISSION', `${hostPath}: permission denied`, { path: hostPath });
  return new XenError('XL_FAILED', `${hostPath}: ${(e as Error).message}`, { path: hostPath });
}

async function wrap<T>(hostPath: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof XenError) throw e;
    throw mapFsError(e, hostPath);
  }
}

async function statLocal(l: string): Promise<HostFileStat | null> {
  try {
    const st = await fsp.lstat(l);
    return {
      size: st.size,
      allocated: st.blocks * 512,
      isFile: st.isFile(),
      isDirectory: st.isDirectory(),
      isBlockDevice: st.isBlockDevice(),
      isSymlink: st.isSymbolicLink(),
      mtimeMs: st.mtimeMs,
    };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** A link's target as an absolute host path (links are stored relative; see symlink). */
async function readlinkLocal(l: string, hostPath: string): Promise<string | null> {
  let raw: string;
  try {
    raw = await fsp.readlink(l);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EINVAL') return null;
    throw e;
  }
  return raw.startsWith('/') ? raw : path.posix.resolve(path.posix.dirname(path.posix.normalize(hostPath)), raw);
}

async function createSparseLocal(l: string, bytes: number): Promise<void> {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new XenError('INVALID_ARG', `bad image size: ${bytes}`, { field: 'bytes' });
  const fh = await fsp.open(l, 'wx');
  try {
    await fh.truncate(bytes);
  } finally {
    await fh.close();
  }
}

/** Free bytes where `l` would land: the nearest existing ancestor tells which filesystem that is. */
async function freeBytesLocal(rootDir: string, l: string): Promise<number> {
  let dir = l;
  for (;;) {
    try {
      const st = await fsp.statfs(dir);
      return st.bavail * st.bsize;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dir === rootDir) throw e;
      dir = path.dirname(dir);
    }
  }
}

/** How fast the demo host takes and gives an image at speed 1: a dom0 behind a gigabit link (bytes per second). */
export const SIM_TRANSFER_BYTES_PER_S = 48 * 1024 * 1024;

/**
 * Paces a transfer to `bytesPerS`: after each chunk, waits until as much time has passed as that many bytes take, so
 * a demo upload takes time proportional to its size (the simulator's speed divides it for tests).
 */
export function transferPacer(bytesPerS: number): (n: number) => Promise<void> {
  const start = Date.now();
  let total = 0;
  return async (n) => {
    total += n;
    const due = start + (total / bytesPerS) * 1000 - Date.now();
    if (due > 4) await new Promise((r) => setTimeout(r, due));
  };
}

/** A HostFs whose "host" is a directory tree under `<stateDir>/root`, so the demo host's files survive restarts. */
export function createSimFs(rootDir: string, o: { speed?: number } = {}): HostFs {
  const rate = SIM_TRANSFER_BYTES_PER_S * (o.speed !== undefined && o.speed > 0 ? o.speed : 1);
  const local = (p: string): string => hostPathToLocal(rootDir, p);
  const fs: Omit<HostFs, 'setFstabNfs' | 'readDir'> = {
    // Whole images: a new file only, never through a link, at the pace of a real dom0's link.
    writeStream: (p, bytes, source, signal) => wrap(p, () => writeNewFile(local(p), bytes, source, { after: transferPacer(rate), ...(signal ? { signal } : {}) })),
    readStream: (p, signal) => wrap(p, () => readRegularFile(local(p), signal, transferPacer(rate))),
    readFile: (p) => wrap(p, () => fsp.readFile(local(p), 'utf8')),
    // New files need their folder, as on a real host (a missing one is NOT_FOUND); only mkdirp makes folders.
    writeFileExclusive: (p, text) => wrap(p, () => fsp.writeFile(local(p), text, { flag: 'wx' })),
    createEmpty: (p) => wrap(p, () => fsp.writeFile(local(p), '', { flag: 'wx' })),
    replaceFile: (p, text) =>
      wrap(p, async () => {
        const target = local(p);
        await fsp.mkdir(path.dirname(target), { recursive: true });
        const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
        await fsp.writeFile(tmp, text);
        await fsp.rename(tmp, target);
      }),
    list: (p) => wrap(p, async () => (await fsp.readdir(local(p))).sort()),
    stat: (p) => wrap(p, () => statLocal(local(p))),
    remove: (p) => wrap(p, () => fsp.unlink(local(p))),
    // Links are stored relative (../x.cfg) so following one on this machine stays inside the sandbox; an absolute
    // target would point at the developer's real /etc/xen. readlink turns them back into absolute host paths.
    symlink: (target, p) =>
      wrap(p, async () => {
        hostPathToLocal(rootDir, target);
        const linkHost = path.posix.normalize(p);
        const rel = path.posix.relative(path.posix.dirname(linkHost), path.posix.normalize(target)) || '.';
        await fsp.mkdir(path.dirname(local(p)), { recursive: true });
        await fsp.symlink(rel, local(p));
      }),
    readlink: (p) => wrap(p, () => readlinkLocal(local(p), p)),
    createSparse: (p, bytes) => wrap(p, () => createSparseLocal(local(p), bytes)),
    freeBytes: (p) => wrap(p, () => freeBytesLocal(rootDir, local(p))),
    probeImages: (p) => wrap(p, () => probeImagesIn(local(p))),
    mkdirp: (p) =>
      wrap(p, async () => {
        await fsp.mkdir(local(p), { recursive: true });
      }),
  };
  return { ...fs, readDir: (dir, o) => readDirParts(fs, dir, o), setFstabNfs: (path, source) => editFstab(fs, path, source) };
}
