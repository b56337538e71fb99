import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import { XenError } from '../errors';
import { assertPtySize } from '../runner/pty-process';
import type { PtyHandle, Runner, StreamHandle } from '../runner/types';
import { checkConfigFile, checkConfigText, checkRun, createGuards, type BrokerGuards } from './allowlist';
import type { BlockDeviceEnv } from './block-devices';
import type { FinalComponent } from './paths';
import type { BrokerPolicy } from './policy';
import {
  BROKER_PROTOCOL_VERSION,
  MAX_LINE_BYTES,
  parseRequest,
  salvageId,
  toWireError,
  type BrokerEvent,
  type BrokerId,
  type BrokerResponse,
} from './protocol';

/** What the broker needs: its pipes, the runner it serves (local, as root), and the directories it may touch. */
export interface BrokerOptions {
  input: Readable;
  output: Writable;
  runner: Runner;
  /** What root allows, from root's own policy file (loadBrokerPolicy); never from the client. */
  policy: BrokerPolicy;
  /** Where block-device use is read from (/proc, /sys); for tests. */
  blockEnv?: BlockDeviceEnv;
  /** Checked every `parentPollMs`; when its value changes the parent is gone and the broker stops. */
  parentPid?: () => number;
  parentPollMs?: number;
}

/** A running broker. */
export interface Broker {
  /** Resolves once the broker has stopped (input ended, parent gone, or stop()). */
  readonly closed: Promise<void>;
  stop(): void;
}

/** The longest a single `run` may be given to take (an hour): the caller cannot make root hold a process forever. */
const MAX_TIMEOUT_MS = 3_600_000;
const MAX_WRITE = 64 * 1024;

type Handler = (id: BrokerId, args: Record<string, unknown>) => Promise<unknown>;

/**
 * Serves Runner calls over newline-delimited JSON. Every request is checked again here (the sender is not trusted):
 * programs and xl subcommands against the allowlist, paths against the roots. A bad line gets an error response and
 * the broker carries on.
 */
export function startBroker(opts: BrokerOptions): Broker {
  const { input, output, runner } = opts;
  const guards: BrokerGuards = createGuards(opts.policy, opts.blockEnv);
  const runs = new Map<BrokerId, AbortController>();
  const streams = new Map<BrokerId, StreamHandle>();
  const ptys = new Map<BrokerId, PtyHandle>();
  let stopped = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const send = (msg: BrokerResponse | BrokerEvent): void => {
    if (!stopped && output.writable) output.write(`${JSON.stringify(msg)}\n`);
  };
  const busy = (id: BrokerId): boolean => runs.has(id) || streams.has(id) || ptys.has(id);
  /**
   * Config text root is asked to write: parsed, checked as a whole against the policy, and written in its canonical
   * form, so the file holds exactly what was checked (one statement per line, no `+=`).
   */
  const configText = async (args: Record<string, unknown>): Promise<string> => (await checkConfigText(str(args, 'text', MAX_LINE_BYTES), guards)).text;
  const str = (args: Record<string, unknown>, key: string, max = MAX_WRITE): string => {
    const v = args[key];
    if (typeof v !== 'string' || v.length > max || v.includes('\0')) throw new XenError('INVALID_ARG', `${key} must be a string`, { field: key });
    return v;
  };
  const target = <T>(map: Map<BrokerId, T>, args: Record<string, unknown>): T => {
    const t = args['target'];
    const h = typeof t === 'number' || typeof t === 'string' ? map.get(t) : undefined;
    if (h === undefined) throw new XenError('NOT_FOUND', `No open session ${JSON.stringify(t)}`, { field: 'target' });
    return h;
  };
  const cfgFile = (args: Record<string, unknown>, final: FinalComponent): Promise<string> => checkConfigFile(args['path'], guards, final);
  /** The first guard that accepts the path, or the last one's refusal. */
  const firstOf = async (p: unknown, checks: readonly ((p: unknown) => Promise<string>)[]): Promise<string> => {
    let last: unknown;
    for (const c of checks) {
      try {
        return await c(p);
      } catch (e) {
        last = e;
      }
    }
    throw last;
  };
  /** Files Xenith may remove: autostart links, its configs, save files, disk images (never through a link). */
  const removable = (p: unknown): Promise<string> =>
    firstOf(p, [(x) => guards.auto.check(x, 'nofollow'), (x) => checkConfigFile(x, guards, 'nofollow'), (x) => guards.save.check(x, 'nofollow'), (x) => guards.images.check(x, 'nofollow')]);
  const anyPath = (args: Record<string, unknown>, final: FinalComponent = 'follow'): Promise<string> => guards.any.check(args['path'], final);

  const handlers: Record<string, Handler> = {
    ping: async () => ({ version: BROKER_PROTOCOL_VERSION, pid: process.pid }),
    run: async (id, args) => {
      // Registered before the first await, so a cancel that arrives in the same chunk still finds it.
      const ac = new AbortController();
      runs.set(id, ac);
      try {
        const cmd = await checkRun(args['program'], args['args'], guards);
        const t = args['timeoutMs'];
        if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t <= 0 || t > MAX_TIMEOUT_MS)) {
          throw new XenError('INVALID_ARG', 'Bad timeoutMs', { field: 'timeoutMs' });
        }
        return await runner.run(cmd.program, cmd.args, { timeoutMs: t, signal: ac.signal, allowFailure: args['allowFailure'] === true });
      } finally {
        runs.delete(id);
      }
    },
    cancel: async (_id, args) => {
      target(runs, args).abort();
      return null;
    },
    'stream-start': async (id, args) => {
      // Only xentop streams; checkRun keeps its arguments to the read-only flags.
      if (args['program'] !== 'xentop') throw new XenError('INVALID_ARG', 'Only xentop may stream', { field: 'program' });
      const cmd = await checkRun('xentop', args['args'], guards);
      const h = runner.stream(cmd.program, cmd.args);
      streams.set(id, h);
      const dec = new StringDecoder('utf8');
      h.stdout.on('data', (b: Buffer | string) => send({ id, event: 'data', data: typeof b === 'string' ? b : dec.write(b) }));
      h.exited.then(
        (code) => send({ id, event: 'exit', data: code }),
        (e: unknown) => {
          send({ id, event: 'error', data: toWireError(e) });
          send({ id, event: 'exit', data: null });
        },
      ).finally(() => streams.delete(id));
      return null;
    },
    'stream-stop': async (_id, args) => {
      target(streams, args).kill();
      return null;
    },
    'pty-open': async (id, args) => {
      const cmd = await checkRun('xl', args['args'], guards);
      if (cmd.args[0] !== 'console') throw new XenError('INVALID_ARG', 'Only xl console runs on a terminal', { field: 'args' });
      assertPtySize(args['cols'], args['rows']);
      const h = runner.pty('xl', cmd.args, { cols: args['cols'] as number, rows: args['rows'] as number });
      ptys.set(id, h);
      h.onData((data) => send({ id, event: 'data', data }));
      h.onExit((code) => {
        ptys.delete(id);
        send({ id, event: 'exit', data: code });
      });
      return null;
    },
    'pty-write': async (_id, args) => (target(ptys, args).write(str(args, 'data')), null),
    'pty-resize': async (_id, args) => {
      assertPtySize(args['cols'], args['rows']);
      target(ptys, args).resize(args['cols'] as number, args['rows'] as number);
      return null;
    },
    'pty-pause': async (_id, args) => (target(ptys, args).pause(), null),
    'pty-resume': async (_id, args) => (target(ptys, args).resume(), null),
    'pty-close': async (_id, args) => (target(ptys, args).kill(), null),
    'fs-readFile': async (_id, args) => runner.fs.readFile(await guards.configRead.check(args['path'], 'follow')),
    'fs-writeFileExclusive': async (_id, args) => {
      // An empty file in an image directory is how a new image is claimed (O_EXCL) before qemu-img fills it.
      if (args['text'] === '') {
        const img = await guards.images.check(args['path'], 'nofollow').catch(() => null);
        if (img !== null) return runner.fs.writeFileExclusive(img, '');
      }
      const file = await cfgFile(args, 'nofollow');
      return runner.fs.writeFileExclusive(file, await configText(args));
    },
    'fs-replaceFile': async (_id, args) => {
      const file = await cfgFile(args, 'nofollow');
      return runner.fs.replaceFile(file, await configText(args));
    },
    'fs-list': async (_id, args) => runner.fs.list(await anyPath(args)),
    'fs-stat': async (_id, args) => runner.fs.stat(await anyPath(args, 'nofollow')),
    'fs-remove': async (_id, args) => runner.fs.remove(await removable(args['path'])),
    'fs-symlink': async (_id, args) => {
      const at = await guards.auto.check(args['path'], 'nofollow');
      // An autostart link points at a config file, nothing else, or a link in /etc/xen/auto could expose any file.
      const t = str(args, 'target', 4096);
      await checkConfigFile(t.startsWith('/') ? t : `${at.slice(0, at.lastIndexOf('/'))}/${t}`, guards, 'follow');
      return runner.fs.symlink(t, at);
    },
    'fs-readlink': async (_id, args) => runner.fs.readlink(await guards.auto.check(args['path'], 'nofollow')),
    'fs-createSparse': async (_id, args) => runner.fs.createSparse(await guards.images.check(args['path'], 'nofollow'), args['bytes'] as number),
    'fs-freeBytes': async (_id, args) => runner.fs.freeBytes(await anyPath(args)),
    'fs-mkdirp': async (_id, args) =>
      runner.fs.mkdirp(await firstOf(args['path'], [(x) => guards.configRead.check(x), (x) => guards.save.check(x), (x) => guards.images.check(x)])),
  };

  const handleLine = (line: string): void => {
    if (line.trim() === '') return;
    let req;
    try {
      req = parseRequest(line);
    } catch (e) {
      send({ id: salvageId(line), ok: false, error: toWireError(e) });
      return;
    }
    const { id, op } = req;
    const handler = Object.hasOwn(handlers, op) ? handlers[op] : undefined;
    if (handler === undefined) {
      send({ id, ok: false, error: toWireError(new XenError('INVALID_ARG', `Unknown op ${JSON.stringify(op)}`, { field: 'op' })) });
      return;
    }
    if (busy(id)) {
      send({ id, ok: false, error: toWireError(new XenError('INVALID_ARG', `Request id ${JSON.stringify(id)} is still in use`, { field: 'id' })) });
      return;
    }
    handler(id, req.args ?? {}).then(
      (value) => send({ id, ok: true, value: value ?? null }),
      (e: unknown) => send({ id, ok: false, error: toWireError(e) }),
    );
  };

  // Lines are split by hand so an endless line is cut off at MAX_LINE_BYTES instead of filling memory.
  const decoder = new StringDecoder('utf8');
  let buf = '';
  let discarding = false;
  const onData = (chunk: Buffer | string): void => {
    buf += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (discarding) discarding = false;
      else handleLine(line);
    }
    if (buf.length > MAX_LINE_BYTES) {
      if (!discarding) send({ id: null, ok: false, error: toWireError(new XenError('INVALID_ARG', 'Request line too long', {})) });
      discarding = true;
      buf = '';
    }
  };

  const stop = (): void => {
    if (stopped) return;
    for (const ac of runs.values()) ac.abort();
    for (const s of streams.values()) s.kill();
    for (const p of ptys.values()) p.kill();
    stopped = true;
    clearInterval(poll);
    input.off('data', onData);
    input.off('end', stop);
    input.off('close', stop);
    input.off('error', stop);
    resolveClosed();
  };

  input.on('data', onData);
  input.on('end', stop);
  input.on('close', stop);
  input.on('error', stop);
  const initialParent = opts.parentPid?.();
  const poll =
    opts.parentPid !== undefined
      ? setInterval(() => {
          if (opts.parentPid?.() !== initialParent) stop();
        }, opts.parentPollMs ?? 2000)
      : undefined;
  poll?.unref();

  send({ id: 0, event: 'ready', data: { version: BROKER_PROTOCOL_VERSION, pid: process.pid } });
  return { closed, stop };
}
