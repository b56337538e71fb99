import { inElectron, xen } from '../../api/client';
import { routeHash } from '../../lib/route';

/** Opens a console in its own window (Electron) or browser tab (browser mode, where the token cookie comes along). */
export function detachConsole(name: string, kind: 'text' | 'vnc'): void {
  if (inElectron) {
    void xen.window.detachConsole({ name, kind }).catch(() => undefined);
    return;
  }
  const url = `${location.origin}${location.pathname}${routeHash({ view: 'console', name, kind })}`;
  window.open(url, '_blank', 'noopener');
}
