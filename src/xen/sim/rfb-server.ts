import * as net from 'node:net';
import { RfbConnection, type RfbDisplay } from './rfb-connection';
import { BARS, Framebuffer, type Rect } from './rfb-framebuffer';

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

const BACKGROUND: [number, number, number] = [24, 24, 48];

/**
 * The guest's screen: colour bars, the domain name, a counter that ticks and the text typed so far. It records the
 * input its connections report and tells each of them which area a redraw changed.
 */
class TestPattern implements RfbDisplay {
  readonly frame: Framebuffer;
  /** Keysyms of every key-down event, oldest first (last 200). */
  readonly keys: number[] = [];
  typed = '';
  lastPointer: RfbServer['lastPointer'] = null;
  counter = 0;
  private readonly clients = new Set<RfbConnection>();
  private readonly counterY: number;
  private readonly typedY: number;

  constructor(
    readonly name: string,
    readonly password: string | undefined,
    width: number,
    height: number,
  ) {
    const frame = new Framebuffer(width, height);
    this.frame = frame;
    const barsH = Math.floor((height * 2) / 3);
    BARS.forEach((c, i) => frame.fill(Math.floor((i * width) / BARS.length), 0, Math.ceil(width / BARS.length), barsH, c));
    frame.fill(0, barsH, width, height - barsH, BACKGROUND);
    frame.text(name, 16, barsH + 12, 3, [255, 255, 255]);
    this.counterY = barsH + 48;
    this.typedY = barsH + 76;
    this.drawCounter();
    this.drawTyped();
  }

  /** Serves a new client on `sock`. */
  connect(sock: net.Socket): void {
    this.clients.add(new RfbConnection(sock, this));
  }

  closed(conn: RfbConnection): void {
    this.clients.delete(conn);
  }

  /** Advances the on-screen counter. */
  tick(): void {
    this.counter++;
    this.drawCounter();
  }

  key(keysym: number): void {
    const { keys } = this;
    keys.push(keysym);
    if (keys.length > 200) keys.shift();
    if (keysym >= 0x20 && keysym <= 0x7e) this.typed += String.fromCharCode(keysym);
    else if (keysym === 0xff08) this.typed = this.typed.slice(0, -1);
    else if (keysym === 0xff0d) this.typed += ' ';
    else return;
    this.drawTyped();
  }

  pointer(x: number, y: number, buttons: number): void {
    this.lastPointer = { buttons, x, y };
  }

  /** Reads one pixel as [r,g,b]. */
  pixel(x: number, y: number): [number, number, number] {
    const fb = this.frame.data;
    const o = (y * this.frame.width + x) * 3;
    return [fb[o] ?? 0, fb[o + 1] ?? 0, fb[o + 2] ?? 0];
  }

  private drawCounter(): void {
    const { frame, counterY } = this;
    frame.fill(0, counterY, frame.width, 16, BACKGROUND);
    frame.text(`FRAME ${this.counter}`, 16, counterY, 2, [255, 220, 0]);
    this.damage({ x0: 0, y0: counterY, x1: frame.width, y1: counterY + 16 });
  }

  private drawTyped(): void {
    const { frame, typedY } = this;
    frame.fill(0, typedY, frame.width, 16, BACKGROUND);
    frame.text(`> ${this.typed.slice(-48)}`, 16, typedY, 2, [120, 255, 120]);
    this.damage({ x0: 0, y0: typedY, x1: frame.width, y1: typedY + 16 });
  }

  private damage(r: Rect): void {
    for (const c of this.clients) c.damage(r);
  }
}

/** Listens on `host`, port 0 (any free one); resolves with the port once listening. */
async function listen(server: net.Server, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return typeof addr === 'object' && addr ? addr.port : 0;
}

/** Starts a server on 127.0.0.1 (random free port) and resolves once it listens. */
export async function startRfbServer(opts: RfbServerOptions): Promise<RfbServer> {
  const display = new TestPattern(opts.name, opts.password, opts.width ?? 640, opts.height ?? 480);
  const ticker = setInterval(() => display.tick(), opts.tickMs ?? 1000);
  ticker.unref();

  const server = net.createServer((sock) => display.connect(sock));
  const host = opts.host ?? '127.0.0.1';
  const port = await listen(server, host);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  return {
    host,
    port,
    get keys() {
      return display.keys;
    },
    get typed() {
      return display.typed;
    },
    get lastPointer() {
      return display.lastPointer;
    },
    get counter() {
      return display.counter;
    },
    pixel: (x, y) => display.pixel(x, y),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(ticker);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
