import { request, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerRegistry } from '../../../../src/main/gateway/registry';
import { EventHub } from '../../../../src/main/gateway/events';
import { registerTransferHandlers } from '../../../../src/main/ipc/transfer';
import { TransferEnds } from '../../../../src/main/transfer/ends';
import type { Services } from '../../../../src/main/core/services';
import { startWebServer, type WebServer } from '../../../../src/main/web/server';
import type { JobProgress } from '../../../../src/shared/contract-types';
import { XenError } from '../../../../src/xen/errors';

// Browser mode's image endpoints: the token, Origin and Host as for the WebSocket, a single-use ticket naming the
// client's job, the body streamed into storage:volumeUpload (never held whole), the download streamed out.

const TOKEN = 'secret-token-123';
const MiB = 1024 * 1024;
let server: WebServer;
const hub = new EventHub();
const transfers = new TransferEnds();
const events: JobProgress[] = [];
/** What the fake toolstack saw: bytes per upload, and the most memory the process held meanwhile. */
const seen = { bytes: 0, peakBuffers: 0, calls: 0 };

beforeAll(async () => {
  const registry = new HandlerRegistry();
  const api = {
    async uploadImage(a: { name: string; bytes: number }, source: AsyncIterable<Uint8Array>, progress: (d: number, t: number) => void) {
      seen.calls++;
      if (a.name === 'taken.img') throw new XenError('EXISTS', 'Pool default already has a volume taken.img', { field: 'name' });
      let n = 0;
      for await (const c of source) {
        n += c.byteLength;
        seen.peakBuffers = Math.max(seen.peakBuffers, process.memoryUsage().arrayBuffers);
        progress(n, a.bytes);
      }
      seen.bytes = n;
      return { path: `/var/lib/xen/images/${a.name}`, format: 'raw' as const, bytes: n };
    },
    async downloadVolume(a: { name: string }, open: (v: { name: string; size: number }) => Promise<{ write(c: Uint8Array): Promise<void>; end(f: unknown): Promise<void> } | null>) {
      const sink = await open({ name: a.name, size: 3 * MiB });
      if (sink === null) return null;
      for (let i = 0; i < 3; i++) await sink.write(Buffer.alloc(MiB, i + 1));
      await sink.end(null);
      return { bytes: 3 * MiB };
    },
  };
  registerTransferHandlers(registry, { hub, transfers, fileDialogs: null, api } as unknown as Services);
  hub.addClient('ws-1', (e, p) => e === 'job:progress' && events.push(p as JobProgress));
  const dir = mkdtempSync(join(tmpdir(), 'xenith-static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  server = await startWebServer({ registry, hub, staticDir: dir, token: TOKEN, transfers });
});
afterAll(async () => server.close());

const ticket = (jobId = `job-${Math.random().toString(36).slice(2, 12)}`): { ticket: string; jobId: string } => ({ ticket: transfers.mint({ clientId: 'ws-1', client: 'browser 127.0.0.1', jobId })!, jobId });

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Sends `bytes` generated piece by piece (never all in memory here either), honouring backpressure. */
function post(path: string, bytes: number, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.origin}${path}`, { method: 'POST', headers: { 'Content-Length': String(bytes), ...headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    const piece = Buffer.alloc(Math.min(MiB, Math.max(bytes, 1)), 7);
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, piece.byteLength);
        left -= n;
        if (!req.write(piece.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.origin}${path}`, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const auth = { Origin: '', 'X-Xenith-Token': TOKEN };
const up = (t: string, name: string, bytes: number): string => `/transfer/upload?ticket=${t}&pool=default&name=${name}&bytes=${bytes}`;

describe('POST /transfer/upload', () => {
  it('streams a large body into the upload without holding it, with progress to the ticket\'s client', async () => {
    const t = ticket();
    const size = 256 * MiB;
    const before = process.memoryUsage().arrayBuffers;
    const r = await post(up(t.ticket, 'big.img', size), size, { ...auth, Origin: server.origin });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toEqual({ ok: true, value: { path: '/var/lib/xen/images/big.img', format: 'raw', bytes: size } });
    expect(seen.bytes).toBe(size);
    // A server that buffered the body would have held 256 MiB at once.
    expect(seen.peakBuffers - before).toBeLessThan(48 * MiB);
    const mine = events.filter((e) => e.jobId === t.jobId);
    expect(mine.at(-1)).toMatchObject({ state: 'done', phase: 'upload' });
    expect(mine.some((e) => e.bytes !== undefined && e.bytes.done > 0 && e.bytes.total === size)).toBe(true);
  }, 60_000);

  it('refuses a missing or wrong token, a foreign Origin, a wrong Host, and an unknown or used ticket, running nothing', async () => {
    const calls = seen.calls;
    const t = ticket();
    expect((await post(up(t.ticket, 'a.img', 4), 4, { Origin: server.origin })).status).toBe(403);
    expect((await post(up(t.ticket, 'a.img', 4), 4, { Origin: server.origin, 'X-Xenith-Token': 'secret-token-124' })).status).toBe(403);
    expect((await post(up(t.ticket, 'a.img', 4), 4, { ...auth, Origin: 'http://evil.example' })).status).toBe(403);
    expect((await post(up(t.ticket, 'a.img', 4), 4, { ...auth, Origin: server.origin, Host: 'evil.example' })).status).toBe(421);
    expect((await post(up('x'.repeat(32), 'a.img', 4), 4, { ...auth, Origin: server.origin })).status).toBe(403);
    expect(seen.calls).toBe(calls);
    // The ticket was never redeemed by the refused requests: it works once, then never again.
    expect((await post(up(t.ticket, 'a.img', 4), 4, { ...auth, Origin: server.origin })).status).toBe(200);
    expect((await post(up(t.ticket, 'b.img', 4), 4, { ...auth, Origin: server.origin })).status).toBe(403);
  });

  it('answers the operation\'s refusal, naming the field, and the contract\'s own checks', async () => {
    const r = await post(up(ticket().ticket, 'taken.img', 10), 10, { ...auth, Origin: server.origin });
    expect(r.status).toBe(422);
    expect(JSON.parse(r.body.toString())).toMatchObject({ ok: false, error: { code: 'EXISTS', detail: { field: 'name' } } });
    const bad = await post(up(ticket().ticket, '..%2Fevil', 10), 10, { ...auth, Origin: server.origin });
    expect(JSON.parse(bad.body.toString())).toMatchObject({ ok: false, error: { code: 'INVALID_ARG', detail: { field: 'name' } } });
  });
});

describe('GET /transfer/download/TICKET/POOL/NAME', () => {
  it('streams the file as an attachment with its length', async () => {
    const r = await get(`/transfer/download/${ticket().ticket}/default/web.img`, { 'Sec-Fetch-Site': 'same-origin' });
    expect(r.status).toBe(200);
    expect(r.headers['content-disposition']).toBe('attachment; filename="web.img"');
    expect(r.headers['content-length']).toBe(String(3 * MiB));
    expect(r.body.equals(Buffer.concat([Buffer.alloc(MiB, 1), Buffer.alloc(MiB, 2), Buffer.alloc(MiB, 3)]))).toBe(true);
  });

  it('refuses a request another site started, and a ticket used twice', async () => {
    const t = ticket();
    expect((await get(`/transfer/download/${t.ticket}/default/web.img`, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await get(`/transfer/download/${t.ticket}/default/web.img`)).status).toBe(200);
    expect((await get(`/transfer/download/${t.ticket}/default/web.img`)).status).toBe(403);
  });

  it('tells the job\'s client when a download is refused (the page sees no answer of a saved link)', async () => {
    const t = ticket();
    const r = await get(`/transfer/download/${t.ticket}/bad%20pool%21/web.img`);
    expect(r.status).toBe(422);
    expect(JSON.parse(r.body.toString())).toMatchObject({ ok: false, error: { code: 'INVALID_ARG', detail: { field: 'pool' } } });
    expect(events.filter((e) => e.jobId === t.jobId).at(-1)).toMatchObject({ state: 'failed', phase: 'download' });
  });
});
