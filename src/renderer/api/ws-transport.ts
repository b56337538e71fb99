import type { Transport } from '../../shared/api';
import type { Channel, EventChannel } from '../../shared/contract';
import type { IpcResponse } from '../../shared/ipc-errors';
import { decodeConsoleData } from '../../shared/console-frame';
import { createListeners } from './listeners';
import { tokenProtocols } from './page-token';

type Pending = { resolve: (r: IpcResponse<unknown>) => void };
type Listeners = ReturnType<typeof createListeners>;

/** One frame from main: an answer to a pending request, an event, or console output. */
function receive(data: string | ArrayBuffer, pending: Map<number, Pending>, listeners: Listeners): void {
  if (typeof data !== 'string') {
    // Console output comes as binary frames (console-frame.ts).
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

/**
 * Browser mode: the same contract over one WebSocket to the page's own origin; the access token goes with the
 * handshake as a subprotocol (page-token.ts). Reconnects with backoff; requests made while disconnected wait for the
 * connection.
 */
export function createWsTransport(token: string, url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`): Transport & {
  onConnection(cb: (up: boolean) => void): () => void;
} {
  let ws: WebSocket | null = null;
  let open = false;
  let nextId = 1;
  let delay = 250;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = createListeners();

  function connect(): void {
    ws = new WebSocket(url, tokenProtocols(token));
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      open = true;
      delay = 250;
      for (const m of queue.splice(0)) ws?.send(m);
      listeners.connectionChanged(true);
    };
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => receive(ev.data, pending, listeners);
    ws.onclose = () => {
      const wasOpen = open;
      open = false;
      for (const [id, p] of pending) {
        p.resolve({ ok: false, error: { code: 'ABORTED', message: 'Connection to Xenith was lost' } });
        pending.delete(id);
      }
      if (wasOpen) listeners.connectionChanged(false);
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 5000);
    };
  }
  connect();

  return {
    invoke(channel: Channel, args: unknown) {
      const id = nextId++;
      const msg = JSON.stringify({ t: 'req', id, channel, args });
      return new Promise<IpcResponse<unknown>>((resolve) => {
        pending.set(id, { resolve });
        if (open && ws) ws.send(msg);
        else queue.push(msg);
      });
    },
    subscribe: listeners.subscribe,
    onConnection: listeners.onConnection,
  };
}
