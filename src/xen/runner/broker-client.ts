import { PassThrough } from 'node:stream';
import { XenError } from '../errors';
import { fromWireError, type WireError } from '../broker/protocol';
import { buildCommand } from '../commands/build';
import { parseXlConfig } from '../config/xl-config';
import { BrokerConnection, type EventSink } from './broker-connection';
import { assertPtySize } from './pty-process';
import { parsePoolsFile, POOLS_FILE } from '../storage/pools-file';
import { META_PATH_RE } from '../../shared/snapshot';
import { abortable, sizeGuard } from './file-stream';
import { TRANSFER_CHUNK } from '../broker/transfer-ops';
import type { DirEntryRead, HostFileStat, HostFs, PtyHandle, RunOptions, RunResult, Runner, StreamHandle, ImageProbe } from './types';

export { brokerLaunchCommand, type BrokerLaunchFacts } from './broker-launch';

/** How to start the broker. */
export interface BrokerRunnerOptions {
  /** argv, e.g. ['pkexec', '/usr/lib/xenith/xenith-broker'] from brokerLaunchCommand. */
  command: readonly string[];
  env?: NodeJS.ProcessEnv;
  label?: string;
  /** How many times a broker that died is started again (default 1); a second death is final. */
  maxRestarts?: number;
}

/** Sends one request on the current broker connection (started, or restarted, as needed). */
type BrokerCall = (op: string, args: Record<string, unknown>, o?: { opts?: Record<string, unknown>; sink?: EventSink; id?: number }) => Promise<unknown>;

/** What the runner's parts share: the request sender and the request id counter. */
interface BrokerCaller {
  call: BrokerCall;
  newId(): number;
}

const WRITE_CHUNK = 32 * 1024;

/** The values xl acts on in `text` (last assignment wins); the broker renders and checks the file from them. */
function configValues(text: string): Record<string, unknown> {
  try {
    return parseXlConfig(text).toObject();
  } catch (e) {
    throw new XenError('INVALID_ARG', `config: ${e instanceof Error ? e.message : String(e)}`, { field: 'config', rule: 'syntax' });
  }
}

/** Runner that sends every call to the privileged broker process over its stdio (JSON lines). */
export function createBrokerRunner(options: BrokerRunnerOptions): Runner {
  let conn: BrokerConnection | null = null;
  let restarts = 0;
  let closed = false;
  let nextId = 1;
  const maxRestarts = options.maxRestarts ?? 1;

  const connection = (): BrokerConnection => {
    if (closed) throw new XenError('ABORTED', 'The toolstack connection was closed', {});
    if (conn?.dead != null) {
      if (restarts >= maxRestarts) throw conn.dead;
      restarts++;
      conn = null;
    }
    conn ??= new BrokerConnection(options.command, options.env);
    return conn;
  };
  const newId = (): number => nextId++;
  const call: BrokerCall = async (op, args, o = {}) => {
    const c = connection();
    return c.request(o.id ?? newId(), op, args, o.opts ?? {}, o.sink);
  };
  const caller: BrokerCaller = { call, newId };

  return {
    kind: 'broker',
    label: options.label ?? 'local Xen (via helper)',
    run: async (op, args, opts = {}) => brokerRun(caller, op, args, opts),
    stream: (op, args) => brokerStream(caller, op, args),
    pty: (op, args, size) => brokerPty(caller, op, args, size),
    fs: brokerFs(call),
    async close() {
      closed = true;
      if (conn !== null && conn.dead === null) await conn.close();
      conn = null;
    },
  };
}

/** A file replaced through the operation that owns it: the pools file, a snapshot list, or a config. */
function replaceVia(call: BrokerCall, path: string, text: string): Promise<unknown> {
  if (path === POOLS_FILE) return call('pools.save', { pools: parsePoolsFile(text) });
  if (META_PATH_RE.test(path)) return call('snapshots.save', { path, meta: JSON.parse(text) as unknown });
  return call('config.replace', { path, values: configValues(text) });
}

/** The host's files through the broker's file operations. */
function brokerFs(call: BrokerCall): HostFs {
  return {
    // The pools file is part of root's policy: read as the broker holds it, written as checked pools, never as text.
    readFile: async (path) => (await (path === POOLS_FILE ? call('pools.read', {}) : META_PATH_RE.test(path) ? call('snapshots.read', { path }) : call('fs.readFile', { path }))) as string,
    // Configs cross as the values xl acts on, never as text: root renders and checks the file it writes.
    writeFileExclusive: async (path, text) => void (await call('config.create', { path, values: configValues(text) })),
    replaceFile: async (path, text) => void (await replaceVia(call, path, text)),
    createEmpty: async (path) => void (await call('image.claim', { path })),
    list: async (path) => (await call('fs.list', { path })) as string[],
    stat: async (path) => (await call('fs.stat', { path })) as HostFileStat | null,
    remove: async (path) => void (await call('fs.remove', { path })),
    symlink: async (target, path) => void (await call('autostart.link', { target, path })),
    readlink: async (path) => (await call('fs.readlink', { path })) as string | null,
    createSparse: async (path, bytes) => void (await call('image.createSparse', { path, bytes })),
    freeBytes: async (path) => (await call('fs.freeBytes', { path })) as number,
    // The pools file's directory is root's to make (pools.save does).
    mkdirp: async (path) => void (path === POOLS_FILE.slice(0, POOLS_FILE.lastIndexOf('/')) ? undefined : await call('fs.mkdirp', { path })),
    probeImages: async (path) => (await call('fs.probeImages', { path })) as ImageProbe[],
    readDir: async (path, o) => (await call('fs.readDir', { path, suffix: o.suffix, text: o.text })) as DirEntryRead[],
    // Root writes the line itself, from the pool its policy names: the app only says which mount point, and whether.
    setFstabNfs: async (path, source) => void (await call('fstab.nfs', { path, present: source !== null })),
    ...brokerStreams(call),
  };
}

/** Runner.run over the broker: a cancelled signal becomes a `cancel` request for this run's id. */
async function brokerRun(c: BrokerCaller, op: string, args: Record<string, unknown>, opts: RunOptions & { allowFailure?: boolean }): Promise<RunResult> {
  // Checked here too, so a bad call fails fast with the same words; the broker checks again and builds the argv.
  buildCommand(op, args);
  if (opts.signal?.aborted) throw new XenError('ABORTED', `${op} was cancelled`, { op });
  const id = c.newId();
  const onAbort = (): void => void c.call('cancel', { target: id }).catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const o: Record<string, unknown> = { allowFailure: opts.allowFailure === true };
    if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) o['timeoutMs'] = opts.timeoutMs;
    return (await c.call(op, args, { opts: o, id })) as RunResult;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Runner.stream over the broker: data events feed stdout, and kill sends `stream.stop`. */
function brokerStream(c: BrokerCaller, op: string, args: Record<string, unknown>): StreamHandle {
  buildCommand(op, args);
  const stdout = new PassThrough();
  const id = c.newId();
  let killed = false;
  let settle!: (code: number | null) => void;
  let fail!: (e: XenError) => void;
  const exited = new Promise<number | null>((resolve, reject) => ((settle = resolve), (fail = reject)));
  exited.catch(() => undefined);
  const sink: EventSink = (event, data) => {
    if (event === 'data' && typeof data === 'string') stdout.write(data);
    else if (event === 'error') fail(fromWireError(data as WireError));
    else if (event === 'exit') {
      stdout.end();
      settle(typeof data === 'number' ? data : null);
    }
  };
  c.call(op, args, { sink, id }).then(
    () => killed && void c.call('stream.stop', { target: id }).catch(() => undefined),
    (e: XenError) => {
      stdout.end();
      fail(e);
    },
  );
  return {
    stdout,
    exited,
    kill() {
      if (killed) return;
      killed = true;
      void c.call('stream.stop', { target: id }).catch(() => undefined);
    },
  };
}

/** Runner.pty over the broker: the pty's controls are requests naming the open request's id. */
function brokerPty(c: BrokerCaller, op: string, args: Record<string, unknown>, size: { cols: number; rows: number }): PtyHandle {
  buildCommand(op, args);
  assertPtySize(size.cols, size.rows);
  const id = c.newId();
  const dataCbs = new Set<(d: string) => void>();
  const exitCbs = new Set<(code: number) => void>();
  let exitCode: number | null = null;
  const sink: EventSink = (event, data) => {
    if (event === 'data' && typeof data === 'string') for (const cb of dataCbs) cb(data);
    else if (event === 'exit' && exitCode === null) {
      exitCode = typeof data === 'number' ? data : 1;
      for (const cb of exitCbs) cb(exitCode);
    }
  };
  // Later requests wait for the open to be answered: the broker handles requests concurrently.
  const opened = c.call(op, args, { opts: { cols: size.cols, rows: size.rows }, sink, id }).then(
    () => true,
    () => (sink('exit', 1), false),
  );
  const send = (control: string, extra: Record<string, unknown> = {}): void => {
    void opened.then((ok) => (ok && exitCode === null ? c.call(control, { target: id, ...extra }) : null)).catch(() => undefined);
  };
  return {
    onData: (cb) => (dataCbs.add(cb), () => void dataCbs.delete(cb)),
    onExit: (cb) => (exitCbs.add(cb), () => void exitCbs.delete(cb)),
    write: (data) => {
      for (let i = 0; i < data.length; i += WRITE_CHUNK) send('pty.write', { data: data.slice(i, i + WRITE_CHUNK) });
    },
    resize: (cols, rows) => {
      assertPtySize(cols, rows);
      send('pty.resize', { cols, rows });
    },
    pause: () => send('pty.pause'),
    resume: () => send('pty.resume'),
    kill: () => send('pty.close'),
  };
}

/** Upload writes kept in flight at once: the pipe stays busy while root writes the previous piece. */
const UPLOAD_WINDOW = 4;

/** Cuts `source` into pieces of exactly `size` bytes (the last one shorter). */
async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let have = 0;
  for await (const c of source) {
    pending.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    have += c.byteLength;
    while (have >= size) {
      const all = Buffer.concat(pending, have);
      yield all.subarray(0, size);
      pending = [all.subarray(size)];
      have -= size;
    }
  }
  if (have > 0) yield Buffer.concat(pending, have);
}

/**
 * HostFs.writeStream and readStream through root's transfer sessions: image.upload.open (root makes the new file),
 * base64 writes at their offsets, then close (root checks the size and the image's head) or abort (root removes it).
 */
function brokerStreams(call: BrokerCall): Pick<HostFs, 'writeStream' | 'readStream'> {
  return {
    async writeStream(path, bytes, source, signal) {
      const { target } = (await call('image.upload.open', { path, bytes })) as { target: string };
      const guard = sizeGuard(path, bytes);
      const inFlight = new Set<Promise<unknown>>();
      try {
        let offset = 0;
        for await (const piece of rechunk(abortable(source, signal, `Uploading ${path}`), TRANSFER_CHUNK)) {
          guard.add(piece.byteLength);
          const w = call('image.upload.write', { target, offset, data: piece.toString('base64') });
          offset += piece.byteLength;
          inFlight.add(w);
          void w.finally(() => inFlight.delete(w)).catch(() => undefined);
          if (inFlight.size >= UPLOAD_WINDOW) await Promise.race(inFlight);
        }
        guard.end();
        await Promise.all(inFlight);
        await call('image.upload.close', { target });
      } catch (e) {
        await Promise.allSettled(inFlight);
        await call('image.upload.abort', { target }).catch(() => undefined);
        throw e;
      }
    },
    async readStream(path, signal) {
      const { target, size } = (await call('image.download.open', { path })) as { target: string; size: number };
      async function* chunks(): AsyncGenerator<Uint8Array> {
        try {
          for (let offset = 0; offset < size; ) {
            if (signal?.aborted) throw new XenError('ABORTED', `Downloading ${path} was cancelled`, { field: 'jobId' });
            const b = Buffer.from((await call('image.download.read', { target, offset, length: Math.min(TRANSFER_CHUNK, size - offset) })) as string, 'base64');
            if (b.byteLength === 0) throw new XenError('XL_FAILED', `${path} ended at ${offset} of ${size} bytes`, { path });
            offset += b.byteLength;
            yield b;
          }
        } finally {
          await call('image.download.close', { target }).catch(() => undefined);
        }
      }
      return { size, chunks: chunks(), close: () => call('image.download.close', { target }).then(() => undefined, () => undefined) };
    },
  };
}
