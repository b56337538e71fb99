import { describe, expect, it } from 'vitest';
import { createWorkerTransport, type WorkerPort } from '../../../../src/renderer/api/worker-transport';
import type { FromWorker, ToWorker } from '../../../../src/renderer/api/worker-protocol';
import { encodeConsoleData } from '../../../../src/shared/console-frame';

/** A worker stand-in: records what the page posts, and lets the test post back. */
function fakeWorker() {
  const posted: ToWorker[] = [];
  const port: WorkerPort = {
    postMessage: (m) => posted.push(m),
    onmessage: null,
  };
  const reply = (m: FromWorker) => port.onmessage?.({ data: m } as MessageEvent<FromWorker>);
  return { port, posted, reply };
}

describe('createWorkerTransport (the page side of the browser-mode transport worker)', () => {
  it('sends each request with its own id and resolves it with the answer for that id, whatever the order', async () => {
    const w = fakeWorker();
    const t = createWorkerTransport(w.port, 'tok12345');
    const a = t.invoke('host:info', {});
    const b = t.invoke('domains:list', { includeDom0: true });
    expect(w.posted).toEqual([
      // The token goes first, so the worker opens its socket before any request.
      { k: 'init', token: 'tok12345' },
      { k: 'req', id: 1, channel: 'host:info', args: {} },
      { k: 'req', id: 2, channel: 'domains:list', args: { includeDom0: true } },
    ]);
    w.reply({ k: 'res', id: 2, res: { ok: true, value: ['b'] } });
    w.reply({ k: 'res', id: 1, res: { ok: false, error: { code: 'TIMEOUT', message: 'slow' } } });
    await expect(a).resolves.toEqual({ ok: false, error: { code: 'TIMEOUT', message: 'slow' } });
    await expect(b).resolves.toEqual({ ok: true, value: ['b'] });
  });

  it('asks the worker for an event once, fans it out to every listener, and stops calling one that unsubscribed', () => {
    const w = fakeWorker();
    const t = createWorkerTransport(w.port, 'tok12345');
    const got: string[] = [];
    const off1 = t.subscribe('domains:changed', (p) => got.push(`1:${(p as { reason: string }).reason}`));
    t.subscribe('domains:changed', (p) => got.push(`2:${(p as { reason: string }).reason}`));
    expect(w.posted).toEqual([{ k: 'init', token: 'tok12345' }, { k: 'sub', e: 'domains:changed' }]);
    w.reply({ k: 'evt', e: 'domains:changed', p: { reason: 'hello' } });
    off1();
    w.reply({ k: 'evt', e: 'domains:changed', p: { reason: 'again' } });
    // An event nobody here listens to is ignored.
    w.reply({ k: 'evt', e: 'console:status', p: { id: 'x', state: 'connected', message: '' } });
    expect(got).toEqual(['1:hello', '2:hello', '2:again']);
  });

  it('decodes console output the worker passed on as a binary frame into console:data, the bytes a view of the frame', () => {
    const w = fakeWorker();
    const t = createWorkerTransport(w.port, 'tok12345');
    const got: { id: string; data: Uint8Array }[] = [];
    t.subscribe('console:data', (p) => got.push(p as { id: string; data: Uint8Array }));
    const frame = encodeConsoleData('sess-1', new TextEncoder().encode('héllo\r\n')).slice().buffer;
    w.reply({ k: 'bin', frame });
    // Something that is not a console frame is dropped.
    w.reply({ k: 'bin', frame: new Uint8Array([0x7b, 0x7d]).buffer });
    expect(got).toHaveLength(1);
    expect(got[0]!.id).toBe('sess-1');
    expect(new TextDecoder().decode(got[0]!.data)).toBe('héllo\r\n');
    expect(got[0]!.data.buffer).toBe(frame);
  });

  it('reports the connection going down and up', () => {
    const w = fakeWorker();
    const t = createWorkerTransport(w.port, 'tok12345');
    const states: string[] = [];
    const off = t.onConnection((l) => states.push(`${l.up}:${l.retryAt ?? '-'}`));
    w.reply({ k: 'conn', link: { up: true, retryAt: null } });
    w.reply({ k: 'conn', link: { up: false, retryAt: 1234 } });
    off();
    w.reply({ k: 'conn', link: { up: true, retryAt: null } });
    expect(states).toEqual(['true:-', 'false:1234']);
  });
});

describe('takePageToken (browser mode keeps its token out of cookies and requests)', () => {
  it('takes the token from the fragment once, removes it from the address, and finds it again after a reload', async () => {
    const { takePageToken, tokenProtocols } = await import('../../../../src/renderer/api/page-token');
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    const replaced: string[] = [];
    const g = globalThis as unknown as { history?: { replaceState(a: unknown, b: string, url: string): void } };
    const saved = g.history;
    g.history = { replaceState: (_a, _b, url) => void replaced.push(url) };
    try {
      expect(takePageToken({ hash: '#token=abcDEF_123-x', pathname: '/', search: '' }, storage)).toBe('abcDEF_123-x');
      expect(replaced).toEqual(['/#/']);
      expect(takePageToken({ hash: '#/domains', pathname: '/', search: '' }, storage)).toBe('abcDEF_123-x');
      expect(takePageToken({ hash: '#token=a"b', pathname: '/', search: '' }, { getItem: () => null, setItem: () => undefined })).toBeNull();
      // A tab Xenith opens itself (a detached console) carries the token and lands on its route.
      const { tabAddress } = await import('../../../../src/renderer/api/page-token');
      const url = tabAddress('http://127.0.0.1:9', '/', 'tok_12345678', '#/console/web01/text');
      expect(url).toBe('http://127.0.0.1:9/#token=tok_12345678&to=/console/web01/text');
      const fresh = new Map<string, string>();
      const tab = { getItem: (k: string) => fresh.get(k) ?? null, setItem: (k: string, v: string) => void fresh.set(k, v) };
      expect(takePageToken({ hash: new URL(url).hash, pathname: '/', search: '' }, tab)).toBe('tok_12345678');
      expect(replaced.at(-1)).toBe('/#/console/web01/text');
      // Anything else after the token is no route: not taken.
      expect(takePageToken({ hash: '#token=tok_12345678&to=javascript:alert(1)', pathname: '/', search: '' }, { getItem: () => null, setItem: () => undefined })).toBeNull();
    } finally {
      g.history = saved;
    }
    expect(tokenProtocols('abc')).toEqual(['xenith', 'xenith-token.abc']);
  });
});
