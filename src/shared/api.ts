import { channels, type ArgsOf, type Channel, type EventChannel, type EventMap, type ResultOf } from './contract';
import { unwrapResponse, type IpcResponse } from './ipc-errors';

type AreaOf<C> = C extends `${infer A}:${string}` ? A : never;
type VerbOf<C> = C extends `${string}:${infer V}` ? V : never;
type Area = AreaOf<Channel>;

type Method<C extends Channel> = {} extends ArgsOf<C>
  ? (args?: ArgsOf<C>) => Promise<ResultOf<C>>
  : (args: ArgsOf<C>) => Promise<ResultOf<C>>;

/** The object the renderer calls: `xen.domains.list()`, `xen.domain.pause({name})`, `xen.on('stats:sample', cb)`. */
export type XenApi = {
  [A in Area]: { [C in Channel as AreaOf<C> extends A ? VerbOf<C> : never]: Method<C> };
} & {
  /** Subscribes to an event; returns the unsubscribe. */
  on<E extends EventChannel>(event: E, cb: (payload: EventMap[E]) => void): () => void;
};

/** A transport: sends one request and answers with the gateway's coded response; subscribes to events. */
export interface Transport {
  invoke(channel: Channel, args: unknown): Promise<IpcResponse<unknown>>;
  subscribe(event: EventChannel, cb: (payload: unknown) => void): () => void;
}

/** Builds the grouped API object from the contract over any transport (Electron IPC or WebSocket). */
export function buildXenApi(transport: Transport): XenApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const channel of channels) {
    const idx = channel.indexOf(':');
    const area = channel.slice(0, idx);
    const verb = channel.slice(idx + 1);
    const group = (api[area] ??= {});
    group[verb] = async (args: unknown = {}) => unwrapResponse(await transport.invoke(channel, args));
  }
  const on = (event: EventChannel, cb: (payload: unknown) => void) => transport.subscribe(event, cb);
  return Object.freeze({ ...api, on }) as unknown as XenApi;
}

/**
 * What the preload exposes as `window.xen`: the same grouped shape, but each method resolves to the gateway's coded
 * envelope (errors thrown across contextBridge lose their code, so the renderer unwraps them itself).
 */
export type XenBridge = {
  [A in Area]: { [C in Channel as AreaOf<C> extends A ? VerbOf<C> : never]: (args?: unknown) => Promise<IpcResponse<unknown>> };
} & {
  on(event: EventChannel, cb: (payload: unknown) => void): () => void;
};

/** Builds the bridge object the preload exposes, from the contract, over Electron IPC. */
export function buildBridge(transport: Transport): XenBridge {
  const bridge: Record<string, Record<string, unknown>> = {};
  for (const channel of channels) {
    const idx = channel.indexOf(':');
    const group = (bridge[channel.slice(0, idx)] ??= {});
    group[channel.slice(idx + 1)] = (args: unknown = {}) => transport.invoke(channel, args);
  }
  return { ...bridge, on: (event: EventChannel, cb: (payload: unknown) => void) => transport.subscribe(event, cb) } as unknown as XenBridge;
}

/** Turns the preload's bridge back into a transport, so the renderer builds its API the same way in both modes. */
export function bridgeTransport(bridge: XenBridge): Transport {
  const b = bridge as unknown as Record<string, Record<string, (args: unknown) => Promise<IpcResponse<unknown>>>>;
  return {
    invoke: (channel, args) => {
      const idx = channel.indexOf(':');
      const fn = b[channel.slice(0, idx)]?.[channel.slice(idx + 1)];
      if (!fn) return Promise.resolve({ ok: false, error: { code: 'UNKNOWN_CHANNEL', message: `Unknown channel ${channel}` } });
      return fn(args);
    },
    subscribe: (event, cb) => bridge.on(event, cb),
  };
}
