import { lstat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { buildCommand, isCommandName } from '../commands/build';
import { COMMANDS } from '../commands/table';
import { renderCanonical } from '../config/config-policy';
import { XL_KEY_RE } from '../config/xl-format';
import { XenError } from '../errors';
import { parseArgs } from './parse-args';
import { readDirParts } from '../runner/read-dir';
import { assertPtySize } from '../runner/pty-process';
import type { Executor, PtyHandle, StreamHandle, XenProgram } from '../runner/types';
import { checkConfigFile, checkConfigText, checkRun, createGuards, type BrokerGuards } from './allowlist';
import type { BlockDeviceEnv } from './block-devices';
import { withPools, type BrokerPolicy } from './policy';
import type { PoolDef } from '../../shared/storage';
import { META_PATH_RE, SNAPSHOT_META, SNAPSHOT_SUBDIR, snapshotMetaSchema } from '../../shared/snapshot';
import { editFstab } from '../storage/fstab';
import { checkPoolsForRoot } from './pool-policy';
import { checkPools, formatPoolsFile } from '../storage/pools-file';
import { isInside, type FinalComponent } from './paths';
import { toWireError, type BrokerEvent, type BrokerId } from './protocol';
import { TRANSFER_OPS, type TransferSessions } from './transfer-ops';

/** What one request handler gets: its id, its checked-as-object args and opts, and the broker's shared state. */
export interface OpCall {
  id: BrokerId;
  args: Record<string, unknown>;
  opts: Record<string, unknown>;
}

/** The broker's state the handlers share. */
export interface OpState {
  readonly executor: Executor;
  /** Root's policy file, before the pools widen it. */
  readonly basePolicy: BrokerPolicy;
  readonly blockEnv: BlockDeviceEnv | undefined;
  /** The storage pools (pools.json; null while there is no file), part of the policy; pools.save replaces them. */
  pools: PoolDef[] | null;
  readonly poolsFile: string;
  /** The guards of basePolicy widened by the pools. */
  guards: BrokerGuards;
  /** Volume groups this broker made (vgcreate on a disk it found free): the app may make pools of them. */
  readonly madeVgs: Set<string>;
  readonly runs: Map<BrokerId, AbortController>;
  readonly streams: Map<BrokerId, StreamHandle>;
  readonly ptys: Map<BrokerId, PtyHandle>;
  /** Image uploads and downloads open on this connection (transfer-ops.ts). */
  readonly transfers: TransferSessions;
  send(msg: BrokerEvent): void;
}

export type OpHandler = (st: OpState, call: OpCall) => Promise<unknown>;

/** The longest a single command may be given to take (an hour): the caller cannot make root hold a process forever. */
const MAX_TIMEOUT_MS = 3_600_000;
const MAX_WRITE = 64 * 1024;

/** Parses `v` with `schema`; a refusal is INVALID_ARG naming the field. */
const parse = parseArgs;

const pathArgs = z.object({ path: z.string().min(1).max(4096) }).strict();
const targetArgs = z.object({ target: z.union([z.number().int(), z.string().max(64)]) }).strict();
const runOpts = z.object({ timeoutMs: z.number().int().positive().max(MAX_TIMEOUT_MS).optional(), allowFailure: z.boolean().optional() }).strict();
const ptyOpts = z.object({ cols: z.number(), rows: z.number() }).strict();

/** A config as values (what xl acts on), never as text: root renders the file itself. */
type XlValue = string | number | XlValue[];
const xlValue: z.ZodType<XlValue> = z.lazy(() => z.union([z.string().max(MAX_WRITE), z.number().finite(), z.array(xlValue).max(256)]));
const configArgs = z.object({ path: z.string().min(1).max(4096), values: z.record(z.string().regex(XL_KEY_RE).max(64), xlValue) }).strict();

function session<T>(map: Map<BrokerId, T>, args: Record<string, unknown>): T {
  const { target } = parse(targetArgs, args, 'target');
  const h = map.get(target);
  if (h === undefined) throw new XenError('NOT_FOUND', `No open session ${JSON.stringify(target)}`, { field: 'target' });
  return h;
}

/** A command from the table: the args checked by its schema, the argv built here, then checked against root's policy. */
async function checkedCommand(op: string, args: Record<string, unknown>, guards: BrokerGuards): Promise<{ program: XenProgram; argv: readonly string[] }> {
  const c = buildCommand(op, args);
  const checked = await checkRun(c.program, c.argv, guards);
  return { program: checked.program, argv: checked.args };
}

async function runCommand(st: OpState, op: string, { id, args, opts }: OpCall): Promise<unknown> {
  // Registered before the first await, so a cancel that arrives in the same chunk still finds it.
  const ac = new AbortController();
  st.runs.set(id, ac);
  try {
    const o = parse(runOpts, opts, 'opts');
    const c = await checkedCommand(op, args, st.guards);
    const r = await st.executor.run(c.program, c.argv, { signal: ac.signal, allowFailure: o.allowFailure === true, ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
    if (op === 'lvm.vgcreate' && r.exitCode === 0 && typeof args['vg'] === 'string') st.madeVgs.add(args['vg']);
    return r;
  } finally {
    st.runs.delete(id);
  }
}

async function startStream(st: OpState, op: string, { id, args }: OpCall): Promise<null> {
  const c = await checkedCommand(op, args, st.guards);
  const h = st.executor.stream(c.program, c.argv);
  st.streams.set(id, h);
  const dec = new StringDecoder('utf8');
  h.stdout.on('data', (b: Buffer | string) => st.send({ id, event: 'data', data: typeof b === 'string' ? b : dec.write(b) }));
  h.exited
    .then(
      (code) => st.send({ id, event: 'exit', data: code }),
      (e: unknown) => {
        st.send({ id, event: 'error', data: toWireError(e) });
        st.send({ id, event: 'exit', data: null });
      },
    )
    .finally(() => st.streams.delete(id));
  return null;
}

async function openPty(st: OpState, op: string, { id, args, opts }: OpCall): Promise<null> {
  const { cols, rows } = parse(ptyOpts, opts, 'opts');
  assertPtySize(cols, rows);
  const c = await checkedCommand(op, args, st.guards);
  const h = st.executor.pty('xl', c.argv, { cols, rows });
  st.ptys.set(id, h);
  h.onData((data) => st.send({ id, event: 'data', data }));
  h.onExit((code) => {
    st.ptys.delete(id);
    st.send({ id, event: 'exit', data: code });
  });
  return null;
}

/** Runs `op` when it names a command of the table, by its mode; null when it does not. */
export function commandHandler(op: string): OpHandler | null {
  if (!isCommandName(op)) return null;
  const mode = COMMANDS[op].mode;
  return async (st, call) => {
    if (mode === 'stream') return startStream(st, op, call);
    if (mode === 'pty') return openPty(st, op, call);
    return runCommand(st, op, call);
  };
}

/** Config values root is asked to write: rendered canonically, checked as a whole against the policy, then written. */
async function configText(values: Record<string, XlValue>, guards: BrokerGuards): Promise<string> {
  return (await checkConfigText(renderCanonical(values), guards)).text;
}

/** The first guard that accepts the path, or the last one's refusal. */
async function firstOf(p: unknown, checks: readonly ((p: unknown) => Promise<string>)[]): Promise<string> {
  let last: unknown;
  for (const c of checks) {
    try {
      return await c(p);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

const cfgFile = (g: BrokerGuards, p: string, final: FinalComponent): Promise<string> => checkConfigFile(p, g, final);

/** Files Xenith may remove: autostart links, its configs, save files, disk images (never through a link). */
const removable = (g: BrokerGuards, p: string): Promise<string> =>
  firstOf(p, [(x) => g.auto.check(x, 'nofollow'), (x) => checkConfigFile(x, g, 'nofollow'), (x) => g.save.check(x, 'nofollow'), (x) => g.images.check(x, 'nofollow')]);

/** The snapshot list's path in root's save directory for the domain it names; the caller's path must be exactly it. */
async function snapshotMetaFile(st: OpState, args: Record<string, unknown>): Promise<{ path: string; name: string }> {
  const { path } = parse(z.object({ path: z.string().max(4096), meta: z.unknown().optional() }).strict(), args, 'snapshots');
  const name = META_PATH_RE.exec(path)?.[1];
  if (name === undefined || path !== `${st.guards.policy.saveDir}/${SNAPSHOT_SUBDIR}/${name}/${SNAPSHOT_META}`) {
    throw new XenError('PERMISSION', `${path} is not a snapshot list in ${st.guards.policy.saveDir}`, { field: 'path' });
  }
  return { path: await st.guards.save.check(path, 'nofollow'), name };
}

const pathOf = (args: Record<string, unknown>): string => parse(pathArgs, args, 'path').path;

/**
 * A directory fs.readDir may list without texts: the autostart directory (its links), or the save directory itself
 * (which domains have a saved state: names only, never a file's contents, never a folder below it).
 */
async function namesOnlyDir(st: OpState, p: string): Promise<string> {
  const saveDir = st.guards.policy.saveDir;
  if (p === saveDir) return st.guards.save.check(p, 'follow');
  return st.guards.auto.check(p, 'follow');
}

/** Session controls and file operations, each with its own schema and guard. */
export const FILE_AND_SESSION_OPS: Readonly<Record<string, OpHandler>> = {
  cancel: async (st, { args }) => (session(st.runs, args).abort(), null),
  'stream.stop': async (st, { args }) => (session(st.streams, args).kill(), null),
  'pty.write': async (st, { args }) => {
    const { data } = parse(targetArgs.extend({ data: z.string().max(MAX_WRITE) }).strict(), args, 'pty.write');
    session(st.ptys, { target: args['target'] }).write(data);
    return null;
  },
  'pty.resize': async (st, { args }) => {
    const { target, cols, rows } = parse(targetArgs.extend({ cols: z.number(), rows: z.number() }).strict(), args, 'pty.resize');
    assertPtySize(cols, rows);
    session(st.ptys, { target }).resize(cols, rows);
    return null;
  },
  'pty.pause': async (st, { args }) => (session(st.ptys, args).pause(), null),
  'pty.resume': async (st, { args }) => (session(st.ptys, args).resume(), null),
  'pty.close': async (st, { args }) => (session(st.ptys, args).kill(), null),
  'fs.readFile': async (st, { args }) => st.executor.fs.readFile(await st.guards.configRead.check(pathOf(args), 'follow')),
  'config.create': async (st, { args }) => {
    const { path, values } = parse(configArgs, args, 'config.create');
    const file = await cfgFile(st.guards, path, 'nofollow');
    return st.executor.fs.writeFileExclusive(file, await configText(values, st.guards));
  },
  'config.replace': async (st, { args }) => {
    const { path, values } = parse(configArgs, args, 'config.replace');
    const file = await cfgFile(st.guards, path, 'nofollow');
    return st.executor.fs.replaceFile(file, await configText(values, st.guards));
  },
  'fs.list': async (st, { args }) => st.executor.fs.list(await st.guards.any.check(pathOf(args), 'follow')),
  'fs.stat': async (st, { args }) => st.executor.fs.stat(await st.guards.any.check(pathOf(args), 'nofollow')),
  'fs.remove': async (st, { args }) => st.executor.fs.remove(await removable(st.guards, pathOf(args))),
  'autostart.link': async (st, { args }) => {
    const { path, target } = parse(pathArgs.extend({ target: z.string().min(1).max(4096) }).strict(), args, 'autostart.link');
    const at = await st.guards.auto.check(path, 'nofollow');
    // An autostart link points at a config file, nothing else, or a link in /etc/xen/auto could expose any file.
    await checkConfigFile(target.startsWith('/') ? target : `${at.slice(0, at.lastIndexOf('/'))}/${target}`, st.guards, 'follow');
    return st.executor.fs.symlink(target, at);
  },
  'fs.readlink': async (st, { args }) => st.executor.fs.readlink(await st.guards.auto.check(pathOf(args), 'nofollow')),
  'image.createSparse': async (st, { args }) => {
    const { path, bytes } = parse(pathArgs.extend({ bytes: z.number().int().positive().max(64 * 1024 ** 4) }).strict(), args, 'image.createSparse');
    return st.executor.fs.createSparse(await st.guards.images.check(path, 'nofollow'), bytes);
  },
  // An empty file in an image directory is how a new image is claimed (O_EXCL) before qemu-img fills it.
  'image.claim': async (st, { args }) => st.executor.fs.createEmpty(await st.guards.images.check(pathOf(args), 'nofollow')),
  'fs.freeBytes': async (st, { args }) => st.executor.fs.freeBytes(await st.guards.any.check(pathOf(args), 'follow')),
  // The pools file: read as the broker holds it, written only as checked pools (never text), then the guards follow.
  'pools.read': async (st) => {
    if (st.pools === null) throw new XenError('NOT_FOUND', `${st.poolsFile} does not exist`, { path: st.poolsFile });
    return formatPoolsFile(st.pools);
  },
  'pools.save': async (st, { args }) => {
    const { pools } = parse(z.object({ pools: z.array(z.unknown()).max(256) }).strict(), args, 'pools.save');
    const checked = checkPools(pools);
    await checkPoolsForRoot(checked, st.basePolicy, st.madeVgs);
    await st.executor.fs.mkdirp(st.poolsFile.slice(0, st.poolsFile.lastIndexOf('/')));
    await st.executor.fs.replaceFile(st.poolsFile, formatPoolsFile(checked));
    st.pools = checked;
    st.guards = createGuards(withPools(st.basePolicy, checked), st.blockEnv);
    return null;
  },
  // /etc/fstab: only the entry of an NFS pool the policy names, built here from that pool, never from the caller.
  'fstab.nfs': async (st, { args }) => {
    const { path, present } = parse(pathArgs.extend({ present: z.boolean() }).strict(), args, 'fstab.nfs');
    const pool = st.guards.policy.nfs.find((n) => n.path === path);
    if (!pool) throw new XenError('PERMISSION', `${path} is not the mount point of an NFS storage pool`, { field: 'path', rule: 'pool-nfs' });
    return editFstab(st.executor.fs, path, present ? pool.source : null);
  },
  // Image files of a pool directory with what their headers say (format, virtual size, backing file): one request.
  'fs.probeImages': async (st, { args }) => st.executor.fs.probeImages(await st.guards.images.check(pathOf(args), 'follow')),
  // The config directory's files with their text, the autostart directory's links or the save directory's names: one
  // request for the list.
  // Each file's text passes the same check fs.readFile makes; a link out of policy is listed without its text.
  'fs.readDir': async (st, { args }) => {
    const o = parse(pathArgs.extend({ suffix: z.string().max(16).regex(/^[A-Za-z0-9._-]*$/), text: z.boolean() }).strict(), args, 'fs.readDir');
    if (!o.text) return readDirParts(st.executor.fs, await namesOnlyDir(st, o.path), { suffix: o.suffix, text: false });
    const dir = await st.guards.configRead.check(o.path, 'follow');
    // The text is read from the path the check resolved, never from the name again (a link swapped in between).
    const allowed = (p: string): Promise<string | null> => st.guards.configRead.check(p, 'follow').then((resolved) => resolved, () => null);
    const entries = await readDirParts(st.executor.fs, dir, { suffix: o.suffix, text: true }, allowed);
    return entries.map((e) => ({ ...e, link: null }));
  },
  // A domain's snapshot list: only SAVE_DIR/xenith-snapshots/NAME/snapshots.json, read and written as the checked
  // model (never text): the file names the memory checkpoints xl restore would obey.
  'snapshots.read': async (st, { args }) => {
    const { path } = await snapshotMetaFile(st, args);
    if ((await lstat(path).catch(() => null))?.isSymbolicLink() === true) throw new XenError('PERMISSION', `${path} is a link`, { path });
    let meta: unknown;
    try {
      meta = JSON.parse(await st.executor.fs.readFile(path));
    } catch (e) {
      if (e instanceof XenError) throw e;
      // Never JSON.parse's own message: it quotes the file.
      throw new XenError('INVALID_ARG', `${path} is not a snapshot list`, { path });
    }
    return `${JSON.stringify(parse(snapshotMetaSchema, meta, 'snapshots.read'), null, 2)}\n`;
  },
  'snapshots.save': async (st, { args }) => {
    const { path, name } = await snapshotMetaFile(st, args);
    const meta = parse(snapshotMetaSchema, args['meta'], 'snapshots.save');
    if (meta.domain !== name) throw new XenError('INVALID_ARG', `snapshots.save: meta.domain must be ${name}`, { field: 'meta.domain' });
    return st.executor.fs.replaceFile(path, `${JSON.stringify(meta, null, 2)}\n`);
  },
  // Image upload and download: sessions of typed writes and reads, each path through the images guard (transfer-ops.ts).
  ...TRANSFER_OPS,
  'fs.mkdirp': async (st, { args }) => {
    const dir = await firstOf(pathOf(args), [(x) => st.guards.configRead.check(x), (x) => st.guards.save.check(x), (x) => st.guards.images.check(x)]);
    // Saved guests' memory is theirs alone: root's save directory and every folder in it (snapshots' checkpoints) are
    // made private, whatever the caller asks.
    return st.executor.fs.mkdirp(dir, isInside(dir, st.basePolicy.saveDir) ? 0o700 : undefined);
  },
};
