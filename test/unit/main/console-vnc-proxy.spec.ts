import { afterEach, describe, expect, it } from 'vitest';
import { createServer, connect, type Server, type AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { startVncProxy, type VncProxy } from '../../../src/main/console/vnc-proxy';
import { dialHost, sshTunnelArgs } from '../../../src/main/console/vnc-connect';
import { vncPasswordOf } from '../../../src/main/console/vnc-sessions';

const ORIGIN = 'app://xenith';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A TCP server that echoes every byte back, upper-casing ASCII letters so an echo is told apart from a reflection. */
async function echoServer(): Promise<{ server: Server; port: number; received: Buffer[] }> {
  const received: Buffer[] = [];
  const server = createServer((sock) => {
    sock.on('data', (d) => {
      received.push(d);
      sock.write(Buffer.from(d.toString('latin1').replace(/[a-z]/g, (c) => c.toUpperCase()), 'latin1'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { server, port: (server.address() as AddressInfo).port, received };
}

async function proxyTo(port: number, origins = [ORIGIN]): Promise<{ proxy: VncProxy; ends: string[] }> {
  const ends: string[] = [];
  const proxy = await startVncProxy({
    connect: () => connect({ host: '127.0.0.1', port }),
    allowedOrigins: () => new Set(origins),
    onEnd: (why) => ends.push(why),
  });
  cleanups.push(() => proxy.close());
  return { proxy, ends };
}

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opened. */
function tryOpen(url: string, headers: Record<string, string> = {}, origin: string | null = ORIGIN): Promise<{ status: number; ws: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { ...(origin !== null ? { origin } : {}), headers });
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, ws }));
    ws.on('error', () => resolve({ status: -1, ws }));
    cleanups.push(() => ws.terminate());
  });
}

function nextMessage(ws: WebSocket): Promise<Buffer> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(Buffer.isBuffer(d) ? d : Buffer.from(d as ArrayBuffer))));
}

describe('startVncProxy', () => {
  it('listens on 127.0.0.1 with a long random token in the URL path', async () => {
    const { port } = await echoServer();
    const { proxy } = await proxyTo(port);
    expect(proxy.url).toBe(`ws://127.0.0.1:${proxy.port}/${proxy.token}`);
    expect(proxy.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const other = await proxyTo(port);
    expect(other.proxy.token).not.toBe(proxy.token);
  });

  it('passes bytes both ways, binary-safe', async () => {
    const { port, received } = await echoServer();
    const { proxy } = await proxyTo(port);
    const { status, ws } = await tryOpen(proxy.url);
    expect(status).toBe(101);
    const reply = nextMessage(ws);
    ws.send(Buffer.from('rfb 003.008\n\x00\xff', 'latin1'));
    expect((await reply).toString('latin1')).toBe('RFB 003.008\n\x00\xff');
    expect(Buffer.concat(received).toString('latin1')).toBe('rfb 003.008\n\x00\xff');
    // A bigger payload arrives whole, in order.
    const big = Buffer.alloc(300_000, 'a');
    let got = 0;
    const done = new Promise<void>((r) =>
      ws.on('message', (d: Buffer) => {
        got += d.length;
        if (got >= big.length) r();
      }),
    );
    ws.send(big);
    await done;
    expect(got).toBe(big.length);
  });

  it('refuses a wrong or missing token', async () => {
    const { port, received } = await echoServer();
    const { proxy, ends } = await proxyTo(port);
    const base = `ws://127.0.0.1:${proxy.port}`;
    // A token one character off (never the same character: a random token ends in "x" one time in 64).
    const wrong = `${proxy.token.slice(0, -1)}${proxy.token.endsWith('x') ? 'y' : 'x'}`;
    expect((await tryOpen(`${base}/${wrong}`)).status).toBe(403);
    expect((await tryOpen(`${base}/`)).status).toBe(403);
    expect((await tryOpen(`${base}/${proxy.token}extra`)).status).toBe(403);
    expect((await tryOpen(`${base}/?${proxy.token}`)).status).toBe(403);
    expect(ends.every((e) => e.startsWith('refused'))).toBe(true);
    expect(received).toEqual([]);
  });

  it('refuses a foreign or missing Origin, and a Host header that is not 127.0.0.1:PORT', async () => {
    const { port } = await echoServer();
    const { proxy } = await proxyTo(port, [ORIGIN, 'http://127.0.0.1:4000']);
    expect((await tryOpen(proxy.url, {}, 'https://evil.example')).status).toBe(403);
    expect((await tryOpen(proxy.url, {}, 'null')).status).toBe(403);
    expect((await tryOpen(proxy.url, {}, 'http://127.0.0.1:4001')).status).toBe(403);
    expect((await tryOpen(proxy.url, {}, null)).status).toBe(403);
    expect((await tryOpen(proxy.url, { Host: `localhost:${proxy.port}` })).status).toBe(421);
    expect((await tryOpen(proxy.url, {}, 'http://127.0.0.1:4000')).status).toBe(101);
  });

  it('takes one connection at a time and a new one after the first closed', async () => {
    const { port } = await echoServer();
    const { proxy } = await proxyTo(port);
    const first = await tryOpen(proxy.url);
    expect(first.status).toBe(101);
    expect((await tryOpen(proxy.url)).status).toBe(409);
    const closed = new Promise((r) => first.ws.once('close', r));
    first.ws.close();
    await closed;
    await new Promise((r) => setTimeout(r, 50));
    expect(proxy.connections).toBe(0);
    expect((await tryOpen(proxy.url)).status).toBe(101);
  });

  it('closes the WebSocket when the VNC server cannot be reached or hangs up', async () => {
    const { port } = await echoServer();
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const { proxy, ends } = await proxyTo(deadPort);
    const { status, ws } = await tryOpen(proxy.url);
    expect(status).toBe(101);
    await new Promise((r) => ws.once('close', r));
    expect(ends.join()).toMatch(/ECONNREFUSED/);
    expect(port).toBeGreaterThan(0);
  });
});

describe('VNC connection helpers', () => {
  it('dials dom0 loopback for wildcard listen addresses and refuses odd ones', () => {
    expect(dialHost('0.0.0.0')).toBe('127.0.0.1');
    expect(dialHost(null)).toBe('127.0.0.1');
    expect(dialHost('::')).toBe('127.0.0.1');
    expect(dialHost('192.168.1.5')).toBe('192.168.1.5');
    expect(() => dialHost('-oProxyCommand=x')).toThrow(/Bad VNC listen/);
    expect(() => dialHost('a b')).toThrow(/Bad VNC listen/);
  });

  it('tunnels over ssh -W with the runner options, as an argv', () => {
    const args = sshTunnelArgs({ kind: 'ssh', target: 'root@dom0', port: 2222, identity: '/k/id' }, '/tmp/ctl', { listen: '127.0.0.1', port: 5901 });
    expect(args).toEqual([
      '-o', 'BatchMode=yes', '-o', 'ControlMaster=auto', '-o', 'ControlPath=/tmp/ctl/%C', '-o', 'ControlPersist=60',
      '-p', '2222', '-i', '/k/id', '-W', '127.0.0.1:5901', '--', 'root@dom0',
    ]);
    expect(sshTunnelArgs({ kind: 'ssh', target: 'dom0', port: null, identity: null }, '/c', { listen: '::1', port: 5900 }).slice(-3)).toEqual(['[::1]:5900', '--', 'dom0']);
    expect(sshTunnelArgs({ kind: 'ssh', target: 'dom0', port: null, identity: null, options: ['StrictHostKeyChecking=accept-new'] }, '/c', { listen: null, port: 5900 })).toEqual([
      '-o', 'BatchMode=yes', '-o', 'ControlMaster=auto', '-o', 'ControlPath=/c/%C', '-o', 'ControlPersist=60',
      '-o', 'StrictHostKeyChecking=accept-new', '-W', '127.0.0.1:5900', '--', 'dom0',
    ]);
    expect(() => sshTunnelArgs({ kind: 'ssh', target: 'dom0', port: null, identity: null }, '/c', { listen: null, port: 70000 })).toThrow(/Bad VNC port/);
  });

  it('finds the VNC password in vncpasswd or a vfb spec', () => {
    expect(vncPasswordOf(null)).toBeNull();
    expect(vncPasswordOf({ name: 'a', vncpasswd: 'xenith' } as never)).toBe('xenith');
    expect(vncPasswordOf({ name: 'a', vfb: ['vnc=1,vncpasswd=s3cret,vnclisten=0.0.0.0'] } as never)).toBe('s3cret');
    expect(vncPasswordOf({ name: 'a', vfb: ['vnc=1'] } as never)).toBeNull();
  });
});

describe('graphical sessions per client', () => {
  it('refuses one more than the limit with LIMIT, per client, and lets a closed one be opened again', async () => {
    const { VncSessions } = await import('../../../src/main/console/vnc-sessions');
    const api = {
      listDomainsCheap: async () => [{ name: 'w', domid: 3 }],
      consoleInfo: async () => ({ tty: null, vncPort: 5900, vncListen: '127.0.0.1' }),
      readConfig: async () => Promise.reject(new Error('no config')),
    } as unknown as ConstructorParameters<typeof VncSessions>[0]['api'];
    const v = new VncSessions({ api, choice: { kind: 'demo', reason: 'test' } as never, allowedOrigins: () => new Set(['app://xenith']) }, 2);
    try {
      const a = await v.open('c1', 'w');
      await v.open('c1', 'w');
      await expect(v.open('c1', 'w')).rejects.toMatchObject({ code: 'LIMIT', detail: { limit: 2 } });
      // Another client has its own allowance.
      await v.open('c2', 'w');
      await v.close('c1', a.id);
      await expect(v.open('c1', 'w')).resolves.toMatchObject({ url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+\//) as string });
    } finally {
      await v.closeAll();
    }
  });
});
