import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';

/** host:* — facts from `xl info` and the hypervisor log. */
export function registerHostHandlers(r: HandlerRegistry, s: Services): void {
  r.register('host:info', async () => {
    try {
      const info = await s.api.hostInfo();
      s.reportHealth(true, 'ok');
      return info;
    } catch (e) {
      s.reportFailure('host', e);
      throw e;
    }
  });
  r.register('host:dmesg', async () => {
    const log = await s.api.dmesg();
    return log.map((l) => l.raw);
  });
}
