import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';
import { VncSessions } from '../console/vnc-sessions';

/** vnc:* — graphical consoles: a token-guarded WebSocket-to-VNC proxy on 127.0.0.1 per session. */
export function registerVncHandlers(r: HandlerRegistry, s: Services): VncSessions {
  const v = new VncSessions({ api: s.api, choice: s.choice, allowedOrigins: () => s.clientOrigins });
  r.register('vnc:open', ({ name }, ctx) => v.open(ctx.clientId, name));
  r.register('vnc:close', ({ id }, ctx) => v.close(ctx.clientId, id));
  const off = s.hub.onClientLeft((clientId) => void v.closeClient(clientId));
  s.onClose(async () => {
    off();
    await v.closeAll();
  });
  return v;
}
