import type { Transport } from '../../shared/api';
import type { IpcResponse } from '../../shared/ipc-errors';
import type { FromWorker, ToWorker } from './worker-protocol';
import { createListeners, type LinkState } from './listeners';
import { decodeConsoleData } from '../../shared/console-frame';

/** The part of a Worker this transport uses (tests pass a fake). */
export interface WorkerPort {
  postMessage(msg: ToWorker): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
}

export type PageTransport = Transport & { onConnection(cb: (link: LinkState) => void): () => void };

/**
 * The page's side of the transport worker: requests go to the worker by id, answers and events come back. The worker
 * subscribes to an event the first time the page does; the page fans it out to its own listeners.
 */
export function createWorkerTransport(worker: WorkerPort, token: string): PageTransport {
  // The worker opens its WebSocket once it has the token; everything after this queues in order behind it.
  worker.postMessage({ k: 'init', token });
  let nextId = 1;
  const pending = new Map<number, (r: IpcResponse<unknown>) => void>();
  const listeners = createListeners((e) => worker.postMessage({ k: 'sub', e }));

  worker.onmessage = ({ data: msg }) => {
    if (msg.k === 'res') {
      pending.get(msg.id)?.(msg.res);
      pending.delete(msg.id);
    } else if (msg.k === 'evt') {
      listeners.emit(msg.e, msg.p);
    } else if (msg.k === 'bin') {
      const p = decodeConsoleData(msg.frame);
      if (p) listeners.emit('console:data', p);
    } else {
      listeners.connectionChanged(msg.link);
    }
  };

  return {
    invoke(channel, args) {
      const id = nextId++;
      return new Promise<IpcResponse<unknown>>((resolve) => {
        pending.set(id, resolve);
        worker.postMessage({ k: 'req', id, channel, args });
      });
    },
    subscribe: listeners.subscribe,
    onConnection: listeners.onConnection,
  };
}
