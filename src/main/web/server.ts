import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HandlerRegistry } from '../gateway/registry';
import type { EventHub } from '../gateway/events';
import { contentSecurityPolicy } from '../security/csp';
import { isLoopbackAddress } from './loopback';
import { closeHttpAndWs, sameToken } from '../net/local-server';
import { encodeConsoleData } from '../../shared/console-frame';
import type { TicketHolder, TransferEnds } from '../transfer/ends';
import { handleTransfer } from './transfer-http';

/** Options of the browser-mode server. */
export interface WebServerOptions {
  registry: HandlerRegistry;
  hub: EventHub;
  /** Folder of the built renderer (index.html and assets). */
  staticDir: string;
  /** Address to listen on; 127.0.0.1 unless the user passed --listen. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); random otherwise. */
  token?: string;
  /** Most WebSocket clients at once (default 16); one more is told LIMIT and closed. */
  maxClients?: number;
  warn?: (msg: string) => void;
  /** Image transfers in flight: the upload and download endpoints pair each request with its job (none: no endpoints). */
  transfers?: TransferEnds;
}

/** A running browser-mode server. */
export interface WebServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** The WebSocket subprotocol the UI speaks; the token rides beside it as `xenith-token.TOKEN` (page-token.ts). */
const PROTOCOL = 'xenith';
const TOKEN_PROTOCOL = 'xenith-token.';
/** Largest message a client may send; ws closes the socket with 1009 (message too big) above it. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** WebSocket close code for a client over the server's limit (4000-4999 are the application's). */
export const CLOSE_LIMIT = 4429;
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** The subprotocols a handshake offers, and the token among them. */
function offeredProtocols(req: IncomingMessage): { protocols: string[]; token: string | undefined } {
  const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const t = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL));
  return { protocols, token: t?.slice(TOKEN_PROTOCOL.length) };
}

/** Where the server is, known once it listens: the Host header and Origin every request must carry. */
interface Where {
  origin: string;
  hostHeader: string;
}

/** Serves one file of the built renderer to a GET or HEAD with the right Host header. */
async function serveStatic(req: IncomingMessage, res: ServerResponse, staticDir: string, where: Where, csp: string): Promise<void> {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  if (req.headers.host !== where.hostHeader) {
    res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  const url = new URL(req.url ?? '/', where.origin);
  let rel = decodeURIComponent(url.pathname);
  if (rel === '/' || !extname(rel)) rel = '/index.html';
  const file = normalize(join(staticDir, rel));
  if (!file.startsWith(normalize(staticDir) + sep)) {
    res.writeHead(404).end();
    return;
  }
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  const body = await readFile(file);
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': csp,
    'Cache-Control': rel === '/index.html' ? 'no-store' : 'max-age=3600',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Whether a WebSocket handshake is ours: the /ws path, our Host and Origin, our subprotocol and the token. */
function upgradeAllowed(req: IncomingMessage, where: Where, token: string): boolean {
  const url = new URL(req.url ?? '/', where.origin);
  const offered = offeredProtocols(req);
  return (
    url.pathname === '/ws' &&
    req.headers.host === where.hostHeader &&
    req.headers.origin === where.origin &&
    offered.protocols.includes(PROTOCOL) &&
    sameToken(offered.token, token)
  );
}

/**
 * Console output, the bulk of the traffic, goes as a binary frame (console-frame.ts). Session ids are short ASCII, so
 * a frame can always be made; an id that could not would be a bug, and its output is dropped rather than sent as JSON
 * (bytes do not survive it).
 */
function consoleFrame(p: { id: string; data: Uint8Array }): Uint8Array | null {
  try {
    return encodeConsoleData(p.id, p.data);
  } catch {
    return null;
  }
}

/** A refusal the client can read: always a code, never free text alone. */
function refuse(ws: WebSocket, code: string, message: string): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'err', code, message }));
}

/** One message from a client: a request `{t:'req', id, channel, args}` handed to the registry, answered by id. */
function onClientMessage(ws: WebSocket, registry: HandlerRegistry, who: { clientId: string; client: string }, raw: WebSocket.RawData, isBinary: boolean): void {
  if (isBinary) return refuse(ws, 'INVALID_ARG', 'Requests are JSON text');
  let msg: unknown;
  try {
    msg = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : Buffer.concat(raw as Buffer[]).toString('utf8'));
  } catch {
    return refuse(ws, 'INVALID_ARG', 'Broken JSON');
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return refuse(ws, 'INVALID_ARG', 'A request is a JSON object');
  const { t, id, channel, args } = msg as { t?: unknown; id?: unknown; channel?: unknown; args?: unknown };
  if (t !== 'req' || typeof id !== 'number' || !Number.isSafeInteger(id)) return refuse(ws, 'INVALID_ARG', 'A request needs t:"req" and an integer id');
  const answer = (res: unknown): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'res', id, res }));
  };
  // No message may throw past here: a failure the registry did not code is answered INTERNAL, never left to
  // become an unhandled rejection that stops the server.
  registry.invoke(channel, args, who).then(answer, () => answer({ ok: false, error: { code: 'INTERNAL', message: 'The request failed' } }));
}

/** Takes WebSocket clients up to `maxClients`: each gets the hub's events and has its requests answered. */
function clientAttacher(opts: WebServerOptions): (ws: WebSocket, req: IncomingMessage) => void {
  let nextClient = 0;
  const clients = new Set<WebSocket>();
  const maxClients = opts.maxClients ?? 16;
  return (ws, req) => {
    if (clients.size >= maxClients) {
      refuse(ws, 'LIMIT', `Xenith already serves ${maxClients} clients; close one first`);
      ws.close(CLOSE_LIMIT, 'LIMIT');
      return;
    }
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    const clientId = `ws-${++nextClient}-${randomBytes(4).toString('hex')}`;
    const remove = opts.hub.addClient(clientId, (event, payload) => {
      if (ws.readyState !== ws.OPEN) return;
      if (event !== 'console:data') {
        ws.send(JSON.stringify({ t: 'evt', e: event, p: payload }));
        return;
      }
      const frame = consoleFrame(payload as { id: string; data: Uint8Array });
      if (frame) ws.send(frame, { binary: true });
    });
    // The task log's "who": the browser's address (an IPv4 client of a dual-stack socket without its ::ffff: prefix).
    const client = `browser ${(req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '')}`;
    ws.on('message', (raw, isBinary) => onClientMessage(ws, opts.registry, { clientId, client }, raw, isBinary));
    ws.on('close', remove);
    ws.on('error', remove);
  };
}

/**
 * Serves the renderer and the WebSocket transport of the same handler registry. The page itself (the public app
 * bundle) needs only the right Host header (DNS-rebinding defence). Everything that reaches Xen goes over the
 * WebSocket, which needs the random token, sent with the handshake as a subprotocol (never a cookie, which every
 * server on 127.0.0.1 would receive), our own Origin and Host. The printed address carries the token in its fragment,
 * which browsers never send.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  if (!isLoopbackAddress(host)) {
    (opts.warn ?? console.warn)(
      `WARNING: Xenith is listening on ${host}, beyond this machine. Anyone who can reach it and learns the token controls this Xen host.`,
    );
  }
  const where: Where = { origin: '', hostHeader: '' };
  const csp = contentSecurityPolicy();
  const server = createServer((req, res) => {
    // Image upload and download stream over plain HTTP beside the WebSocket, after the same Host check as the page.
    const failed = (h: TicketHolder, message: string): void => opts.hub.emit('job:progress', { jobId: h.jobId, phase: 'download', state: 'failed', message }, h.clientId);
    const xfer = opts.transfers && req.headers.host === where.hostHeader ? { registry: opts.registry, transfers: opts.transfers, token, origin: where.origin, failed } : null;
    if (xfer !== null && handleTransfer(req, res, xfer)) return;
    void serveStatic(req, res, opts.staticDir, where, csp).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  const attach = clientAttacher(opts);
  server.on('upgrade', (req, socket, head) => {
    if (!upgradeAllowed(req, where, token)) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, req));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  where.hostHeader = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  where.origin = `http://${where.hostHeader}`;
  return { url: `${where.origin}/#token=${token}`, origin: where.origin, port, token, close: () => closeHttpAndWs(server, wss) };
}
