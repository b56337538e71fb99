import type { LinkState } from './listeners';
import type { Channel, EventChannel } from '../../shared/contract';
import type { IpcResponse } from '../../shared/ipc-errors';

/** What the page asks of the transport worker. */
export type ToWorker = { k: 'init'; token: string } | { k: 'req'; id: number; channel: Channel; args: unknown } | { k: 'sub'; e: EventChannel };

/**
 * What the transport worker tells the page, in the order the WebSocket delivered it. `bin` is a binary frame
 * (console-frame.ts) as it came, its buffer transferred, not copied; the page decodes it.
 */
export type FromWorker =
  | { k: 'res'; id: number; res: IpcResponse<unknown> }
  | { k: 'evt'; e: EventChannel; p: unknown }
  | { k: 'bin'; frame: ArrayBuffer }
  | { k: 'conn'; link: LinkState };
