import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';

/** history:read — rows of main's on-disk stats history, so a reloaded page or a restarted app shows the past at once. */
export function registerHistoryHandlers(r: HandlerRegistry, s: Services): void {
  r.register('history:read', ({ domain, tier, fromMs, toMs }) => s.history.read(domain, tier, fromMs, toMs));
}
