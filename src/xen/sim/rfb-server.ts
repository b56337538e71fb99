import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { vncAuthResponse } from './des';
import { BARS, Framebuffer, intersect, SERVER_PF, union, type PixelFormat, type Rect } from './rfb-framebuffer';

/** Options for one simulated guest display. */
export interface RfbServerOptions {
  /** Desktop name sent in ServerInit (the domain name). */
  name: string;
  width?: number;
  height?: number;
  /** When set, clients must pass VNC authentication (DES challenge) with it. */
  password?: string;
  host?: string;
  /** How often the on-screen counter changes, ms. */
  tickMs?: number;
}

/** A running RFB 3.8 server drawing a test pattern; records input so tests can check it arrived. */
export interface RfbServer {
  readonly host: string;
  readonly port: number;
  /** Keysyms of every key-down event, oldest first (last 200). */
  readonly keys: readonly number[];
  /** Printable text typed so far (Backspace honoured). */
  readonly typed: string;
  readonly lastPointer: { x: number; y: number; buttons: number } | null;
  /** The counter drawn on screen. */
  readonly counter: number;
  /** Reads one pixel of the framebuffer as [r,g,b]. */
  pixel(x: number, y: number): [number, number, number];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 (random free port) and resolves once it listens. */
export async function startRfbServer(opts: RfbServerOptions): Promise<RfbServer> {
  const W = opts.width ?? 640;
  const H = opts.height ?? 480;
  const frame = new Framebuffer(W, H);
  const fb = frame.data;
  const keys: number[] = [];
  let typed = '';
  let lastPointer: RfbServer['lastPointer'] = null;
  let counter = 0;
  const clients = new Set<Client>();

  const damage = (r: Rect): void => {
    for (const c of clients) c.damage(r);
  };

  const barsH = Math.floor((H * 2) / 3);
  BARS.forEach((c, i) => frame.fill(Math.floor((i * W) / BARS.length), 0, Math.ceil(W / BARS.length), barsH, c));
  frame.fill(0, barsH, W, H - barsH, [24, 24, 48]);
  frame.text(opts.name, 16, barsH + 12, 3, [255, 255, 255]);
  const counterY = barsH + 48;
  const typedY = barsH + 76;
  const drawCounter = (): void => {
    frame.fill(0, counterY, W, 16, [24, 24, 48]);
    frame.text(`FRAME ${counter}`, 16, counterY, 2, [255, 220, 0]);
    damage({ x0: 0, y0: counterY, x1: W, y1: counterY + 16 });
  };
  const drawTyped = (): void => {
    frame.fill(0, typedY, W, 16, [24, 24, 48]);
    frame.text(`> ${typed.slice(-48)}`, 16, typedY, 2, [120, 255, 120]);
    damage({ x0: 0, y0: typedY, x1: W, y1: typedY + 16 });
  };
  drawCounter();
  drawTyped();

  const ticker = setInterval(() => {
    counter++;
    drawCounter();
  }, opts.tickMs ?? 1000);
  ticker.unref();


  class Client {
    private buf = Buffer.alloc(0);
    private stage: 'version' | 'security' | 'auth' | 'init' | 'normal' = 'version';
    private minor = 8;
    private pf: PixelFormat = { ...SERVER_PF };
    private dirty: Rect | null = null;
    private pending: Rect | null = null;
    private challenge = randomBytes(16);

    constructor(private readonly sock: net.Socket) {
      sock.setNoDelay(true);
      sock.write('RFB 003.008\n');
      sock.on('data', (d: Buffer) => {
        this.buf = Buffer.concat([this.buf, d]);
        try {
          while (this.step()) {
            // keep consuming complete messages
          }
        } catch {
          sock.destroy();
        }
      });
      sock.on('error', () => sock.destroy());
      sock.on('close', () => clients.delete(this));
    }

    damage(r: Rect): void {
      this.dirty = union(this.dirty, r);
      this.flush();
    }

    private flush(): void {
      if (!this.pending || !this.dirty) return;
      const r = intersect(this.pending, this.dirty);
      if (!r) return;
      this.pending = null;
      this.dirty = null;
      this.sendRects([r]);
    }

    private sendRects(rects: Rect[]): void {
      const head = Buffer.alloc(4);
      head.writeUInt8(0, 0);
      head.writeUInt16BE(rects.length, 2);
      this.sock.write(Buffer.concat([head, ...rects.map((r) => frame.encodeRect(r, this.pf))]));
    }

    private take(n: number): Buffer | null {
      if (this.buf.length < n) return null;
      const b = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      return b;
    }

    private securityOk(): void {
      if (this.minor >= 8 || opts.password) this.sock.write(Buffer.from([0, 0, 0, 0]));
      this.stage = 'init';
    }

    private step(): boolean {
      switch (this.stage) {
        case 'version': {
          const b = this.take(12);
          if (!b) return false;
          const m = /^RFB 003\.00([3-8])\n$/.exec(b.toString('latin1'));
          if (!m) throw new Error('bad version');
          this.minor = Number(m[1]) >= 8 ? 8 : Number(m[1]) >= 7 ? 7 : 3;
          const type = opts.password ? 2 : 1;
          if (this.minor === 3) {
            const t = Buffer.alloc(4);
            t.writeUInt32BE(type, 0);
            this.sock.write(t);
            if (type === 2) {
              this.sock.write(this.challenge);
              this.stage = 'auth';
            } else this.stage = 'init';
          } else {
            this.sock.write(Buffer.from([1, type]));
            this.stage = 'security';
          }
          return true;
        }
        case 'security': {
          const b = this.take(1);
          if (!b) return false;
          const want = opts.password ? 2 : 1;
          if (b[0] !== want) {
            const reason = Buffer.from('Security type not supported');
            const out = Buffer.alloc(8 + reason.length);
            out.writeUInt32BE(1, 0);
            out.writeUInt32BE(reason.length, 4);
            reason.copy(out, 8);
            this.sock.end(out);
            return false;
          }
          if (want === 2) {
            this.sock.write(this.challenge);
            this.stage = 'auth';
          } else this.securityOk();
          return true;
        }
        case 'auth': {
          const b = this.take(16);
          if (!b) return false;
          const expected = vncAuthResponse(opts.password ?? '', this.challenge);
          if (!expected.equals(b)) {
            const reason = Buffer.from('Authentication failed');
            const out = Buffer.alloc(this.minor >= 8 ? 8 + reason.length : 4);
            out.writeUInt32BE(1, 0);
            if (this.minor >= 8) {
              out.writeUInt32BE(reason.length, 4);
              reason.copy(out, 8);
            }
            this.sock.end(out);
            return false;
          }
          this.securityOk();
          return true;
        }
        case 'init': {
          const b = this.take(1);
          if (!b) return false;
          const name = Buffer.from(opts.name, 'utf8');
          const out = Buffer.alloc(24 + name.length);
          out.writeUInt16BE(W, 0);
          out.writeUInt16BE(H, 2);
          // 32 bpp, depth 24, little-endian, true colour, 255/255/255, shifts 16/8/0.
          Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(out, 4);
          out.writeUInt32BE(name.length, 20);
          name.copy(out, 24);
          this.sock.write(out);
          this.stage = 'normal';
          return true;
        }
        case 'normal':
          return this.message();
      }
    }

    private message(): boolean {
      const type = this.buf[0];
      if (type === undefined) return false;
      switch (type) {
        case 0: {
          const b = this.take(20);
          if (!b) return false;
          const bpp = b[4] ?? 32;
          if (bpp !== 8 && bpp !== 16 && bpp !== 32) throw new Error('unsupported bpp');
          this.pf = {
            bpp,
            bigEndian: b[6] !== 0,
            rMax: b.readUInt16BE(8),
            gMax: b.readUInt16BE(10),
            bMax: b.readUInt16BE(12),
            rShift: b[14] ?? 16,
            gShift: b[15] ?? 8,
            bShift: b[16] ?? 0,
          };
          return true;
        }
        case 2: {
          if (this.buf.length < 4) return false;
          const n = this.buf.readUInt16BE(2);
          return this.take(4 + 4 * n) !== null;
        }
        case 3: {
          const b = this.take(10);
          if (!b) return false;
          const incremental = b[1] !== 0;
          const x = b.readUInt16BE(2);
          const y = b.readUInt16BE(4);
          const req: Rect = { x0: x, y0: y, x1: Math.min(W, x + b.readUInt16BE(6)), y1: Math.min(H, y + b.readUInt16BE(8)) };
          if (req.x0 >= req.x1 || req.y0 >= req.y1) return true;
          if (!incremental) {
            this.dirty = null;
            this.pending = null;
            this.sendRects([req]);
          } else {
            this.pending = req;
            this.flush();
          }
          return true;
        }
        case 4: {
          const b = this.take(8);
          if (!b) return false;
          if (b[1] !== 0) onKey(b.readUInt32BE(4));
          return true;
        }
        case 5: {
          const b = this.take(6);
          if (!b) return false;
          lastPointer = { buttons: b[1] ?? 0, x: b.readUInt16BE(2), y: b.readUInt16BE(4) };
          return true;
        }
        case 6: {
          if (this.buf.length < 8) return false;
          const n = this.buf.readUInt32BE(4);
          if (n > 1 << 20) throw new Error('cut text too long');
          return this.take(8 + n) !== null;
        }
        default:
          throw new Error(`unknown client message ${type}`);
      }
    }
  }

  const onKey = (keysym: number): void => {
    keys.push(keysym);
    if (keys.length > 200) keys.shift();
    if (keysym >= 0x20 && keysym <= 0x7e) typed += String.fromCharCode(keysym);
    else if (keysym === 0xff08) typed = typed.slice(0, -1);
    else if (keysym === 0xff0d) typed += ' ';
    else return;
    drawTyped();
  };

  const server = net.createServer((sock) => {
    clients.add(new Client(sock));
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    host,
    port,
    get keys() {
      return keys;
    },
    get typed() {
      return typed;
    },
    get lastPointer() {
      return lastPointer;
    },
    get counter() {
      return counter;
    },
    pixel(x, y) {
      const o = (y * W + x) * 3;
      return [fb[o] ?? 0, fb[o + 1] ?? 0, fb[o + 2] ?? 0];
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(ticker);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
