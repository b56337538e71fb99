import { XenError } from '../../../../src/xen/errors';
import { readDirParts } from '../../../../src/xen/runner/read-dir';
import type {
  DirEntryRead,
  HostFileStat,
  HostFs,
  HostReadStream,
  ReadDirOptions,
  PtyHandle,
  RunOptions,
  RunResult,
  Runner,
  StreamHandle,
  XenProgram,
} from '../../../../src/xen/runner/types';
import { loadFixture } from '../../../fixtures/load';
import { buildCommand } from '../../../../src/xen/commands/build';
import type { CommandArgs, CommandName } from '../../../../src/xen/commands/table';

/** One command the fake runner was asked to run. */
export interface Call {
  program: XenProgram;
  args: string[];
  timeoutMs: number | undefined;
}

/** What a canned command answers: stdout, or a failure with xl's stderr. */
export type Reply = string | { stdout?: string; stderr?: string; exitCode?: number };

/** Picks a reply for a command line such as "xl list -l"; undefined means "not expected". */
export type Responder = (line: string, call: Call) => Reply | undefined;

/** Stdout of a real capture from test/fixtures. */
export function fx(name: string): string {
  return loadFixture(name).text;
}

/** A Runner that records every argv and answers from canned outputs; its fs is an in-memory FakeFs. */
/** A runner answering from canned xl output, over a FakeFs unless a test brings another HostFs (the ssh one). */
export class FakeRunner<FS extends HostFs = FakeFs> implements Runner {
  readonly kind = 'local' as const;
  readonly label = 'fake';
  readonly calls: Call[] = [];
  readonly fs: FS;
  private readonly responders: Responder[] = [];

  constructor(fs: FS = new FakeFs() as unknown as FS) {
    this.fs = fs;
  }

  /** Answers `line` (exact command line) with `reply`; a list of replies is used in order, the last one repeating. */
  on(line: string, ...replies: Reply[]): this {
    let i = 0;
    this.responders.push((l) => {
      if (l !== line) return undefined;
      const r = replies[Math.min(i, replies.length - 1)];
      i += 1;
      return r;
    });
    return this;
  }

  /** Adds a general responder, consulted after the exact-line ones registered before it. */
  use(r: Responder): this {
    this.responders.push(r);
    return this;
  }

  /** Command lines run so far, e.g. ["xl list", "xl pause test1"]. */
  get lines(): string[] {
    return this.calls.map((c) => [c.program, ...c.args].join(' '));
  }

  /** Argvs run so far. */
  get argvs(): string[][] {
    return this.calls.map((c) => [c.program, ...c.args]);
  }

  /** Like every runner, builds the argv from the command table (so tests see exactly what xl would get). */
  async run<K extends CommandName>(op: K, a: CommandArgs<K>, opts?: RunOptions & { allowFailure?: boolean }): Promise<RunResult> {
    const { program, argv: args } = buildCommand(op, a);
    const call: Call = { program, args: [...args], timeoutMs: opts?.timeoutMs };
    this.calls.push(call);
    const line = [program, ...args].join(' ');
    let reply: Reply | undefined;
    for (const r of this.responders) {
      reply = r(line, call);
      if (reply !== undefined) break;
    }
    if (reply === undefined) throw new Error(`FakeRunner: unexpected command: ${line}`);
    const res: RunResult =
      typeof reply === 'string'
        ? { stdout: reply, stderr: '', exitCode: 0 }
        : { stdout: reply.stdout ?? '', stderr: reply.stderr ?? '', exitCode: reply.exitCode ?? 0 };
    if (res.exitCode !== 0 && opts?.allowFailure !== true) {
      // Same contract as the real runners: xl's stderr is the message, intact.
      throw new XenError('XL_FAILED', res.stderr.trim(), { argv: [program, ...args], exitCode: res.exitCode, stderr: res.stderr });
    }
    return res;
  }

  stream(): StreamHandle {
    throw new Error('FakeRunner.stream is not used by ops');
  }

  pty(): PtyHandle {
    throw new Error('FakeRunner.pty is not used by ops');
  }

  async close(): Promise<void> {}
}

type Node = { kind: 'file'; text: string } | { kind: 'link'; target: string } | { kind: 'dir' };

/** An in-memory HostFs: absolute paths, files, symlinks and directories; records removals and writes. */
export class FakeFs implements HostFs {
  readonly nodes = new Map<string, Node>();
  readonly removed: string[] = [];
  readonly written: string[] = [];
  /** Directories read whole with readDir, in order. */
  readonly readDirs: string[] = [];

  constructor(files: Record<string, string> = {}) {
    for (const [p, t] of Object.entries(files)) this.put(p, t);
  }

  /** Adds a file and its parent directories. */
  put(path: string, text: string): this {
    this.mkdirs(parent(path));
    this.nodes.set(path, { kind: 'file', text });
    return this;
  }

  /** Adds a symlink and its parent directories. */
  link(path: string, target: string): this {
    this.mkdirs(parent(path));
    this.nodes.set(path, { kind: 'link', target });
    return this;
  }

  private mkdirs(dir: string): void {
    for (let d = dir; d !== '/' && d !== ''; d = parent(d)) this.nodes.set(d, { kind: 'dir' });
  }

  private resolve(path: string): Node | undefined {
    let n = this.nodes.get(path);
    for (let hops = 0; n?.kind === 'link' && hops < 8; hops++) {
      const t = n.target.startsWith('/') ? n.target : `${parent(path)}/${n.target}`;
      n = this.nodes.get(t);
    }
    return n;
  }

  async readFile(path: string): Promise<string> {
    const n = this.resolve(path);
    if (n?.kind !== 'file') throw new XenError('NOT_FOUND', `${path}: no such file`);
    return n.text;
  }

  async writeFileExclusive(path: string, text: string): Promise<void> {
    if (this.nodes.has(path)) throw new XenError('EXISTS', `${path} exists`);
    this.written.push(path);
    this.put(path, text);
  }

  async createEmpty(path: string): Promise<void> {
    await this.writeFileExclusive(path, '');
  }

  async writeStream(): Promise<void> {
    throw new Error('FakeFs.writeStream: transfers are tested on real files (test/unit/xen/storage/transfer.spec.ts)');
  }

  async readStream(): Promise<HostReadStream> {
    throw new Error('FakeFs.readStream: transfers are tested on real files (test/unit/xen/storage/transfer.spec.ts)');
  }

  async replaceFile(path: string, text: string): Promise<void> {
    this.written.push(path);
    this.put(path, text);
  }

  async list(dir: string): Promise<string[]> {
    const n = this.nodes.get(dir);
    if (n?.kind !== 'dir') throw new XenError('NOT_FOUND', `${dir}: no such directory`);
    const prefix = `${dir}/`;
    return [...this.nodes.keys()]
      .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
      .map((p) => p.slice(prefix.length))
      .sort();
  }

  async stat(path: string): Promise<HostFileStat | null> {
    const own = this.nodes.get(path);
    const n = this.resolve(path);
    if (own === undefined) return null;
    const size = n?.kind === 'file' ? n.text.length : 0;
    return {
      size,
      allocated: size,
      isFile: n?.kind === 'file',
      isDirectory: n?.kind === 'dir',
      isBlockDevice: false,
      isSymlink: own.kind === 'link',
      mtimeMs: 0,
    };
  }

  async remove(path: string): Promise<void> {
    if (!this.nodes.has(path)) throw new XenError('NOT_FOUND', `${path}: no such file`);
    this.nodes.delete(path);
    this.removed.push(path);
  }

  async symlink(target: string, path: string): Promise<void> {
    if (this.nodes.has(path)) throw new XenError('EXISTS', `${path} exists`);
    this.written.push(path);
    this.link(path, target);
  }

  async readlink(path: string): Promise<string | null> {
    const n = this.nodes.get(path);
    return n?.kind === 'link' ? n.target : null;
  }

  async createSparse(path: string, bytes: number): Promise<void> {
    if (this.nodes.has(path)) throw new XenError('EXISTS', `${path} exists`);
    this.written.push(path);
    this.put(path, '\0'.repeat(Math.min(bytes, 16)));
  }

  async freeBytes(): Promise<number> {
    return 10 * 2 ** 30;
  }

  async mkdirp(path: string): Promise<void> {
    this.mkdirs(path);
  }

  async readDir(dir: string, o: ReadDirOptions): Promise<DirEntryRead[]> {
    this.readDirs.push(dir);
    return readDirParts(this, dir, o);
  }

  async probeImages(): Promise<never[]> {
    return [];
  }

  async setFstabNfs(): Promise<void> {}
}

function parent(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** The error `p` rejects with; fails the test if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<XenError> {
  const r = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(r instanceof XenError)) throw new Error(`expected a XenError rejection, got ${String(r)}`);
  return r;
}

/** The XenError `fn` throws; fails the test if it returns. */
export function thrown(fn: () => unknown): XenError {
  try {
    fn();
  } catch (e) {
    if (e instanceof XenError) return e;
    throw e;
  }
  throw new Error('expected a XenError to be thrown');
}
