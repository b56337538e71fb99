import { bridgeTransport, buildXenApi, type XenApi, type XenBridge } from '../../shared/api';
import { createWsTransport } from './ws-transport';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in browser mode. */
    xen?: XenBridge;
  }
}

/** True when running inside the Electron app (the preload exposed window.xen). */
export const inElectron = typeof window !== 'undefined' && window.xen !== undefined;

/** The one API object of the renderer, over Electron IPC or the browser-mode WebSocket. */
export const xen: XenApi = buildXenApi(window.xen ? bridgeTransport(window.xen) : createWsTransport());
