import { timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import type { WebSocketServer } from 'ws';

/** Compares a presented token with the expected one in constant time; a missing token never matches. */
export function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Stops an HTTP server and its WebSocket server: every client dropped, no new connection accepted. */
export function closeHttpAndWs(server: Server, wss: WebSocketServer): Promise<void> {
  return new Promise<void>((resolve) => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
