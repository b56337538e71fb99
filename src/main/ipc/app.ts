import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';

/** app:* — which toolstack the app is on and whether it answers. */
export function registerAppHandlers(r: HandlerRegistry, s: Services): void {
  r.register('app:status', () => s.status());
  r.register('window:detachConsole', ({ name, kind }) => {
    if (!s.detachConsole) {
      // Browser mode: the renderer opens a new tab itself; nothing to do here.
      return;
    }
    s.detachConsole(name, kind);
  });
}
