import { contract, isChannel, type Channel, type ParsedArgsOf, type ResultOf } from '../../shared/contract';
import type { IpcError, IpcResponse } from '../../shared/ipc-errors';
import { encodeError } from './encode-error';

/** Who is calling: which client (window or WebSocket connection), for routing events such as console data back. */
export interface CallContext {
  clientId: string;
  /** The client in words for the task log ("window 1", "browser 127.0.0.1"); the transport knows it. */
  client?: string;
  /** Set by the registry while a task is recorded: a long job reports its progress here, in words. */
  progress?: (message: string) => void;
}

/** What the registry tells about a call it is about to run (the task recorder is one). */
export interface CallObserver {
  /** A call with valid arguments is about to run; returns how to follow it, or null to let it pass unrecorded. */
  begin(channel: Channel, args: unknown, ctx: CallContext): CallWatch | null;
}

/** One followed call: its progress while it runs, then its answer. */
export interface CallWatch {
  progress(message: string): void;
  end(answer: IpcResponse<unknown>): void;
}

/** A handler receives arguments already validated against the contract. */
export type Handler<C extends Channel> = (args: ParsedArgsOf<C>, ctx: CallContext) => Promise<ResultOf<C>> | ResultOf<C>;

type AnyHandler = (args: unknown, ctx: CallContext) => unknown;

/**
 * The one handler registry. Both transports (Electron IPC and browser-mode WebSocket) call `invoke`, which refuses
 * unknown channels and bad arguments with a coded error before any handler runs, and encodes every failure.
 */
export class HandlerRegistry {
  private readonly handlers = new Map<Channel, AnyHandler>();
  private observer: CallObserver | null = null;

  /** Lets one observer follow every valid call (the task log); it must not throw. */
  observe(observer: CallObserver): void {
    this.observer = observer;
  }

  /** Registers the handler of one channel (once). */
  register<C extends Channel>(channel: C, handler: Handler<C>): void {
    if (this.handlers.has(channel)) throw new Error(`handler for ${channel} registered twice`);
    this.handlers.set(channel, handler as AnyHandler);
  }

  /** Channels of the contract that have no handler yet (the app registers all; a test holds it to that). */
  missing(): Channel[] {
    return (Object.keys(contract) as Channel[]).filter((c) => !this.handlers.has(c));
  }

  /** Registered channels that are not in the contract (none can be: register is typed, and checked here too). */
  extra(): string[] {
    return [...this.handlers.keys()].filter((c) => !Object.hasOwn(contract, c));
  }

  /** Validates and dispatches one request; never throws. */
  async invoke(channel: unknown, rawArgs: unknown, ctx: CallContext): Promise<IpcResponse<unknown>> {
    if (!isChannel(channel)) {
      // Described without String(): a hostile object's toString/valueOf must not run, nor throw past the registry.
      const shown = typeof channel === 'string' ? JSON.stringify(channel).slice(0, 80) : `of type ${channel === null ? 'null' : typeof channel}`;
      return fail({ code: 'UNKNOWN_CHANNEL', message: `Unknown channel ${shown}` });
    }
    const handler = this.handlers.get(channel);
    if (!handler) return fail({ code: 'UNKNOWN_CHANNEL', message: `No handler for ${channel}` });
    // A call without arguments (undefined) means {}; anything else, null included, must match the schema itself.
    const parsed = contract[channel].args.safeParse(rawArgs === undefined ? {} : rawArgs);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue ? issue.path.map(String).join('.') : '';
      return fail({
        code: 'INVALID_ARG',
        message: field ? `${field}: ${issue?.message ?? 'invalid'}` : (issue?.message ?? 'Invalid arguments'),
        detail: { field, channel, issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })) },
      });
    }
    // The observer is a log: its failure must never fail or block the call it follows.
    const watch = quietly(() => this.observer?.begin(channel, parsed.data, ctx) ?? null) ?? null;
    const answer = await run(handler, parsed.data, watch ? { ...ctx, progress: (m) => quietly(() => watch.progress(m)) } : ctx);
    if (watch) quietly(() => watch.end(answer));
    return answer;
  }
}

async function run(handler: AnyHandler, args: unknown, ctx: CallContext): Promise<IpcResponse<unknown>> {
  try {
    const value = await handler(args, ctx);
    return { ok: true, value: value === undefined ? null : value };
  } catch (e) {
    return fail(encodeError(e));
  }
}

function quietly<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function fail(error: IpcError): IpcResponse<never> {
  return { ok: false, error };
}
