import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { XenError } from '../errors';
import type { HostReadStream } from './types';

// Streaming a whole image into or out of a file on this machine: the local runner, the demo host and the root broker
// (which reads and writes through its own sessions) share these, so "new file, never through a link, partial file
// removed" means the same everywhere.

/** How much one read of a file hands on: large enough for few system calls, small enough to never pile up. */
export const READ_CHUNK = 1024 * 1024;

/** The error for a path that is a link where the file itself is acted on (O_NOFOLLOW says ELOOP). */
export function linkRefused(p: string): XenError {
  return new XenError('PERMISSION', `${p} is a link; Xenith does not write or read an image through one`, { field: 'path', path: p, rule: 'nofollow' });
}

/** `source`'s chunks until it ends, or ABORTED as soon as `signal` fires (also while waiting for the next chunk). */
export async function* abortable(source: AsyncIterable<Uint8Array>, signal: AbortSignal | undefined, what: string): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const aborted = (): XenError => new XenError('ABORTED', `${what} was cancelled`, { field: 'jobId' });
  let onAbort: () => void = () => undefined;
  const stop = new Promise<never>((_, reject) => (onAbort = () => reject(aborted())));
  stop.catch(() => undefined);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const r = await Promise.race([it.next(), stop]);
      if (r.done === true) return;
      yield r.value;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Lets the source let go of what it holds (a request body, a file), however the loop ended. Not awaited: a source
    // stuck waiting for its next piece (the reason for a cancel) would hold this return until it had one.
    void Promise.resolve(it.return?.()).catch(() => undefined);
  }
}

/** Refuses a source that brings more than it said, then less. */
export function sizeGuard(path: string, bytes: number): { add(n: number): void; end(): void } {
  let seen = 0;
  return {
    add(n) {
      seen += n;
      if (seen > bytes) throw new XenError('INVALID_ARG', `More data arrived for ${path} than the ${bytes} bytes announced`, { field: 'bytes', path });
    },
    end() {
      if (seen !== bytes) throw new XenError('INVALID_ARG', `Only ${seen} of ${bytes} bytes arrived for ${path}`, { field: 'bytes', path });
    },
  };
}

/** Whether `p` is still the very file `ino` names (so cleaning up never removes a file another made in its place). */
async function sameFile(p: string, ino: number, dev: number): Promise<boolean> {
  const st = await fsp.lstat(p).catch(() => null);
  return st !== null && st.ino === ino && st.dev === dev;
}

/** Options of writeNewFile. */
export interface WriteNewFileOptions {
  signal?: AbortSignal;
  /** Called after each chunk is on disk (the demo host paces itself here). */
  after?: (n: number) => Promise<void>;
}

/**
 * Streams exactly `bytes` of `source` into the new file `p`: O_CREAT|O_EXCL|O_NOFOLLOW (nothing there is ever opened,
 * a link planted at `p` is refused), mode 0600. Any failure or abort removes the partial file, and only while `p` is
 * still that file.
 */
export async function writeNewFile(p: string, bytes: number, source: AsyncIterable<Uint8Array>, o: WriteNewFileOptions = {}): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const fh = await fsp.open(p, flags, 0o600).catch((e: unknown) => Promise.reject((e as NodeJS.ErrnoException).code === 'ELOOP' ? linkRefused(p) : (e as Error)));
  const { ino, dev } = await fh.stat();
  const guard = sizeGuard(p, bytes);
  try {
    for await (const chunk of abortable(source, o.signal, `Writing ${p}`)) {
      guard.add(chunk.byteLength);
      let off = 0;
      while (off < chunk.byteLength) off += (await fh.write(chunk, off, chunk.byteLength - off)).bytesWritten;
      await o.after?.(chunk.byteLength);
    }
    guard.end();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    if (await sameFile(p, ino, dev)) await fsp.unlink(p).catch(() => undefined);
    throw e;
  }
}

/** A regular file opened for reading: O_NOFOLLOW (a link is refused), O_NONBLOCK (a FIFO cannot hold the reader). */
export async function openRegular(p: string): Promise<{ fh: fsp.FileHandle; size: number; nlink: number }> {
  const fh = await fsp.open(p, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((e: unknown) =>
    Promise.reject((e as NodeJS.ErrnoException).code === 'ELOOP' ? linkRefused(p) : (e as Error)),
  );
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new XenError('INVALID_ARG', `${p} is not a regular file`, { field: 'path', path: p });
  }
  return { fh, size: st.size, nlink: st.nlink };
}

/** Reads `p` (a regular file, not through a link) in READ_CHUNK pieces; the descriptor closes when the reader stops. */
export async function readRegularFile(p: string, signal?: AbortSignal, after?: (n: number) => Promise<void>): Promise<HostReadStream> {
  const { fh, size } = await openRegular(p);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      let pos = 0;
      for (;;) {
        if (signal?.aborted) throw new XenError('ABORTED', `Reading ${p} was cancelled`, { field: 'jobId' });
        const buf = Buffer.allocUnsafe(READ_CHUNK);
        const { bytesRead } = await fh.read(buf, 0, buf.byteLength, pos);
        if (bytesRead === 0) return;
        pos += bytesRead;
        yield buf.subarray(0, bytesRead);
        await after?.(bytesRead);
      }
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
  return { size, chunks: chunks(), close: () => fh.close().catch(() => undefined) };
}
