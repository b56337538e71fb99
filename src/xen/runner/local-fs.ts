import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { XenError } from '../errors';
import { readDirParts } from './read-dir';
import { editFstab } from '../storage/fstab';
import { probeImagesIn } from './probe-images';
import { readRegularFile, writeNewFile } from './file-stream';
import type { HostFileStat, HostFs } from './types';

/** Turns a Node fs error into the XenError code the UI understands; keeps errno and path in detail. */
export function fsError(e: unknown, op: string, p: string): XenError {
  if (e instanceof XenError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  const detail = { path: p, errno: code, op };
  switch (code) {
    case 'ENOENT':
      return new XenError('NOT_FOUND', `${p} does not exist`, detail);
    case 'EEXIST':
      return new XenError('EXISTS', `${p} already exists`, detail);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new XenError('PERMISSION', `Not allowed to ${op} ${p}`, detail);
    default:
      // No generic I/O code exists in XenErrorCode; XL_FAILED means "the host refused", with errno kept.
      return new XenError('XL_FAILED', `Could not ${op} ${p}: ${msg}`, detail);
  }
}

/** Host paths are absolute; a relative one would depend on the app's working directory. */
export function assertAbsolute(p: unknown): asserts p is string {
  if (typeof p !== 'string' || !path.isAbsolute(p) || p.includes('\0')) {
    throw new XenError('INVALID_ARG', `Not an absolute path: ${JSON.stringify(p)}`, { field: 'path' });
  }
}

/** Runs an fs call and maps its failure. */
async function wrap<T>(op: string, p: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fsError(e, op, p);
  }
}

/** HostFs on this machine's own filesystem (local runner, and inside the broker). */
export function createLocalFs(): HostFs {
  const fs = { ...localFileWrites(), ...localFileReads() };
  return { ...fs, ...localStreams(), readDir: (dir, o) => readDirParts(fs, dir, o), setFstabNfs: (path, source) => editFstab(fs, path, source) };
}

/** The HostFs methods that create, replace or remove files and directories. */
function localFileWrites(): Pick<HostFs, 'writeFileExclusive' | 'createEmpty' | 'replaceFile' | 'remove' | 'symlink' | 'createSparse' | 'mkdirp'> {
  return {
    async writeFileExclusive(p, text) {
      assertAbsolute(p);
      // 'wx' is O_CREAT|O_EXCL: fails on an existing file and does not follow a symlink planted at p.
      await wrap('create', p, () => fsp.writeFile(p, text, { flag: 'wx' }));
    },
    async createEmpty(p) {
      assertAbsolute(p);
      await wrap('create', p, () => fsp.writeFile(p, '', { flag: 'wx', mode: 0o600 }));
    },
    async replaceFile(p, text) {
      assertAbsolute(p);
      await wrap('replace', p, () => replaceAtomically(p, text));
    },
    async remove(p) {
      assertAbsolute(p);
      await wrap('remove', p, () => fsp.unlink(p));
    },
    async symlink(target, p) {
      assertAbsolute(p);
      if (typeof target !== 'string' || target === '' || target.includes('\0')) {
        throw new XenError('INVALID_ARG', 'Bad symlink target', { field: 'target' });
      }
      await wrap('link', p, () => fsp.symlink(target, p));
    },
    async createSparse(p, bytes) {
      assertAbsolute(p);
      assertSize(bytes);
      await wrap('create', p, async () => {
        const fh = await fsp.open(p, 'wx');
        try {
          await fh.truncate(bytes);
        } finally {
          await fh.close();
        }
      });
    },
    async mkdirp(p, mode) {
      assertAbsolute(p);
      await wrap('mkdir', p, () => fsp.mkdir(p, { recursive: true, ...(mode !== undefined ? { mode } : {}) }));
    },
  };
}

/** Whole images in and out: a new file only (O_EXCL, no link followed), a regular file only. */
function localStreams(): Pick<HostFs, 'writeStream' | 'readStream'> {
  return {
    async writeStream(p, bytes, source, signal) {
      assertAbsolute(p);
      assertSize(bytes);
      await wrap('create', p, () => writeNewFile(p, bytes, source, { ...(signal ? { signal } : {}) }));
    },
    async readStream(p, signal) {
      assertAbsolute(p);
      return wrap('read', p, () => readRegularFile(p, signal));
    },
  };
}

/** Reads larger than this are refused: Xenith reads configs, the pools file and fstab, each a few KiB. */
export const READ_MAX_BYTES = 16 * 1024 * 1024;

/**
 * A regular file's text, read from one descriptor: opened non-blocking (a FIFO named like a config cannot hold the
 * reader forever), checked to be a regular file on that descriptor, and read no further than its size then.
 */
async function readRegular(p: string): Promise<string> {
  const fh = await fsp.open(p, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new XenError('INVALID_ARG', `${p} is not a regular file`, { path: p });
    if (st.size > READ_MAX_BYTES) throw new XenError('LIMIT', `${p} is larger than ${READ_MAX_BYTES} bytes`, { path: p });
    const buf = Buffer.alloc(st.size);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** The HostFs methods that only read: contents, listings, facts, links and free space. */
function localFileReads(): Pick<HostFs, 'readFile' | 'list' | 'stat' | 'readlink' | 'freeBytes' | 'probeImages'> {
  return {
    async probeImages(dir) {
      assertAbsolute(dir);
      return wrap('probe', dir, () => probeImagesIn(dir));
    },
    async readFile(p) {
      assertAbsolute(p);
      return wrap('read', p, () => readRegular(p));
    },
    async list(dir) {
      assertAbsolute(dir);
      return wrap('list', dir, async () => (await fsp.readdir(dir)).sort());
    },
    async stat(p) {
      assertAbsolute(p);
      return wrap('stat', p, () => localStat(p));
    },
    async readlink(p) {
      assertAbsolute(p);
      return wrap('readlink', p, async () => {
        try {
          return await fsp.readlink(p);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'EINVAL' || code === 'ENOENT') return null; // not a link, or nothing there
          throw e;
        }
      });
    },
    async freeBytes(p) {
      assertAbsolute(p);
      return wrap('statfs', p, async () => {
        const s = await fsp.statfs(p);
        return s.bavail * s.bsize;
      });
    },
  };
}

/** Writes `text` beside `p` with p's mode, then renames it over p; the temporary file is removed on failure. */
async function replaceAtomically(p: string, text: string): Promise<void> {
  // Same directory, so rename is atomic: readers see the old file or the new one, never half of one.
  const tmp = path.join(path.dirname(p), `.${path.basename(p)}.xenith-${randomBytes(6).toString('hex')}.tmp`);
  const mode = await fsp.stat(p).then((s) => s.mode & 0o7777, () => 0o644);
  try {
    await fsp.writeFile(tmp, text, { flag: 'wx', mode });
    await fsp.rename(tmp, p);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

/** Image sizes are whole, non-negative byte counts. */
export function assertSize(bytes: unknown): asserts bytes is number {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new XenError('INVALID_ARG', `Bad size ${String(bytes)}`, { field: 'bytes' });
  }
}

/** lstat first so links are reported as links, then the target's facts when the link resolves. */
async function localStat(p: string): Promise<HostFileStat | null> {
  let l;
  try {
    l = await fsp.lstat(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const s = l.isSymbolicLink() ? await fsp.stat(p).catch(() => l) : l;
  return {
    size: s.size,
    allocated: s.blocks * 512,
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isBlockDevice: s.isBlockDevice(),
    isSymlink: l.isSymbolicLink(),
    mtimeMs: Math.round(s.mtimeMs),
  };
}
