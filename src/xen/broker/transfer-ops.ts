import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { z } from 'zod';
import { XenError } from '../errors';
import { parseArgs } from './parse-args';
import { fsError } from '../runner/local-fs';
import { linkRefused, openRegular } from '../runner/file-stream';
import { ISO_MAGIC_OFFSET, parseImageHeader, PROBE_HEAD_BYTES } from '../storage/image-header';
import type { BrokerGuards } from './allowlist';
import { isInside } from './paths';

// Root's side of image upload and download: typed file operations on sessions (never a path or argv from the caller
// beyond a path the images guard accepts), each session this broker's connection's own, closed and a partial upload
// removed when the connection ends.

/** The most one upload write or download read carries, before base64: a request line stays under MAX_LINE_BYTES. */
export const TRANSFER_CHUNK = 512 * 1024;
/** Transfers one connection may have open at once. */
export const MAX_TRANSFERS = 8;

interface Upload {
  readonly kind: 'upload';
  /** The volume's name once complete and checked; until then the bytes live under `temp`, which no config names. */
  readonly path: string;
  readonly temp: string;
  readonly fh: fsp.FileHandle;
  readonly ino: number;
  readonly dev: number;
  readonly bytes: number;
  written: number;
  /** Writes run one after another in offset order, however many the client keeps in flight. */
  tail: Promise<unknown>;
}

interface Download {
  readonly kind: 'download';
  readonly path: string;
  readonly fh: fsp.FileHandle;
  readonly size: number;
}

/** The open transfers of one broker connection, by session id. */
export type TransferSessions = Map<string, Upload | Download>;

const target = z.string().regex(/^[ud][0-9a-f]{16}$/);
const schemas = {
  uploadOpen: z.object({ path: z.string().min(1).max(4096), bytes: z.number().int().min(0).max(64 * 1024 ** 4) }).strict(),
  uploadWrite: z.object({ target, offset: z.number().int().min(0), data: z.string().max(Math.ceil(TRANSFER_CHUNK / 3) * 4) }).strict(),
  downloadOpen: z.object({ path: z.string().min(1).max(4096) }).strict(),
  downloadRead: z.object({ target, offset: z.number().int().min(0), length: z.number().int().min(1).max(TRANSFER_CHUNK) }).strict(),
  session: z.object({ target }).strict(),
};

const parse = parseArgs;

function sessionOf<K extends 'upload' | 'download'>(sessions: TransferSessions, id: string, kind: K): Extract<Upload | Download, { kind: K }> {
  const s = sessions.get(id);
  if (s?.kind !== kind) throw new XenError('NOT_FOUND', `No open ${kind} ${id}`, { field: 'target' });
  return s as Extract<Upload | Download, { kind: K }>;
}

/** Removes the upload's file, but only while its (temporary) path still names the file this session created. */
async function discard(u: Upload): Promise<void> {
  await u.fh.close().catch(() => undefined);
  const st = await fsp.lstat(u.temp).catch(() => null);
  if (st !== null && st.ino === u.ino && st.dev === u.dev) await fsp.unlink(u.temp).catch(() => undefined);
}

/**
 * Where an open descriptor really is (the kernel's name for it), which must lie inside an image directory: a folder of
 * the path swapped for a link after the guard looked (an NFS server answering differently) would have moved it.
 */
async function assertOpenedInside(fh: fsp.FileHandle, guards: BrokerGuards, p: string): Promise<void> {
  const real = await fsp.readlink(`/proc/self/fd/${fh.fd}`);
  const roots = await Promise.all(guards.images.roots.map((r) => fsp.realpath(r).catch(() => r)));
  if (!roots.some((r) => isInside(real, r))) throw new XenError('PERMISSION', `${p} led outside the image directories (to ${real})`, { field: 'path', rule: 'image_dir' });
}

/** Gives the finished upload its name; link() never replaces a file, so a name taken meanwhile is EXISTS. */
async function linkInto(u: Upload): Promise<void> {
  try {
    await fsp.link(u.temp, u.path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new XenError('EXISTS', `${u.path} already exists`, { field: 'path', path: u.path });
    throw e;
  }
}

/** Free bytes an unprivileged writer could use on the filesystem of `dir` (root's reserve is not the pool's). */
async function freeBytesFor(dir: string): Promise<number> {
  const s = await fsp.statfs(dir);
  return s.bavail * s.bsize;
}

const newId = (kind: 'u' | 'd'): string => `${kind}${randomBytes(8).toString('hex')}`;

function roomFor(sessions: TransferSessions): void {
  if (sessions.size >= MAX_TRANSFERS) throw new XenError('LIMIT', `At most ${MAX_TRANSFERS} transfers at once`, { field: 'target' });
}

/** image.upload.open {path, bytes}: a NEW file in an image directory (O_EXCL, O_NOFOLLOW, 0600); the session id. */
async function uploadOpen(sessions: TransferSessions, guards: BrokerGuards, args: Record<string, unknown>): Promise<{ target: string }> {
  const a = parse(schemas.uploadOpen, args, 'image.upload.open');
  roomFor(sessions);
  const p = await guards.images.check(a.path, 'nofollow');
  if ((await fsp.lstat(p).catch(() => null)) !== null) throw new XenError('EXISTS', `${p} already exists`, { field: 'path', path: p });
  const dir = path.posix.dirname(p);
  const pending = [...sessions.values()].reduce((n, x) => n + (x.kind === 'upload' ? x.bytes - x.written : 0), 0);
  const free = await freeBytesFor(dir);
  if (a.bytes + pending > free) throw new XenError('INVALID_ARG', `${a.bytes} bytes do not fit in the ${free} bytes free beside ${p}`, { field: 'bytes' });
  // A hidden name of its own (not told to the caller), renamed by link() once complete and checked: until then no
  // config can name the half-written file, whose head may still change.
  const temp = path.posix.join(dir, `.xenith-upload-${randomBytes(12).toString('hex')}`);
  const flags = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const fh = await fsp.open(temp, flags, 0o600).catch((e: unknown) => Promise.reject((e as NodeJS.ErrnoException).code === 'ELOOP' ? linkRefused(temp) : fsError(e, 'create', p)));
  const { ino, dev } = await fh.stat();
  const u: Upload = { kind: 'upload', path: p, temp, fh, ino, dev, bytes: a.bytes, written: 0, tail: Promise.resolve() };
  try {
    await assertOpenedInside(fh, guards, p);
  } catch (e) {
    // Made empty where it should not be: remove it by the name the kernel gives it.
    await fh.close().catch(() => undefined);
    await fsp.unlink(await fsp.readlink(`/proc/self/fd/${fh.fd}`).catch(() => temp)).catch(() => undefined);
    throw e;
  }
  const id = newId('u');
  sessions.set(id, u);
  return { target: id };
}

/** image.upload.write {target, offset, data}: the next piece, exactly where the last one ended, never past `bytes`. */
async function uploadWrite(sessions: TransferSessions, args: Record<string, unknown>): Promise<null> {
  const a = parse(schemas.uploadWrite, args, 'image.upload.write');
  const u = sessionOf(sessions, a.target, 'upload');
  const buf = Buffer.from(a.data, 'base64');
  if (buf.byteLength > TRANSFER_CHUNK) throw new XenError('LIMIT', `A write carries at most ${TRANSFER_CHUNK} bytes`, { field: 'data' });
  const run = u.tail.then(async () => {
    if (a.offset !== u.written) throw new XenError('INVALID_ARG', `Write at ${a.offset}, expected ${u.written}`, { field: 'offset' });
    if (u.written + buf.byteLength > u.bytes) throw new XenError('INVALID_ARG', `More than the ${u.bytes} bytes announced for ${u.path}`, { field: 'data' });
    let off = 0;
    while (off < buf.byteLength) off += (await u.fh.write(buf, off, buf.byteLength - off, a.offset + off)).bytesWritten;
    u.written += buf.byteLength;
  });
  u.tail = run.catch(() => undefined);
  await run;
  return null;
}

/** Reads what the new file's head says from its own descriptor: its format, and any other file it would make root read. */
async function headOf(u: Upload): Promise<ReturnType<typeof parseImageHeader>> {
  const head = Buffer.alloc(PROBE_HEAD_BYTES);
  const { bytesRead } = await u.fh.read(head, 0, head.byteLength, 0);
  const iso = Buffer.alloc(5);
  const isoRead = await u.fh.read(iso, 0, 5, ISO_MAGIC_OFFSET);
  return parseImageHeader(head.subarray(0, bytesRead), isoRead.bytesRead === 5 ? iso : null, u.written);
}

/**
 * image.upload.close {target}: every byte announced must have arrived; then the head is read, and a qcow2 image naming
 * a backing file or an external data file is removed (root must never be made to read another file through it).
 */
async function uploadClose(sessions: TransferSessions, args: Record<string, unknown>): Promise<{ bytes: number; format: string }> {
  const { target: id } = parse(schemas.session, args, 'image.upload.close');
  const u = sessionOf(sessions, id, 'upload');
  sessions.delete(id);
  try {
    await u.tail;
    if (u.written !== u.bytes) throw new XenError('INVALID_ARG', `Only ${u.written} of ${u.bytes} bytes arrived for ${u.path}; it was removed`, { field: 'bytes', path: u.path });
    const h = await headOf(u);
    if (h.backing !== null) {
      throw new XenError('PERMISSION', `${u.path} is a qcow2 image that reads another file (${h.backing}); Xenith removed it`, { field: 'file', rule: 'backing', path: u.path });
    }
    await u.fh.close();
    // link() never replaces a file: a name taken meanwhile is refused, and the hidden one goes either way.
    await linkInto(u);
    await fsp.unlink(u.temp).catch(() => undefined);
    return { bytes: u.written, format: h.format };
  } catch (e) {
    await discard(u);
    throw e;
  }
}

/** image.download.open {path}: a plain file of an image directory (no link, one name), read from this descriptor only. */
async function downloadOpen(sessions: TransferSessions, guards: BrokerGuards, args: Record<string, unknown>): Promise<{ target: string; size: number }> {
  const a = parse(schemas.downloadOpen, args, 'image.download.open');
  roomFor(sessions);
  const p = await guards.images.check(a.path, 'nofollow');
  const { fh, size, nlink } = await openRegular(p).catch((e: unknown) => Promise.reject(fsError(e, 'read', p)));
  if (nlink !== 1) {
    await fh.close();
    throw new XenError('PERMISSION', `${p} is not a plain image file (a link or a file with other names)`, { field: 'path', rule: 'plain-file' });
  }
  await assertOpenedInside(fh, guards, p).catch(async (e: unknown) => {
    await fh.close();
    throw e;
  });
  const id = newId('d');
  sessions.set(id, { kind: 'download', path: p, fh, size });
  return { target: id, size };
}

async function downloadRead(sessions: TransferSessions, args: Record<string, unknown>): Promise<string> {
  const a = parse(schemas.downloadRead, args, 'image.download.read');
  const d = sessionOf(sessions, a.target, 'download');
  const buf = Buffer.alloc(a.length);
  const { bytesRead } = await d.fh.read(buf, 0, a.length, a.offset);
  return buf.subarray(0, bytesRead).toString('base64');
}

/** Ends one session: an upload not closed is removed, a download's file closed. */
async function endSession(sessions: TransferSessions, id: string): Promise<void> {
  const s = sessions.get(id);
  if (s === undefined) return;
  sessions.delete(id);
  if (s.kind === 'upload') await s.tail.then(() => discard(s));
  else await s.fh.close().catch(() => undefined);
}

/** The connection ended: every open transfer ends, every unfinished upload's partial file is removed. */
export async function closeTransfers(sessions: TransferSessions): Promise<void> {
  await Promise.all([...sessions.keys()].map((id) => endSession(sessions, id)));
}

/** What the transfer operations need of the broker's state. */
interface TransferState {
  readonly transfers: TransferSessions;
  readonly guards: BrokerGuards;
}

type TransferOp = (st: TransferState, call: { args: Record<string, unknown> }) => Promise<unknown>;

/** The transfer operations (merged into the broker's FILE_AND_SESSION_OPS). */
export const TRANSFER_OPS: Readonly<Record<string, TransferOp>> = {
  'image.upload.open': async (st, { args }) => uploadOpen(st.transfers, st.guards, args),
  'image.upload.write': async (st, { args }) => uploadWrite(st.transfers, args),
  'image.upload.close': async (st, { args }) => uploadClose(st.transfers, args),
  'image.upload.abort': async (st, { args }) => endSession(st.transfers, parse(schemas.session, args, 'image.upload.abort').target).then(() => null),
  'image.download.open': async (st, { args }) => downloadOpen(st.transfers, st.guards, args),
  'image.download.read': async (st, { args }) => downloadRead(st.transfers, args),
  'image.download.close': async (st, { args }) => endSession(st.transfers, parse(schemas.session, args, 'image.download.close').target).then(() => null),
};
