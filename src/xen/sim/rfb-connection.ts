import { randomBytes } from 'node:crypto';
import type * as net from 'node:net';
import { vncAuthResponse } from './des';
import { intersect, SERVER_PF, union, type Framebuffer, type PixelFormat, type Rect } from './rfb-framebuffer';

// One client of the simulated VNC display: the RFB 3.3/3.7/3.8 handshake, the client messages, and the
// FramebufferUpdates (Raw encoding) sent when a requested area changes.

/** What a connection needs from the display it serves. */
export interface RfbDisplay {
  /** Desktop name sent in ServerInit. */
  readonly name: string;
  /** When non-empty, the client must pass VNC authentication with it. */
  readonly password: string | undefined;
  readonly frame: Framebuffer;
  /** A KeyEvent with down-flag set. */
  key(keysym: number): void;
  /** A PointerEvent. */
  pointer(x: number, y: number, buttons: number): void;
  /** The connection's socket closed. */
  closed(conn: RfbConnection): void;
}

type Stage = 'version' | 'security' | 'auth' | 'init' | 'normal';

/** SecurityResult "failed"; RFB 3.8 adds the reason (earlier versions only for a failed security type, see callers). */
function failure(reason: string, withReason: boolean): Buffer {
  const text = Buffer.from(reason);
  const out = Buffer.alloc(withReason ? 8 + text.length : 4);
  out.writeUInt32BE(1, 0);
  if (withReason) {
    out.writeUInt32BE(text.length, 4);
    text.copy(out, 8);
  }
  return out;
}

/** ServerInit: size, the server's pixel format and the desktop name. */
function serverInit(width: number, height: number, name: string): Buffer {
  const n = Buffer.from(name, 'utf8');
  const out = Buffer.alloc(24 + n.length);
  out.writeUInt16BE(width, 0);
  out.writeUInt16BE(height, 2);
  // 32 bpp, depth 24, little-endian, true colour, 255/255/255, shifts 16/8/0.
  Buffer.from([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]).copy(out, 4);
  out.writeUInt32BE(n.length, 20);
  n.copy(out, 24);
  return out;
}

/** The pixel format of a SetPixelFormat message (20 bytes, type byte included). */
function parsePixelFormat(b: Buffer): PixelFormat {
  const bpp = b[4] ?? 32;
  if (bpp !== 8 && bpp !== 16 && bpp !== 32) throw new Error('unsupported bpp');
  return {
    bpp,
    bigEndian: b[6] !== 0,
    rMax: b.readUInt16BE(8),
    gMax: b.readUInt16BE(10),
    bMax: b.readUInt16BE(12),
    rShift: b[14] ?? 16,
    gShift: b[15] ?? 8,
    bShift: b[16] ?? 0,
  };
}

/** A FramebufferUpdate carrying `rects` Raw-encoded in the client's pixel format. */
function framebufferUpdate(frame: Framebuffer, rects: Rect[], pf: PixelFormat): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt8(0, 0);
  head.writeUInt16BE(rects.length, 2);
  return Buffer.concat([head, ...rects.map((r) => frame.encodeRect(r, pf))]);
}

/** One RFB client: reads its bytes as they come, answers the handshake, then serves updates and records input. */
export class RfbConnection {
  private buf = Buffer.alloc(0);
  private stage: Stage = 'version';
  private minor = 8;
  private pf: PixelFormat = { ...SERVER_PF };
  /** Area changed since the last update was sent. */
  private dirty: Rect | null = null;
  /** Area of an incremental update request not yet answered. */
  private pending: Rect | null = null;
  private readonly challenge = randomBytes(16);

  constructor(
    private readonly sock: net.Socket,
    private readonly display: RfbDisplay,
  ) {
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
    sock.on('close', () => display.closed(this));
  }

  /** The display changed inside `r`: send it now if the client is waiting for it, else at its next request. */
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
    this.sock.write(framebufferUpdate(this.display.frame, rects, this.pf));
  }

  private take(n: number): Buffer | null {
    if (this.buf.length < n) return null;
    const b = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return b;
  }

  /** Handles one complete handshake step or message; false when more bytes are needed (or the connection ended). */
  private step(): boolean {
    switch (this.stage) {
      case 'version':
        return this.version();
      case 'security':
        return this.security();
      case 'auth':
        return this.auth();
      case 'init':
        return this.clientInit();
      case 'normal':
        return this.message();
    }
  }

  /** ProtocolVersion: 3.3 is told the security type, 3.7 and 3.8 choose from a list of one. */
  private version(): boolean {
    const b = this.take(12);
    if (!b) return false;
    const m = /^RFB 003\.00([3-8])\n$/.exec(b.toString('latin1'));
    if (!m) throw new Error('bad version');
    this.minor = Number(m[1]) >= 8 ? 8 : Number(m[1]) >= 7 ? 7 : 3;
    const type = this.display.password ? 2 : 1;
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

  /** The client's choice of security type (3.7+). */
  private security(): boolean {
    const b = this.take(1);
    if (!b) return false;
    const want = this.display.password ? 2 : 1;
    if (b[0] !== want) {
      this.sock.end(failure('Security type not supported', true));
      return false;
    }
    if (want === 2) {
      this.sock.write(this.challenge);
      this.stage = 'auth';
    } else this.securityOk();
    return true;
  }

  /** The DES response to our challenge. */
  private auth(): boolean {
    const b = this.take(16);
    if (!b) return false;
    const expected = vncAuthResponse(this.display.password ?? '', this.challenge);
    if (!expected.equals(b)) {
      this.sock.end(failure('Authentication failed', this.minor >= 8));
      return false;
    }
    this.securityOk();
    return true;
  }

  private securityOk(): void {
    if (this.minor >= 8 || this.display.password) this.sock.write(Buffer.from([0, 0, 0, 0]));
    this.stage = 'init';
  }

  /** ClientInit (its shared flag is ignored): answer with ServerInit and start serving. */
  private clientInit(): boolean {
    const b = this.take(1);
    if (!b) return false;
    const { frame, name } = this.display;
    this.sock.write(serverInit(frame.width, frame.height, name));
    this.stage = 'normal';
    return true;
  }

  /** One client-to-server message, by its type byte. */
  private message(): boolean {
    const type = this.buf[0];
    if (type === undefined) return false;
    switch (type) {
      case 0: {
        const b = this.take(20);
        if (!b) return false;
        this.pf = parsePixelFormat(b);
        return true;
      }
      case 2: {
        // SetEncodings: Raw is all we send, whatever the client lists.
        if (this.buf.length < 4) return false;
        const n = this.buf.readUInt16BE(2);
        return this.take(4 + 4 * n) !== null;
      }
      case 3:
        return this.updateRequest();
      case 4: {
        const b = this.take(8);
        if (!b) return false;
        if (b[1] !== 0) this.display.key(b.readUInt32BE(4));
        return true;
      }
      case 5: {
        const b = this.take(6);
        if (!b) return false;
        this.display.pointer(b.readUInt16BE(2), b.readUInt16BE(4), b[1] ?? 0);
        return true;
      }
      case 6:
        return this.cutText();
      default:
        throw new Error(`unknown client message ${type}`);
    }
  }

  /** FramebufferUpdateRequest: a full one is answered at once, an incremental one when its area changes. */
  private updateRequest(): boolean {
    const b = this.take(10);
    if (!b) return false;
    const { width: W, height: H } = this.display.frame;
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

  /** ClientCutText: skipped (bounded, so a hostile length cannot make us buffer without end). */
  private cutText(): boolean {
    if (this.buf.length < 8) return false;
    const n = this.buf.readUInt32BE(4);
    if (n > 1 << 20) throw new Error('cut text too long');
    return this.take(8 + n) !== null;
  }
}
