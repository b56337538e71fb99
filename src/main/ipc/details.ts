import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';

/** domain:details and files:list: both are src/xen operations (ops/details.ts). */
export function registerDetailsHandlers(r: HandlerRegistry, s: Services): void {
  r.register('domain:details', ({ name }) => s.api.domainDetails(name));
  r.register('files:list', ({ dir, filter }) => s.api.listDir(dir, filter));
}
