import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import { XenError } from '../errors';
import type { Executor } from '../runner/types';
import { createGuards } from './allowlist';
import type { BlockDeviceEnv } from './block-devices';
import { commandHandler, FILE_AND_SESSION_OPS, type OpHandler, type OpState } from './operations';
import { withPools, type BrokerPolicy } from './policy';
import type { PoolDef } from '../../shared/storage';
import { POOLS_FILE } from '../storage/pools-file';
import { closeTransfers } from './transfer-ops';
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

/** What the broker needs: its pipes, the executor it runs commands with (local, as root), and root's policy. */
export interface BrokerOptions {
  input: Readable;
  output: Writable;
  executor: Executor;
  /** What root allows, from root's own policy file (loadBrokerPolicy); never from the client. */
  policy: BrokerPolicy;
  /** The storage pools root's policy includes (loadPools); each directory is an image directory, each VG managed. */
  pools?: PoolDef[] | null;
  /** Where pools.save writes (POOLS_FILE; tests use a temporary file). */
  poolsFile?: string;
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

/**
 * Serves Xenith's operations over newline-delimited JSON: `{id, op, args, opts}` where op names a command of the
 * command table, a file operation or a session control. The broker never takes a program, an argv or a file's text:
 * it checks args with the operation's schema, builds the argv itself from the table, checks every path against root's
 * policy, and only then runs anything. A bad line gets an error response and the broker carries on.
 */
export function startBroker(opts: BrokerOptions): Broker {
  const { input, output } = opts;
  const st: OpState = {
    executor: opts.executor,
    basePolicy: opts.policy,
    blockEnv: opts.blockEnv,
    pools: opts.pools ?? null,
    poolsFile: opts.poolsFile ?? POOLS_FILE,
    madeVgs: new Set(),
    guards: createGuards(withPools(opts.policy, opts.pools ?? []), opts.blockEnv),
    runs: new Map(),
    streams: new Map(),
    ptys: new Map(),
    transfers: new Map(),
    send: (msg) => send(msg),
  };
  let stopped = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  const send = (msg: BrokerResponse | BrokerEvent): void => {
    if (!stopped && output.writable) output.write(`${JSON.stringify(msg)}\n`);
  };
  const onData = lineReader(
    (line) => handleLine(st, send, line),
    () => send({ id: null, ok: false, error: toWireError(new XenError('INVALID_ARG', 'Request line too long', {})) }),
  );

  const stop = (): void => {
    if (stopped) return;
    for (const ac of st.runs.values()) ac.abort();
    for (const s of st.streams.values()) s.kill();
    for (const p of st.ptys.values()) p.kill();
    // An upload the connection did not close is removed; closed before `closed` resolves, so a broker that exits has.
    const transfers = closeTransfers(st.transfers);
    stopped = true;
    clearInterval(poll);
    input.off('data', onData);
    input.off('end', stop);
    input.off('close', stop);
    input.off('error', stop);
    void transfers.finally(resolveClosed);
  };

  input.on('data', onData);
  input.on('end', stop);
  input.on('close', stop);
  input.on('error', stop);
  const poll = watchParent(opts, stop);

  send({ id: 0, event: 'ready', data: { version: BROKER_PROTOCOL_VERSION, pid: process.pid } });
  return { closed, stop };
}

/** The handler for `op`: ping, a command of the table, or a file or session operation; null for anything else. */
function handlerFor(op: string): OpHandler | null {
  if (op === 'ping') return async () => ({ version: BROKER_PROTOCOL_VERSION, pid: process.pid });
  return commandHandler(op) ?? (Object.hasOwn(FILE_AND_SESSION_OPS, op) ? FILE_AND_SESSION_OPS[op]! : null);
}

/** Whether a run, stream or pty still answers to `id`. */
function busy(st: OpState, id: BrokerId): boolean {
  return st.runs.has(id) || st.streams.has(id) || st.ptys.has(id);
}

/** Parses one request line, refuses unknown ops and ids still in use, runs the rest, and answers through `send`. */
function handleLine(st: OpState, send: (msg: BrokerResponse) => void, line: string): void {
  if (line.trim() === '') return;
  let req;
  try {
    req = parseRequest(line);
  } catch (e) {
    send({ id: salvageId(line), ok: false, error: toWireError(e) });
    return;
  }
  const { id, op } = req;
  const handler = handlerFor(op);
  if (handler === null) {
    send({ id, ok: false, error: toWireError(new XenError('INVALID_ARG', `${JSON.stringify(op).slice(0, 80)} is not an operation Xenith runs`, { field: 'op' })) });
    return;
  }
  if (busy(st, id)) {
    send({ id, ok: false, error: toWireError(new XenError('INVALID_ARG', `Request id ${JSON.stringify(id)} is still in use`, { field: 'id' })) });
    return;
  }
  handler(st, { id, args: req.args ?? {}, opts: req.opts ?? {} }).then(
    (value) => send({ id, ok: true, value: value ?? null }),
    (e: unknown) => send({ id, ok: false, error: toWireError(e) }),
  );
}

/**
 * A data listener that hands each complete line to `onLine`. Lines are split by hand so an endless line is cut off at
 * MAX_LINE_BYTES instead of filling memory: `onTooLong` is told once, and the rest of that line is discarded.
 */
function lineReader(onLine: (line: string) => void, onTooLong: () => void): (chunk: Buffer | string) => void {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  let discarding = false;
  return (chunk) => {
    buf += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (discarding) discarding = false;
      else onLine(line);
    }
    if (buf.length > MAX_LINE_BYTES) {
      if (!discarding) onTooLong();
      discarding = true;
      buf = '';
    }
  };
}

/** Polls `opts.parentPid` and calls `stop` when it changes (the parent is gone); undefined without a parentPid. */
function watchParent(opts: BrokerOptions, stop: () => void): NodeJS.Timeout | undefined {
  const initialParent = opts.parentPid?.();
  const poll =
    opts.parentPid !== undefined
      ? setInterval(() => {
          if (opts.parentPid?.() !== initialParent) stop();
        }, opts.parentPollMs ?? 2000)
      : undefined;
  poll?.unref();
  return poll;
}
