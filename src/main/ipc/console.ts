import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';
import { ConsoleSessionManager, type ConsoleManagerOptions } from '../console/session-manager';
import { findConsoleDomid } from '../console/find-domid';

/** Registers console:* over an existing session manager (the bench builds its own manager on a fake runner). */
export function registerConsoleChannels(r: HandlerRegistry, m: ConsoleSessionManager): void {
  r.register('console:open', ({ name, type, index, cols, rows }, ctx) =>
    m.open(ctx.clientId, { name, ...(type !== undefined ? { type } : {}), ...(index !== undefined ? { index } : {}) }, { cols, rows }),
  );
  r.register('console:write', ({ id, data }, ctx) => m.write(ctx.clientId, id, data));
  r.register('console:resize', ({ id, cols, rows }, ctx) => m.resize(ctx.clientId, id, cols, rows));
  r.register('console:ack', ({ id, bytes }, ctx) => m.ack(ctx.clientId, id, bytes));
  r.register('console:close', ({ id }, ctx) => m.close(ctx.clientId, id));
}

/** console:* — text consoles (`xl console` on a pty) streamed to the client that opened them. */
export function registerConsoleHandlers(r: HandlerRegistry, s: Services, o: ConsoleManagerOptions = {}): ConsoleSessionManager {
  const m = new ConsoleSessionManager(
    {
      spawn: (call, size) => s.runner.pty('console.open', call, size),
      findDomid: (name) => findConsoleDomid(s.api, name),
      emitData: (clientId, payload) => s.hub.emit('console:data', payload, clientId),
      emitStatus: (clientId, ev) => s.hub.emit('console:status', ev, clientId),
    },
    o,
  );
  registerConsoleChannels(r, m);
  const off = s.hub.onClientLeft((clientId) => m.closeClient(clientId));
  s.onClose(() => {
    off();
    m.closeAll();
  });
  return m;
}
