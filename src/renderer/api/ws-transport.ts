import type { Transport } from '../../shared/api';
import type { Channel, EventChannel } from '../../shared/contract';
import type { IpcResponse } from '../../shared/ipc-errors';
import { decodeConsoleData } from '../../shared/console-frame';
import { createListeners, type LinkState } from './listeners';
import { tokenProtocols } from './page-token';

type Pending = { resolve: (r: IpcResponse<unknown>) => void };
type Listeners = ReturnType<typeof createListeners>;

/** Where binary frames (console output, console-frame.ts) go: decoded into console:data, or handed on whole. */
type BinarySink = (frame: ArrayBuffer) => void;

/** One frame from main: an answer to a pending request, an event, or console output. */
function receive(data: string | ArrayBuffer, pending: Map<number, Pending>, listeners: Listeners, binary: BinarySink | undefined): void {
  if (typeof data !== 'string') {
    if (binary) {
      binary(data);
      return;
    }
    const p = decodeConsoleData(data);
    if (p) listeners.emit('console:data', p);
    return;
  }
  let msg: { t?: string; id?: number; res?: IpcResponse<unknown>; e?: EventChannel; p?: unknown };
  try {
    msg = JSON.parse(data) as typeof msg;
  } catch {
    return;
  }
  if (msg.t === 'res' && typeof msg.id === 'number' && msg.res) {
    pending.get(msg.id)?.resolve(msg.res);
    pending.delete(msg.id);
  } else if (msg.t === 'evt' && msg.e) {
    listeners.emit(msg.e, msg.p);
  }
}

/** How often a quiet connection is asked whether Xenith still answers, and how long an answer may take. */
export const PROBE_EVERY_MS = 5000;
export const PROBE_WAIT_MS = 5000;

/**
 * Browser mode: the same contract over one WebSocket to the page's own origin; the access token goes with the
 * handshake as a subprotocol (page-token.ts). Reconnects with backoff, saying when the next attempt is; requests made
 * while disconnected wait for the connection. A server that stops answering without closing the socket (stopped,
 * its machine gone) is noticed by a probe: no frame for PROBE_EVERY_MS, then no answer to app:status within
 * PROBE_WAIT_MS, and the socket is dropped and re-made. Binary frames (console output) are decoded into console:data
 * events, or, given `binary`, handed to it undecoded (the worker passes them to the page without a copy).
 */
export function createWsTransport(token: string, binary?: BinarySink, url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`): Transport & {
  onConnection(cb: (link: LinkState) => void): () => void;
} {
  let ws: WebSocket | null = null;
  let open = false;
  let nextId = 1;
  let delay = 250;
  let heardAt = 0;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = createListeners();
  const send = (channel: Channel, args: unknown): Promise<IpcResponse<unknown>> => {
    const id = nextId++;
    const msg = JSON.stringify({ t: 'req', id, channel, args });
    return new Promise<IpcResponse<unknown>>((resolve) => {
      pending.set(id, { resolve });
      if (open && ws) ws.send(msg);
      else queue.push(msg);
    });
  };

  function lost(): void {
    open = false;
    abortAll(pending);
    listeners.connectionChanged({ up: false, retryAt: Date.now() + delay });
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 5000);
  }

  function connect(): void {
    const sock = new WebSocket(url, tokenProtocols(token));
    ws = sock;
    sock.binaryType = 'arraybuffer';
    sock.onopen = () => {
      open = true;
      delay = 250;
      heardAt = Date.now();
      for (const m of queue.splice(0)) sock.send(m);
      listeners.connectionChanged({ up: true, retryAt: null });
    };
    sock.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
      heardAt = Date.now();
      receive(ev.data, pending, listeners, binary);
    };
    sock.onclose = () => {
      if (ws === sock) lost();
    };
  }
  connect();
  // A socket the probe gives up on is let go at once (a frozen server would hold its closing handshake).
  const drop = (): void => {
    const old = ws;
    ws = null;
    old?.close();
    lost();
  };
  startProbe(() => (open && ws !== null ? Date.now() - heardAt : null), send, drop);

  return {
    invoke: send,
    subscribe: listeners.subscribe,
    onConnection: listeners.onConnection,
  };
}

/** Every request still waiting ends ABORTED: its answer will never come on a lost connection. */
function abortAll(pending: Map<number, Pending>): void {
  for (const [id, p] of pending) {
    p.resolve({ ok: false, error: { code: 'ABORTED', message: 'Connection to Xenith was lost' } });
    pending.delete(id);
  }
}

/** Asks a quiet connection for app:status; no answer in time drops it, which reconnects. */
function startProbe(quietMs: () => number | null, send: (c: Channel, a: unknown) => Promise<IpcResponse<unknown>>, drop: () => void): void {
  let probing = false;
  setInterval(() => {
    const q = quietMs();
    if (q === null || probing || q < PROBE_EVERY_MS) return;
    probing = true;
    const timer = setTimeout(drop, PROBE_WAIT_MS);
    void send('app:status', {}).finally(() => {
      clearTimeout(timer);
      probing = false;
    });
  }, 1000);
}
