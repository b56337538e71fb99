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
  warn?: (msg: string) => void;
}

/** A running browser-mode server. */
export interface WebServer {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'xenith_token';
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

/** Reads our cookie from a request. */
function cookieToken(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

/**
 * Serves the renderer and the WebSocket transport of the same handler registry. Every request needs the random
 * token (first in the URL, then as an HttpOnly SameSite=Strict cookie); the WebSocket also needs our own Origin and
 * the Host header must name this server (DNS-rebinding defence).
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? randomBytes(24).toString('base64url');
  if (!isLoopbackAddress(host)) {
    (opts.warn ?? console.warn)(
      `WARNING: Xenith is listening on ${host}, beyond this machine. Anyone who can reach it and learns the token controls this Xen host.`,
    );
  }
  let origin = '';
  let hostHeader = '';
  const csp = contentSecurityPolicy();

  const server = createServer((req, res) => {
    void handleHttp(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (req.headers.host !== hostHeader) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('Misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    const given = url.searchParams.get('token');
    if (given !== null) {
      if (!sameToken(given, token)) {
        res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden: wrong token.');
        return;
      }
      res.writeHead(302, {
        'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname,
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    if (!sameToken(cookieToken(req), token)) {
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Forbidden: open the URL Xenith printed; it carries the access token.');
      return;
    }
    let rel = decodeURIComponent(url.pathname);
    if (rel === '/' || !extname(rel)) rel = '/index.html';
    const file = normalize(join(opts.staticDir, rel));
    if (!file.startsWith(normalize(opts.staticDir) + sep)) {
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

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const ok =
      url.pathname === '/ws' &&
      req.headers.host === hostHeader &&
      req.headers.origin === origin &&
      sameToken(cookieToken(req) ?? url.searchParams.get('token') ?? undefined, token);
    if (!ok) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  /** Console output, the bulk of the traffic, goes as a binary frame (console-frame.ts); JSON if it cannot be one. */
  function consoleFrame(p: { id: string; data: string }): Uint8Array | null {
    try {
      return encodeConsoleData(p.id, p.data);
    } catch {
      return null;
    }
  }

  let nextClient = 0;
  function attach(ws: WebSocket): void {
    const clientId = `ws-${++nextClient}-${randomBytes(4).toString('hex')}`;
    const remove = opts.hub.addClient(clientId, (event, payload) => {
      if (ws.readyState !== ws.OPEN) return;
      const frame = event === 'console:data' ? consoleFrame(payload as { id: string; data: string }) : null;
      if (frame) ws.send(frame, { binary: true });
      else ws.send(JSON.stringify({ t: 'evt', e: event, p: payload }));
    });
    ws.on('message', (raw) => {
      let msg: unknown;
      try {
        msg = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : Buffer.concat(raw as Buffer[]).toString('utf8'));
      } catch {
        ws.send(JSON.stringify({ t: 'err', message: 'broken JSON' }));
        return;
      }
      if (typeof msg !== 'object' || msg === null) return;
      const { t, id, channel, args } = msg as { t?: unknown; id?: unknown; channel?: unknown; args?: unknown };
      if (t !== 'req' || typeof id !== 'number' || !Number.isSafeInteger(id)) return;
      const answer = (res: unknown): void => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'res', id, res }));
      };
      // No message may throw past here: a failure the registry did not code is answered INTERNAL, never left to
      // become an unhandled rejection that stops the server.
      opts.registry.invoke(channel, args, { clientId }).then(answer, () => answer({ ok: false, error: { code: 'INTERNAL', message: 'The request failed' } }));
    });
    ws.on('close', remove);
    ws.on('error', remove);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  hostHeader = `${hostForUrl}:${port}`;
  origin = `http://${hostHeader}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    close: () => closeHttpAndWs(server, wss),
  };
}
