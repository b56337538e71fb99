import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';

/** networks:list and domains:addresses — the host's bridges and the guests' addresses, each one src/xen read. */
export function registerNetworkHandlers(r: HandlerRegistry, s: Services): void {
  r.register('networks:list', () => s.api.networks());
  r.register('domains:addresses', () => s.api.domainAddresses());
}
