import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { HandlerRegistry } from '../../../src/main/gateway/registry';
import { EventHub } from '../../../src/main/gateway/events';
import { startWebServer, type WebServer } from '../../../src/main/web/server';
import { isLoopbackAddress } from '../../../src/main/web/loopback';
import { decodeConsoleData } from '../../../src/shared/console-frame';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The subprotocols the page offers: "xenith" and the token beside it. */
const AUTH = ['xenith', 'xenith-token.secret-token-123'];

function wsOpen(url: string, headers: Record<string, string>, protocols: string[] = AUTH): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('browser-mode server', () => {
  let server: WebServer;
  const registry = new HandlerRegistry();
  const hub = new EventHub();
  const handler = vi.fn(() => ({ kind: 'demo' as const, label: 'demo host', connection: 'connected' as const, healthy: true, message: 'ok' }));
  registry.register('app:status', handler);
  const warn = vi.fn();

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xenith-static-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Xenith</title>');
    server = await startWebServer({ registry, hub, staticDir: dir, token: 'secret-token-123', warn });
  });
  afterAll(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 at a free port and prints a URL with the token in its fragment (never sent to a server)', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=secret-token-123$/);
    expect(server.port).toBeGreaterThan(0);
    expect(warn).not.toHaveBeenCalled();
  });

  it('serves the public page with a CSP and sets no cookie: the token never travels in a cookie', async () => {
    const page = await get(`${server.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.body).toContain('<title>Xenith</title>');
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('refuses a request naming another Host (DNS rebinding)', async () => {
    const res = await get(`${server.origin}/`, { Host: `evil.example:${server.port}` });
    expect(res.status).toBe(421);
  });

  it('refuses a WebSocket without the token or from a foreign Origin; no handler runs', async () => {
    const wsUrl = `ws://127.0.0.1:${server.port}/ws`;
    await expect(wsOpen(wsUrl, { Origin: server.origin }, [])).rejects.toThrow(/403/);
    await expect(wsOpen(wsUrl, { Origin: server.origin }, ['xenith'])).rejects.toThrow(/403/);
    await expect(wsOpen(wsUrl, { Origin: server.origin }, ['xenith', 'xenith-token.wrong'])).rejects.toThrow(/403/);
    await expect(wsOpen(wsUrl, { Origin: server.origin }, ['xenith-token.secret-token-123'])).rejects.toThrow(/403/);
    // A cookie is not a way in, not even the right token in one.
    await expect(wsOpen(wsUrl, { Origin: server.origin, Cookie: 'xenith_token=secret-token-123' }, [])).rejects.toThrow(/403/);
    await expect(wsOpen(wsUrl, { Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(wsOpen(wsUrl, {})).rejects.toThrow(/403/);
    expect(handler).not.toHaveBeenCalled();
  });

  it('carries the contract over an accepted WebSocket, with the same coded errors', async () => {
    const ws = await wsOpen(`ws://127.0.0.1:${server.port}/ws`, { Origin: server.origin });
    const answers: unknown[] = [];
    ws.on('message', (m: Buffer) => answers.push(JSON.parse(m.toString())));
    ws.send(JSON.stringify({ t: 'req', id: 1, channel: 'app:status', args: {} }));
    ws.send(JSON.stringify({ t: 'req', id: 2, channel: 'no:such', args: {} }));
    ws.send(JSON.stringify({ t: 'req', id: 3, channel: 'app:status', args: { extra: 1 } }));
    ws.send('{broken');
    await vi.waitFor(() => expect(answers).toHaveLength(4));
    expect(answers).toContainEqual({ t: 'res', id: 1, res: { ok: true, value: { kind: 'demo', label: 'demo host', connection: 'connected' as const, healthy: true, message: 'ok' } } });
    const codeOf = (id: number) => (answers as { id?: number; res?: { error?: { code?: string } } }[]).find((a) => a.id === id)?.res?.error?.code;
    expect(codeOf(2)).toBe('UNKNOWN_CHANNEL');
    expect(codeOf(3)).toBe('INVALID_ARG');
    expect(answers).toContainEqual({ t: 'err', code: 'INVALID_ARG', message: 'Broken JSON' });
    expect(handler).toHaveBeenCalledTimes(1);
    hub.emit('domains:changed', { reason: 'test', names: null });
    await vi.waitFor(() => expect(answers).toContainEqual({ t: 'evt', e: 'domains:changed', p: { reason: 'test', names: null } }));
    ws.close();
  });

  it('answers hostile message shapes with coded errors and keeps serving (a channel object with toString stopped it)', async () => {
    const ws = await wsOpen(`ws://127.0.0.1:${server.port}/ws`, { Origin: server.origin });
    const answers: { id?: number; res?: { ok: boolean; error?: { code?: string } } }[] = [];
    ws.on('message', (m: Buffer) => answers.push(JSON.parse(m.toString()) as never));
    for (const [id, channel] of [[11, { toString: 1 }], [12, { toString: 'x', valueOf: 2 }], [13, ['app:status']], [14, null], [15, 7], [16, '__proto__'], [17, 'toString']] as const) {
      ws.send(JSON.stringify({ t: 'req', id, channel, args: {} }));
    }
    ws.send(JSON.stringify({ t: 'req', id: 18, channel: 'app:status', args: { toString: 1 } }));
    ws.send(JSON.stringify({ t: 'req', id: 19, channel: 'app:status', args: {} }));
    await vi.waitFor(() => expect(answers.filter((a) => a.id !== undefined)).toHaveLength(9));
    for (const id of [11, 12, 13, 14, 15, 16, 17]) expect(answers.find((a) => a.id === id)?.res?.error?.code).toBe('UNKNOWN_CHANNEL');
    expect(answers.find((a) => a.id === 18)?.res?.error?.code).toBe('INVALID_ARG');
    expect(answers.find((a) => a.id === 19)?.res?.ok).toBe(true);
    ws.close();
  });

  it('sends console output as binary frames and every other event as JSON text', async () => {
    const ws = await wsOpen(`ws://127.0.0.1:${server.port}/ws`, { Origin: server.origin });
    const frames: { binary: boolean; data: Buffer }[] = [];
    ws.on('message', (m: Buffer, binary: boolean) => frames.push({ binary, data: m }));
    // One answered request: the connection is registered with the hub.
    ws.send(JSON.stringify({ t: 'req', id: 1, channel: 'app:status', args: {} }));
    await vi.waitFor(() => expect(frames).toHaveLength(1));
    const text = new TextEncoder().encode('héllo "quoted" \\ ✓ 😀\r\n');
    hub.emit('console:data', { id: 'sess-1', data: text });
    hub.emit('console:status', { id: 'sess-1', state: 'connected', message: 'ok' });
    await vi.waitFor(() => expect(frames).toHaveLength(3));
    expect(frames[1]!.binary).toBe(true);
    expect(decodeConsoleData(new Uint8Array(frames[1]!.data))).toEqual({ id: 'sess-1', data: text });
    expect(frames[2]!.binary).toBe(false);
    expect(JSON.parse(frames[2]!.data.toString())).toEqual({ t: 'evt', e: 'console:status', p: { id: 'sess-1', state: 'connected', message: 'ok' } });
    // An id a binary frame cannot carry (session ids are short ASCII; this is insurance) sends nothing, not a JSON
    // object bytes would not survive; what follows still arrives.
    hub.emit('console:data', { id: 'é'.repeat(3), data: text });
    hub.emit('console:status', { id: 'sess-1', state: 'closed', message: 'bye' });
    await vi.waitFor(() => expect(frames).toHaveLength(4));
    expect(JSON.parse(frames[3]!.data.toString())).toMatchObject({ t: 'evt', e: 'console:status', p: { state: 'closed' } });
    ws.close();
  });
});

describe('browser-mode limits', () => {
  it('refuses a client over the limit with a code, and a message over 1 MiB by closing with 1009', async () => {
    const s = await startWebServer({ registry: new HandlerRegistry(), hub: new EventHub(), staticDir: tmpdir(), token: 'secret-token-123', maxClients: 2 });
    try {
      const url = `ws://127.0.0.1:${s.port}/ws`;
      const a = await wsOpen(url, { Origin: s.origin });
      const b = await wsOpen(url, { Origin: s.origin });
      const c = new WebSocket(url, AUTH, { headers: { Origin: s.origin } });
      const said: unknown[] = [];
      c.on('message', (m: Buffer) => said.push(JSON.parse(m.toString())));
      const closed = await new Promise<number>((resolve) => c.once('close', (code) => resolve(code)));
      expect(closed).toBe(4429);
      expect(said).toEqual([{ t: 'err', code: 'LIMIT', message: 'Xenith already serves 2 clients; close one first' }]);
      // One leaves: the next is let in.
      a.close();
      await new Promise((r) => a.once('close', r));
      await vi.waitFor(async () => {
        const d = await wsOpen(url, { Origin: s.origin });
        d.close();
      });
      const big = await new Promise<number>((resolve) => {
        b.once('close', (code) => resolve(code));
        b.send('x'.repeat(1024 * 1024 + 1));
      });
      expect(big).toBe(1009);
    } finally {
      await s.close();
    }
  });
});

describe('listen address', () => {
  it('knows loopback from everything else', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['0.0.0.0', '192.168.1.2', '::', '10.0.0.1', 'example.com']) expect(isLoopbackAddress(a)).toBe(false);
  });
  it('warns when told to listen beyond loopback', async () => {
    const warn = vi.fn();
    const s = await startWebServer({ registry: new HandlerRegistry(), hub: new EventHub(), staticDir: tmpdir(), host: '0.0.0.0', warn });
    await s.close();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('beyond this machine'));
  });
});
