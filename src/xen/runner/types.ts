import type { Readable } from 'node:stream';
import type { CommandArgs, CommandName } from '../commands/table';

/** Programs this layer may run; nothing else ever reaches a runner. */
export type XenProgram =
  | 'xl'
  | 'xentop'
  | 'xenstore-read'
  | 'xenstore-ls'
  | 'xenstore-list'
  | 'qemu-img'
  | 'brctl'
  | 'ip'
  | 'df'
  | 'lsblk'
  | 'vgs'
  | 'lvs'
  | 'lvcreate'
  | 'lvconvert'
  | 'lvremove'
  | 'lvextend'
  | 'lvreduce'
  | 'vgcreate'
  | 'findmnt'
  | 'mount'
  | 'umount';

/** Options for one command. */
export interface RunOptions {
  /** Milliseconds before the command is killed and TIMEOUT thrown. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What a finished command left behind. A non-zero exit is thrown as XL_FAILED unless `allowFailure` was set. */
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A long-lived process whose stdout is read as a stream (xentop -b). */
export interface StreamHandle {
  readonly stdout: Readable;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  kill(): void;
}

/** A process on a pseudo-terminal (xl console). */
export interface PtyHandle {
  onData(cb: (data: string) => void): () => void;
  onExit(cb: (exitCode: number) => void): () => void;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Pause/resume reading (flow control). */
  pause(): void;
  resume(): void;
  kill(): void;
}

/** File facts the app needs about the host (configs, images). */
export interface HostFileStat {
  size: number;
  /** Bytes actually allocated (sparse files). */
  allocated: number;
  isFile: boolean;
  isDirectory: boolean;
  isBlockDevice: boolean;
  isSymlink: boolean;
  mtimeMs: number;
}

/** Files on the managed host: /etc/xen, /etc/xen/auto, images. Paths are absolute host paths. */
export interface HostFs {
  readFile(path: string): Promise<string>;
  /** Creates a new file; throws EXISTS rather than overwrite. */
  writeFileExclusive(path: string, text: string): Promise<void>;
  /** Creates a new empty file (a disk image about to be filled by qemu-img); throws EXISTS rather than touch one. */
  createEmpty(path: string): Promise<void>;
  /** Replaces an existing file atomically (write temp + rename). */
  replaceFile(path: string, text: string): Promise<void>;
  list(dir: string): Promise<string[]>;
  stat(path: string): Promise<HostFileStat | null>;
  /** Removes a file this app is allowed to remove (configs, images the user chose). */
  remove(path: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  readlink(path: string): Promise<string | null>;
  /** Creates a sparse raw image of `bytes`; throws EXISTS if present. */
  createSparse(path: string, bytes: number): Promise<void>;
  /** Free bytes on the filesystem holding `path`. */
  freeBytes(path: string): Promise<number>;
  /** Makes a directory and its parents; `mode` (e.g. 0o700) for the ones it makes, where the runner can say. */
  mkdirp(path: string, mode?: number): Promise<void>;
  /** The image files directly in a pool directory, with what their headers say: one request for the whole directory. */
  probeImages(dir: string): Promise<ImageProbe[]>;
  /**
   * A directory's entries in one request (on a remote host, one round trip rather than one per file): each name ending
   * in `suffix` and not starting with ".", its link target (null when not a link) and, with `text`, the contents of
   * each readable regular file up to READ_DIR_MAX_BYTES (null otherwise). NOT_FOUND when the directory does not exist.
   */
  readDir(dir: string, o: ReadDirOptions): Promise<DirEntryRead[]>;
  /** Adds (source "server:/export") or removes (null) the /etc/fstab entry of the NFS pool mounted at `path`. */
  setFstabNfs(path: string, source: string | null): Promise<void>;
  /**
   * Streams exactly `bytes` from `source` into a NEW file at `path` (O_EXCL: never over anything there, never through a
   * link); a failure, a short or long source, or `signal` removes exactly the partial file this call made.
   */
  writeStream(path: string, bytes: number, source: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void>;
  /** A regular file's bytes (never through a link at its final component), with its size; `signal` ends the read. */
  readStream(path: string, signal?: AbortSignal): Promise<HostReadStream>;
}

/** A host file being read by readStream. */
export interface HostReadStream {
  readonly size: number;
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Lets go of the file without reading it (reading to the end, or stopping, lets go by itself). */
  close(): Promise<void>;
}

/** What readDir reads. */
export interface ReadDirOptions {
  suffix: string;
  text: boolean;
}

/** One entry as readDir reports it. */
export interface DirEntryRead {
  name: string;
  link: string | null;
  text: string | null;
}

/** Files bigger than this are listed by readDir without their text (a config file is a few KiB). */
export const READ_DIR_MAX_BYTES = 1024 * 1024;

/** An image file as a pool lists it. */
export interface ImageProbe {
  readonly name: string;
  readonly size: number;
  readonly allocated: number;
  readonly format: 'raw' | 'qcow2' | 'iso';
  readonly virtualBytes: number;
  readonly backing: string | null;
  /** The backing file's declared format (qcow2's header extension), when there is a backing file. */
  readonly backingFormat?: string | null;
}

/**
 * What starts programs on one host: local, over SSH, or the demo host's simulator. It takes an argv, so only the
 * runners built on it (commandRunner) and the root broker hold one; operations never do.
 */
export interface Executor {
  readonly kind: 'local' | 'ssh' | 'demo';
  /** Human label for the status bar, e.g. "local Xen", "demo host", "root@dom0 over SSH". */
  readonly label: string;
  run(program: XenProgram, args: readonly string[], opts?: RunOptions & { allowFailure?: boolean }): Promise<RunResult>;
  stream(program: XenProgram, args: readonly string[]): StreamHandle;
  pty(program: 'xl', args: readonly string[], size: { cols: number; rows: number }): PtyHandle;
  readonly fs: HostFs;
  close(): Promise<void>;
}

/**
 * The way operations reach one toolstack: local, through the broker, over SSH, or the built-in demo host. Commands are
 * named by the command table (src/xen/commands/table.ts) with their arguments; the argv is built from the table by
 * the runner, or, through the broker, by root.
 */
export interface Runner {
  readonly kind: 'local' | 'broker' | 'ssh' | 'demo';
  /** Human label for the status bar, e.g. "local Xen", "demo host", "root@dom0 over SSH". */
  readonly label: string;
  /** Runs a `run` command; a non-zero exit throws XL_FAILED unless allowFailure. No timeout given: the table's class. */
  run<K extends CommandName>(op: K, args: CommandArgs<K>, opts?: RunOptions & { allowFailure?: boolean }): Promise<RunResult>;
  stream<K extends 'stats.xentop' | 'image.convert'>(op: K, args: CommandArgs<K>): StreamHandle;
  pty(op: 'console.open', args: CommandArgs<'console.open'>, size: { cols: number; rows: number }): PtyHandle;
  readonly fs: HostFs;
  close(): Promise<void>;
}
