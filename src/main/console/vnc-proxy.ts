import { createServer, type IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { closeHttpAndWs, sameToken } from '../net/local-server';

/** Options of one graphical-console proxy. */
export interface VncProxyOptions {
  /**
   * Opens the TCP leg to the VNC server: a socket, or the stdio of `ssh -W host:port` for a remote host. Called per
   * connection, so it can look the port up again after the guest rebooted (a new domid has a new port).
   */
  connect(): Duplex | Promise<Duplex>;
  /** Origins our own UI is served from (app://xenith in Electron, the browser-mode server's origin). */
  allowedOrigins(): ReadonlySet<string>;
  /** Fixed token (tests); random otherwise. */
  token?: string;
  /** Told when a connection ends, with why (logs, tests). */
  onEnd?(why: string): void;
}

/** A running proxy: noVNC connects to `url`. */
export interface VncProxy {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Open WebSocket connections (at most one). */
  readonly connections: number;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

/**
 * A WebSocket-to-TCP proxy for one VNC session, listening on 127.0.0.1 on a random port. A browser page may connect
 * only with the session's random token as the path, an Origin that is our own UI (another site open in the same
 * browser could otherwise reach the guest's screen) and a Host header naming this address (DNS rebinding). One
 * connection at a time; bytes pass both ways with backpressure.
 */
export async function startVncProxy(o: VncProxyOptions): Promise<VncProxy> {
  const token = o.token ?? randomBytes(24).toString('base64url');
  const server = createServer((_req, res) => {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024, perMessageDeflate: false });
  const st: ProxyState = { port: 0, active: null };
  server.on('upgrade', (req, socket, head) => {
    const bad = checkUpgrade(req, o, token, st);
    if (bad !== null) {
      o.onEnd?.(`refused: ${bad}`);
      refuse(socket, bad);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => void bridge(ws, o, st));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  st.port = (server.address() as AddressInfo).port;
  return {
    url: `ws://${HOST}:${st.port}/${token}`,
    port: st.port,
    token,
    get connections() {
      return st.active === null ? 0 : 1;
    },
    close: () => closeHttpAndWs(server, wss),
  };
}

/** The proxy's port (once listening) and its one connection. */
interface ProxyState {
  port: number;
  active: WebSocket | null;
}

/** Why a handshake is refused (an HTTP status line), or null: the token as path, our Origin and Host, one at a time. */
function checkUpgrade(req: IncomingMessage, o: VncProxyOptions, token: string, st: ProxyState): string | null {
  const path = (req.url ?? '').split('?')[0] ?? '';
  if (!sameToken(path.slice(1), token)) return '403 Forbidden';
  const origin = req.headers.origin;
  if (origin === undefined || !o.allowedOrigins().has(origin)) return '403 Forbidden';
  if (req.headers.host !== `${HOST}:${st.port}`) return '421 Misdirected Request';
  if (st.active !== null) return '409 Conflict';
  return null;
}

/** Joins the browser's WebSocket to the VNC server's TCP stream until either side ends. */
async function bridge(ws: WebSocket, o: VncProxyOptions, st: ProxyState): Promise<void> {
  st.active = ws;
  // Bytes noVNC sends before the TCP leg is up must not be lost: the stream buffers them (created at once).
  const wsStream = createWebSocketStream(ws);
  wsStream.pause();
  let tcp: Duplex;
  try {
    tcp = await o.connect();
  } catch (e) {
    if (st.active === ws) st.active = null;
    wsStream.destroy();
    ws.close(1011, 'cannot reach the VNC server');
    o.onEnd?.(`connect failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  let ended = false;
  const end = (why: string): void => {
    if (ended) return;
    ended = true;
    if (st.active === ws) st.active = null;
    tcp.destroy();
    wsStream.destroy();
    o.onEnd?.(why);
  };
  // Two pipelines give backpressure both ways: a slow browser pauses the VNC socket and vice versa.
  pipeline(wsStream, tcp, (err) => end(err ? `browser side: ${err.message}` : 'browser closed'));
  pipeline(tcp, wsStream, (err) => end(err ? `server side: ${err.message}` : 'server closed'));
  ws.on('close', () => end('browser closed'));
}
