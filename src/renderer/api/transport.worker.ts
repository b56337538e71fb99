import { createWsTransport } from './ws-transport';
import type { EventChannel } from '../../shared/contract';
import type { FromWorker, ToWorker } from './worker-protocol';

/** The dedicated worker's global scope, as far as this file uses it (the DOM lib types `self` as a Window). */
interface WorkerScope {
  postMessage(msg: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
}

/**
 * Browser mode's WebSocket lives here, off the page's main thread: the socket is read while the page is busy (xterm
 * parsing a console flood, a chart redrawing), so its data never waits for the page to be idle, and each message's
 * JSON is parsed here. Console output (binary frames) is passed on as it came, its buffer transferred: the page hands
 * the bytes to xterm without a copy or a decode on the way. The page sees the same requests, answers and events, in
 * the same order.
 */
const scope = self as unknown as WorkerScope;
let transport: ReturnType<typeof createWsTransport> | null = null;
const subscribed = new Set<EventChannel>();

scope.onmessage = ({ data: msg }) => {
  if (msg.k === 'init') {
    if (transport !== null) return;
    transport = createWsTransport(msg.token, (frame) => scope.postMessage({ k: 'bin', frame }, [frame]));
    transport.onConnection((link) => scope.postMessage({ k: 'conn', link }));
  } else if (transport === null) {
    // The page sends init first; nothing else can come before it.
  } else if (msg.k === 'req') {
    void transport.invoke(msg.channel, msg.args).then((res) => scope.postMessage({ k: 'res', id: msg.id, res }));
  } else if (msg.k === 'sub' && !subscribed.has(msg.e)) {
    subscribed.add(msg.e);
    transport.subscribe(msg.e, (p) => scope.postMessage({ k: 'evt', e: msg.e, p }));
  }
};
