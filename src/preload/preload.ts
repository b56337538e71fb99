import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildBridge } from '../shared/api';
import { isEventChannel } from '../shared/contract';

/**
 * The whole preload: one object, `window.xen`, built from the contract. ipcRenderer itself is never exposed
 * (Electron security checklist 20 / context isolation guide), and listeners never see the Electron event.
 */
const bridge = buildBridge({
  invoke: (channel, args) => ipcRenderer.invoke(channel, args),
  subscribe: (event, cb) => {
    if (!isEventChannel(event)) throw new Error(`Unknown event ${String(event)}`);
    const listener = (_e: IpcRendererEvent, payload: unknown) => cb(payload);
    ipcRenderer.on(event, listener);
    return () => {
      ipcRenderer.removeListener(event, listener);
    };
  },
});

contextBridge.exposeInMainWorld('xen', bridge);
