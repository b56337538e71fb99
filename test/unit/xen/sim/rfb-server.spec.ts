import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { desEncryptBlock, vncAuthResponse } from '../../../../src/xen/sim/des';
import { startRfbServer, type RfbServer } from '../../../../src/xen/sim/rfb-server';
import { SimFixture, waitFor } from './helpers';

/** A minimal RFB client over a real socket: reads exactly the bytes the protocol says. */
class TinyRfbClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (const w of this.waiters.splice(0)) w();
    });
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static connect(port: number): Promise<TinyRfbClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new TinyRfbClient(s)));
      s.once('error', reject);
    });
  }

  async read(n: number, timeoutMs = 3000): Promise<Buffer> {
    const end = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.closed || Date.now() > end) throw new Error(`wanted ${n} bytes, have ${this.buf.length}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  write(b: Buffer | string): void {
    this.sock.write(b);
  }

  /** Version + security (None or VNC auth) + ClientInit; returns the ServerInit. */
  async handshake(password?: string): Promise<{ width: number; height: number; bpp: number; name: string; result: number }> {
    expect((await this.read(12)).toString('latin1')).toBe('RFB 003.008\n');
    this.write('RFB 003.008\n');
    const n = (await this.read(1))[0] ?? 0;
    const types = [...(await this.read(n))];
    if (password === undefined) {
      expect(types).toEqual([1]);
      this.write(Buffer.from([1]));
    } else {
      expect(types).toEqual([2]);
      this.write(Buffer.from([2]));
      const challenge = await this.read(16);
      this.write(vncAuthResponse(password, challenge));
    }
    const result = (await this.read(4)).readUInt32BE(0);
    if (result !== 0) return { width: 0, height: 0, bpp: 0, name: '', result };
    this.write(Buffer.from([1]));
    const init = await this.read(24);
    const name = (await this.read(init.readUInt32BE(20))).toString('utf8');
    return { width: init.readUInt16BE(0), height: init.readUInt16BE(2), bpp: init[4] ?? 0, name, result };
  }

  requestUpdate(incremental: boolean, x: number, y: number, w: number, h: number): void {
    const m = Buffer.alloc(10);
    m.writeUInt8(3, 0);
    m.writeUInt8(incremental ? 1 : 0, 1);
    m.writeUInt16BE(x, 2);
    m.writeUInt16BE(y, 4);
    m.writeUInt16BE(w, 6);
    m.writeUInt16BE(h, 8);
    this.write(m);
  }

  /** Reads one FramebufferUpdate of raw rectangles at `bytesPerPixel`. */
  async readUpdate(bytesPerPixel: number): Promise<{ x: number; y: number; w: number; h: number; pixels: Buffer }[]> {
    const head = await this.read(4);
    expect(head[0]).toBe(0);
    const rects = [];
    for (let i = 0; i < head.readUInt16BE(2); i++) {
      const r = await this.read(12);
      expect(r.readInt32BE(8)).toBe(0);
      const w = r.readUInt16BE(4);
      const h = r.readUInt16BE(6);
      rects.push({ x: r.readUInt16BE(0), y: r.readUInt16BE(2), w, h, pixels: await this.read(w * h * bytesPerPixel) });
    }
    return rects;
  }

  key(keysym: number): void {
    const m = Buffer.alloc(8);
    m.writeUInt8(4, 0);
    m.writeUInt8(1, 1);
    m.writeUInt32BE(keysym, 4);
    this.write(m);
    m.writeUInt8(0, 1);
    this.write(m);
  }

  close(): void {
    this.sock.destroy();
  }
}

const servers: RfbServer[] = [];
const clients: TinyRfbClient[] = [];
const fx = new SimFixture();
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await fx.cleanup();
});

async function start(opts: Parameters<typeof startRfbServer>[0]): Promise<RfbServer> {
  const s = await startRfbServer(opts);
  servers.push(s);
  return s;
}
async function connect(port: number): Promise<TinyRfbClient> {
  const c = await TinyRfbClient.connect(port);
  clients.push(c);
  return c;
}

describe('DES for VNC authentication', () => {
  it('matches the standard DES test vectors', () => {
    expect(desEncryptBlock(Buffer.from('133457799BBCDFF1', 'hex'), Buffer.from('0123456789ABCDEF', 'hex')).toString('hex')).toBe('85e813540f0ab405');
    expect(desEncryptBlock(Buffer.from('0E329232EA6D0D73', 'hex'), Buffer.from('8787878787878787', 'hex')).toString('hex')).toBe('0000000000000000');
  });
});

describe('RFB 3.8 server', () => {
  it('handshake without auth, ServerInit with the domain name, a raw full frame of colour bars', async () => {
    const s = await start({ name: 'win-desktop' });
    const c = await connect(s.port);
    const init = await c.handshake();
    expect(init).toMatchObject({ width: 640, height: 480, bpp: 32, name: 'win-desktop', result: 0 });
    c.requestUpdate(false, 0, 0, 640, 480);
    const [rect] = await c.readUpdate(4);
    expect(rect).toMatchObject({ x: 0, y: 0, w: 640, h: 480 });
    // Server pixel format: little-endian 32 bpp, red at bit 16: the first bar is light grey, the second yellow.
    const px = (x: number, y: number): number => rect!.pixels.readUInt32LE((y * 640 + x) * 4);
    expect(px(10, 10)).toBe((192 << 16) | (192 << 8) | 192);
    expect(px(100, 10)).toBe((192 << 16) | (192 << 8));
    expect(s.pixel(100, 10)).toEqual([192, 192, 0]);
  });

  it('honours SetPixelFormat (noVNC’s red-at-bit-0 layout)', async () => {
    const s = await start({ name: 'pf' });
    const c = await connect(s.port);
    await c.handshake();
    const pf = Buffer.alloc(20);
    pf.writeUInt8(0, 0);
    Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 0, 8, 16, 0, 0, 0]).copy(pf, 4);
    c.write(pf);
    c.requestUpdate(false, 100, 10, 1, 1);
    const [rect] = await c.readUpdate(4);
    expect(rect?.pixels.readUInt32LE(0)).toBe(192 | (192 << 8));
  });

  it('incremental updates arrive when the on-screen counter changes', async () => {
    const s = await start({ name: 'tick', tickMs: 30 });
    const c = await connect(s.port);
    await c.handshake();
    c.requestUpdate(false, 0, 0, 640, 480);
    await c.readUpdate(4);
    c.requestUpdate(true, 0, 0, 640, 480);
    const rects = await c.readUpdate(4);
    // Only the counter line below the colour bars changed, so only it is sent.
    expect(rects).toHaveLength(1);
    expect(rects[0]!.y).toBeGreaterThanOrEqual(320);
    expect(rects[0]!.h).toBe(16);
    expect(s.counter).toBeGreaterThan(0);
  });

  it('records key and pointer events and draws typed text', async () => {
    const s = await start({ name: 'keys', tickMs: 60_000 });
    const c = await connect(s.port);
    await c.handshake();
    for (const ch of 'hi!') c.key(ch.charCodeAt(0));
    c.key(0xff08); // BackSpace
    const ptr = Buffer.from([5, 1, 0, 42, 0, 17]);
    c.write(ptr);
    await waitFor(() => s.typed === 'hi' && s.lastPointer !== null);
    expect(s.keys).toEqual([0x68, 0x69, 0x21, 0xff08]);
    expect(s.lastPointer).toEqual({ x: 42, y: 17, buttons: 1 });
  });

  it('VNC auth: the right password passes, a wrong one is refused with a reason', async () => {
    const s = await start({ name: 'locked', password: 'xenith' });
    const good = await connect(s.port);
    expect((await good.handshake('xenith')).name).toBe('locked');
    const bad = await connect(s.port);
    const r = await bad.handshake('wrong');
    expect(r.result).toBe(1);
    const len = (await bad.read(4)).readUInt32BE(0);
    expect((await bad.read(len)).toString()).toBe('Authentication failed');
  });

  it('a bad protocol version closes the connection', async () => {
    const s = await start({ name: 'v' });
    const c = await connect(s.port);
    await c.read(12);
    c.write('HTTP/1.1 GET\n');
    await waitFor(() => c.closed);
  });
});

describe('VNC through the demo host', () => {
  it('the HVM domain with vnc=1 listens where xenstore says, and a reboot moves it', async () => {
    const r = fx.executor({ speed: 20 });
    const port = Number((await r.run('xenstore-read', ['/local/domain/3/console/vnc-port'])).stdout.trim());
    const c = await connect(port);
    expect((await c.handshake()).name).toBe('win-desktop');
    const srv = await r.sim.vnc('win-desktop');
    c.key(0x61);
    await waitFor(() => srv?.typed === 'a');
    await r.run('xl', ['reboot', 'win-desktop']);
    await waitFor(() => c.closed);
  });

  it('a domain with vncpasswd asks for VNC auth', async () => {
    const r = fx.executor({ speed: 20 });
    await r.run('xl', ['create', '/etc/xen/legacy-hvm.cfg']);
    const srv = await r.sim.vnc('legacy-hvm');
    expect(srv).toBeDefined();
    const c = await connect(srv!.port);
    expect((await c.handshake('xenith')).result).toBe(0);
  });
});
