import { bridgeTransport, buildXenApi, type XenApi, type XenBridge } from '../../shared/api';
import { createWsTransport } from './ws-transport';
import { createWorkerTransport, type PageTransport } from './worker-transport';
import { tabAddress, takePageToken } from './page-token';
import type { LinkState } from './listeners';

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
function browserTransport(token: string): PageTransport {
  try {
    return createWorkerTransport(new Worker(new URL('./transport.worker.ts', import.meta.url), { type: 'module', name: 'xenith-transport' }), token);
  } catch {
    return createWsTransport(token);
  }
}

/** Browser mode's access token (null in Electron, or when the page was opened without the printed address). */
const pageToken = inElectron ? null : takePageToken();

/** Browser mode: the token image uploads carry in their header (the endpoint checks it as the WebSocket does). */
export function transferToken(): string | null {
  return pageToken;
}

/** True in browser mode when the page has no token: it cannot reach Xenith and says how to fix that. */
export const tokenMissing = !inElectron && pageToken === null;

const page = window.xen ? null : browserTransport(pageToken ?? '');

/** Browser mode: the address of a new tab of this app showing `hash`, with this tab's token (null in Electron). */
export function newTabAddress(hash: string): string | null {
  return pageToken === null ? null : tabAddress(location.origin, location.pathname, pageToken, hash);
}

/** The one API object of the renderer, over Electron IPC or the browser-mode WebSocket. */
export const xen: XenApi = buildXenApi(window.xen ? bridgeTransport(window.xen) : (page as PageTransport));

/** Browser mode's connection to Xenith's server going down and up (in Electron main is in-process: never called). */
export function onLink(cb: (link: LinkState) => void): () => void {
  return page === null ? () => undefined : page.onConnection(cb);
}
