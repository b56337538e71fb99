import { bridgeTransport, buildXenApi, type XenApi, type XenBridge } from '../../shared/api';
import { createWsTransport } from './ws-transport';
import { createWorkerTransport, type PageTransport } from './worker-transport';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    xen?: XenBridge;
  }
}

/** True when running inside the Electron app (the preload exposed window.xen). */
export const inElectron = typeof window !== 'undefined' && window.xen !== undefined;

/**
 * Browser mode: the WebSocket runs in a worker, so a busy page (xterm parsing a console flood) does not hold up
 * reading it; where a worker cannot be started the socket runs on the page itself.
 */
function browserTransport(): PageTransport {
  try {
    return createWorkerTransport(new Worker(new URL('./transport.worker.ts', import.meta.url), { type: 'module', name: 'xenith-transport' }));
  } catch {
    return createWsTransport();
  }
}

/** The one API object of the renderer, over Electron IPC or the browser-mode WebSocket. */
export const xen: XenApi = buildXenApi(window.xen ? bridgeTransport(window.xen) : browserTransport());
