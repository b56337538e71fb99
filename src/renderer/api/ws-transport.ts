import type { Transport } from '../../shared/api';
import type { Channel, EventChannel } from '../../shared/contract';
import type { IpcResponse } from '../../shared/ipc-errors';
import { decodeConsoleData } from '../../shared/console-frame';

type Pending = { resolve: (r: IpcResponse<unknown>) => void };

/**
 * Browser mode: the same contract over one WebSocket to the page's own origin (the token cookie travels with it).
 * Reconnects with backoff; requests made while disconnected wait for the connection.
 */
export function createWsTransport(url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`): Transport & {
  onConnection(cb: (up: boolean) => void): () => void;
} {
  let ws: WebSocket | null = null;
  let open = false;
  let nextId = 1;
  let delay = 250;
  const pending = new Map<number, Pending>();
  const queue: string[] = [];
  const listeners = new Map<EventChannel, Set<(p: unknown) => void>>();
  const connListeners = new Set<(up: boolean) => void>();

  function connect(): void {
    ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      open = true;
      delay = 250;
      for (const m of queue.splice(0)) ws?.send(m);
      for (const l of connListeners) l(true);
    };
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
      if (typeof ev.data !== 'string') {
        // Console output comes as binary frames (console-frame.ts).
        const p = decodeConsoleData(ev.data);
        if (p) for (const cb of listeners.get('console:data') ?? []) cb(p);
        return;
      }
      let msg: { t?: string; id?: number; res?: IpcResponse<unknown>; e?: EventChannel; p?: unknown };
      try {
        msg = JSON.parse(ev.data) as typeof msg;
      } catch {
        return;
      }
      if (msg.t === 'res' && typeof msg.id === 'number' && msg.res) {
        pending.get(msg.id)?.resolve(msg.res);
        pending.delete(msg.id);
      } else if (msg.t === 'evt' && msg.e) {
        for (const cb of listeners.get(msg.e) ?? []) cb(msg.p);
      }
    };
    ws.onclose = () => {
      const wasOpen = open;
      open = false;
      for (const [id, p] of pending) {
        p.resolve({ ok: false, error: { code: 'ABORTED', message: 'Connection to Xenith was lost' } });
        pending.delete(id);
      }
      if (wasOpen) for (const l of connListeners) l(false);
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
    subscribe(event, cb) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(cb);
      return () => {
        set.delete(cb);
      };
    },
    onConnection(cb) {
      connListeners.add(cb);
      return () => connListeners.delete(cb);
    },
  };
}
