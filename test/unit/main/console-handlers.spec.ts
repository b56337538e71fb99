import { afterEach, describe, expect, it } from 'vitest';
import { buildCommand } from '../../../src/xen/commands/build';
import type { CommandArgs } from '../../../src/xen/commands/table';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { WebSocket } from 'ws';
import { HandlerRegistry } from '../../../src/main/gateway/registry';
import { EventHub } from '../../../src/main/gateway/events';
import type { Services } from '../../../src/main/core/services';
import { registerConsoleHandlers } from '../../../src/main/ipc/console';
import { registerVncHandlers } from '../../../src/main/ipc/vnc';
import type { PtyHandle } from '../../../src/xen/runner/types';
import type { DomainSummary } from '../../../src/shared/dto';

interface Pty extends PtyHandle {
  args: readonly string[];
  size: { cols: number; rows: number };
  killed: boolean;
  emit(d: string): void;
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

function domain(name: string, domid: number | null, state: DomainSummary['state']): DomainSummary {
  return { name, domid, state, isDom0: false } as DomainSummary;
}

/** Services with a fake runner and API; the hub is real, with two clients recording what they get. */
function setup(vncPort: () => number | null = () => null) {
  const ptys: Pty[] = [];
  const hub = new EventHub();
  const got: Record<string, { event: string; payload: unknown }[]> = { a: [], b: [] };
  const leave = {
    a: hub.addClient('a', (event, payload) => got['a']!.push({ event, payload })),
    b: hub.addClient('b', (event, payload) => got['b']!.push({ event, payload })),
  };
  const onClose: (() => Promise<void> | void)[] = [];
  const s = {
    hub,
    clientOrigins: new Set(['app://xenith']),
    choice: { kind: 'demo', reason: 'test' },
    onClose: (fn: () => Promise<void> | void) => onClose.push(fn),
    runner: {
      pty: (op: 'console.open', call: CommandArgs<'console.open'>, size: { cols: number; rows: number }): PtyHandle => {
        let cb: ((d: string) => void) | null = null;
        const p: Pty = {
          // What xl would get: the argv the command table builds.
          args: buildCommand(op, call).argv,
          size,
          killed: false,
          onData: (f) => ((cb = f), () => (cb = null)),
          onExit: () => () => undefined,
          write: () => undefined,
          resize: () => undefined,
          pause: () => undefined,
          resume: () => undefined,
          kill: () => void (p.killed = true),
          emit: (d) => cb?.(d),
        };
        ptys.push(p);
        return p;
      },
    },
    api: {
      listDomainsCheap: async () => [domain('web01', 3, 'running'), domain('off01', null, 'stopped'), domain('win', 4, 'blocked')],
      consoleInfo: async () => ({ tty: '/dev/pts/3', vncPort: vncPort(), vncListen: '127.0.0.1' }),
      readConfig: async () => ({ path: '/etc/xen/win.cfg', text: '', config: { name: 'win', vncpasswd: 'pw' }, problems: [] }),
    },
  } as unknown as Services;
  const r = new HandlerRegistry();
  registerConsoleHandlers(r, s);
  registerVncHandlers(r, s);
  closers.push(async () => {
    for (const fn of onClose.reverse()) await fn();
  });
  return { r, ptys, got, leave };
}

describe('console:* handlers', () => {
  it('opens xl console with the exact argv and size, and refuses bad arguments before any pty', async () => {
    const { r, ptys } = setup();
    const res = await r.invoke('console:open', { name: 'web01', type: 'serial', index: 1, cols: 100, rows: 30 }, { clientId: 'a' });
    expect(res.ok).toBe(true);
    expect(ptys[0]?.args).toEqual(['console', '-t', 'serial', '-n', '1', 'web01']);
    expect(ptys[0]?.size).toEqual({ cols: 100, rows: 30 });
    for (const args of [
      { name: '-x', cols: 80, rows: 24 },
      { name: 'web01', cols: 5, rows: 24 },
      { name: 'web01', type: 'vga', cols: 80, rows: 24 },
      { name: 'web01', index: 99, cols: 80, rows: 24 },
      { name: 'web01', cols: 80, rows: 24, extra: 1 },
    ]) {
      const bad = await r.invoke('console:open', args, { clientId: 'a' });
      expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_ARG' } });
    }
    expect(ptys).toHaveLength(1);
    await expect(r.invoke('console:open', { name: 'off01', cols: 80, rows: 24 }, { clientId: 'a' })).resolves.toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'off01 is not running, so it has no console' },
    });
  });

  it('sends output only to the opening client, refuses the other, and closes on leave', async () => {
    const { r, ptys, got, leave } = setup();
    const res = await r.invoke('console:open', { name: 'web01', cols: 80, rows: 24 }, { clientId: 'a' });
    if (!res.ok) throw new Error('open failed');
    const id = (res.value as { id: string }).id;
    ptys[0]!.emit('hello');
    await new Promise((r2) => setTimeout(r2, 20));
    expect(got['a']).toEqual([{ event: 'console:data', payload: { id, data: new TextEncoder().encode('hello') } }]);
    expect(got['b']).toEqual([]);
    await expect(r.invoke('console:write', { id, data: 'x' }, { clientId: 'b' })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    await expect(r.invoke('console:ack', { id, bytes: 5 }, { clientId: 'a' })).resolves.toMatchObject({ ok: true });
    leave.a();
    expect(ptys[0]!.killed).toBe(true);
  });
});

describe('vnc:* handlers', () => {
  async function echo(): Promise<number> {
    const server: Server = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => server.close(() => r())));
    return (server.address() as AddressInfo).port;
  }

  it('refuses a domain without VNC and a stopped one', async () => {
    const { r } = setup(() => null);
    await expect(r.invoke('vnc:open', { name: 'web01' }, { clientId: 'a' })).resolves.toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    await expect(r.invoke('vnc:open', { name: 'off01' }, { clientId: 'a' })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('proxies to the port xenstore names, with the config password, for the app origin only, until the client leaves', async () => {
    const port = await echo();
    const { r, leave } = setup(() => port);
    const res = await r.invoke('vnc:open', { name: 'win' }, { clientId: 'a' });
    if (!res.ok) throw new Error(res.error.message);
    const v = res.value as { id: string; url: string; password: string | null };
    expect(v.password).toBe('pw');
    expect(v.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{32}$/);
    await expect(r.invoke('vnc:close', { id: v.id }, { clientId: 'b' })).resolves.toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const ws = new WebSocket(v.url, { origin: 'app://xenith' });
    await new Promise((ok, bad) => {
      ws.once('open', ok);
      ws.once('error', bad);
    });
    const reply = new Promise<string>((ok) => ws.once('message', (d: Buffer) => ok(d.toString())));
    ws.send(Buffer.from('RFB 003.008\n'));
    await expect(reply).resolves.toBe('RFB 003.008\n');
    const closed = new Promise((ok) => ws.once('close', ok));
    leave.a();
    await closed;
    const again = new WebSocket(v.url, { origin: 'app://xenith' });
    await expect(new Promise((ok, bad) => (again.once('open', ok), again.once('error', bad)))).rejects.toThrow();
  });
});
