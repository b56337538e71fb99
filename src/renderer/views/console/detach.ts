import { inElectron, newTabAddress, xen } from '../../api/client';
import { routeHash } from '../../lib/route';

/** Opens a console in its own window (Electron) or browser tab (browser mode). */
export function detachConsole(name: string, kind: 'text' | 'vnc'): void {
  if (inElectron) {
    void xen.window.detachConsole({ name, kind }).catch(() => undefined);
    return;
  }
  // A new tab has no sessionStorage of its own: it gets the token in its fragment, as the printed address carries it.
  const url = newTabAddress(routeHash({ view: 'console', name, kind }));
  if (url !== null) window.open(url, '_blank', 'noopener');
}
