import type { Readable, Writable } from 'node:stream';
import { XenError } from '../errors';
import { abortable, linkRefused, sizeGuard } from './file-stream';
import { assertAbsolute, assertSize } from './local-fs';
import type { HostFs, HostReadStream } from './types';

/** One remote process started for one transfer: its pipes, its end, and how to stop it. */
export interface RemoteProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** Resolves with the exit code and stderr (rejects when ssh itself, not the script, failed). */
  readonly exited: Promise<{ exitCode: number; stderr: string }>;
  kill(): void;
}

/** Starts a fixed `sh -c SCRIPT sh ARGS...` on the remote host with its stdin and stdout as pipes: one ssh per transfer. */
export type RemoteScriptSpawner = (script: string, args: readonly string[]) => Promise<RemoteProcess>;

/** Exit codes of the two scripts below beyond those ssh-fs.ts uses. */
export const STREAM_EXIT = { ABSENT: 3, PRESENT: 17, SHORT: 5, LINK: 20, NOT_REGULAR: 21 } as const;

/**
 * The transfer scripts. Paths and sizes are positional parameters, never script text. Upload: refused when anything
 * is at "$1" (a link too); noclobber makes the redirect O_EXCL, so nothing that appears meanwhile is opened either;
 * "created" tells the app the file is its own; a file that did not reach "$2" bytes (cancel, lost connection: cat sees
 * the end of its input) is removed by the script itself. Download: a regular file only, never through a link; its
 * size on the first line, then its bytes.
 */
export const SSH_STREAM_SCRIPTS = {
  writeStream:
    `{ [ -e "$1" ] || [ -L "$1" ]; } && exit ${STREAM_EXIT.PRESENT}; umask 077; set -C; exec 3>"$1" || exit 1; echo created; ` +
    `cat >&3 || { rm -f -- "$1"; exit 1; }; exec 3>&-; ` +
    `[ "$(stat -c %s -- "$1")" = "$2" ] || { rm -f -- "$1"; exit ${STREAM_EXIT.SHORT}; }`,
  readStream:
    `[ -L "$1" ] && exit ${STREAM_EXIT.LINK}; [ -e "$1" ] || exit ${STREAM_EXIT.ABSENT}; [ -f "$1" ] || exit ${STREAM_EXIT.NOT_REGULAR}; ` +
    'stat -c %s -- "$1" || exit 1; exec cat -- "$1"',
} as const;

/** The XenError for a transfer script's exit code. */
function streamFailure(path: string, exitCode: number, stderr: string): XenError {
  const detail = { path, exitCode, stderr };
  switch (exitCode) {
    case STREAM_EXIT.ABSENT:
      return new XenError('NOT_FOUND', `${path} does not exist`, detail);
    case STREAM_EXIT.PRESENT:
      return new XenError('EXISTS', `${path} already exists`, { ...detail, field: 'name' });
    case STREAM_EXIT.SHORT:
      return new XenError('XL_FAILED', `${path} did not receive all its bytes; the partial file was removed`, detail);
    case STREAM_EXIT.LINK:
      return linkRefused(path);
    case STREAM_EXIT.NOT_REGULAR:
      return new XenError('INVALID_ARG', `${path} is not a regular file`, { ...detail, field: 'path' });
    default: {
      const said = stderr.trim().split('\n')[0] ?? '';
      if (/permission denied|read-only file system/i.test(stderr)) return new XenError('PERMISSION', said, detail);
      return new XenError('XL_FAILED', said || `Transfer of ${path} failed with exit code ${exitCode}`, detail);
    }
  }
}

/** Writes `chunk` to `w`, waiting for drain; rejects when the process ends first. */
async function put(w: Writable, chunk: Uint8Array, ended: Promise<unknown>): Promise<void> {
  if (w.write(chunk)) return;
  await Promise.race([new Promise((r) => w.once('drain', r)), ended.then(() => Promise.reject(new Error('the remote side stopped reading')))]);
}

/** HostFs.writeStream and readStream over ssh, one process each; `remove` cleans up a partial upload the script could not. */
export function sshStreams(spawn: RemoteScriptSpawner, remove: (p: string) => Promise<void>): Pick<HostFs, 'writeStream' | 'readStream'> {
  return {
    async writeStream(p, bytes, source, signal) {
      assertAbsolute(p);
      assertSize(bytes);
      const proc = await spawn(SSH_STREAM_SCRIPTS.writeStream, [p, String(bytes)]);
      const ended: { r: { exitCode: number; stderr: string } | null } = { r: null };
      proc.exited.then((r) => (ended.r = r), () => undefined);
      proc.stdin.on('error', () => undefined);
      // No byte is sent before the script says the new file is its own: from then on a failure removes it here too.
      await created(proc, p);
      const guard = sizeGuard(p, bytes);
      try {
        for await (const chunk of abortable(source, signal, `Uploading ${p}`)) {
          guard.add(chunk.byteLength);
          await put(proc.stdin, chunk, proc.exited);
        }
        guard.end();
        proc.stdin.end();
        const { exitCode, stderr } = await proc.exited;
        if (exitCode !== 0) throw streamFailure(p, exitCode, stderr);
      } catch (e) {
        const early = ended.r;
        proc.kill();
        // The file is this call's own ("created"), however far the script got.
        await remove(p).catch(() => undefined);
        throw early !== null && early.exitCode !== 0 && !(e instanceof XenError) ? streamFailure(p, early.exitCode, early.stderr) : e;
      }
    },
    async readStream(p, signal) {
      assertAbsolute(p);
      return readOver(await spawn(SSH_STREAM_SCRIPTS.readStream, [p]), p, signal);
    },
  };
}

/** Waits for the upload script's "created" line; a script that ends first (EXISTS, a missing directory) says why. */
async function created(proc: RemoteProcess, p: string): Promise<void> {
  let out = '';
  for await (const d of proc.stdout as AsyncIterable<Buffer>) {
    out += d.toString('utf8');
    if (out.startsWith('created\n')) return;
  }
  const { exitCode, stderr } = await proc.exited;
  throw streamFailure(p, exitCode === 0 ? 1 : exitCode, stderr);
}

/** Reads the size line, then hands on the remaining bytes; a script that failed first says why. */
async function readOver(proc: RemoteProcess, p: string, signal?: AbortSignal): Promise<HostReadStream> {
  const it = proc.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  while (!head.includes(0x0a)) {
    const r = await it.next();
    if (r.done === true) {
      const { exitCode, stderr } = await proc.exited;
      throw streamFailure(p, exitCode === 0 ? 1 : exitCode, stderr);
    }
    head = Buffer.concat([head, r.value]);
  }
  const nl = head.indexOf(0x0a);
  const size = Number(head.subarray(0, nl).toString('utf8'));
  if (!Number.isSafeInteger(size)) throw new XenError('PARSE', `stat printed ${JSON.stringify(head.subarray(0, nl).toString())} for ${p}`, { path: p });
  const first = head.subarray(nl + 1);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      if (first.byteLength > 0) yield first;
      const rest = { [Symbol.asyncIterator]: () => it };
      for await (const c of abortable(rest, signal, `Downloading ${p}`)) yield c;
      const { exitCode, stderr } = await proc.exited;
      if (exitCode !== 0) throw streamFailure(p, exitCode, stderr);
    } finally {
      proc.kill();
    }
  }
  return { size, chunks: chunks(), close: async () => proc.kill() };
}
