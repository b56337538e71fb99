import { glyph } from './font5x7';

// The pixels of the simulated VNC display: the framebuffer, its drawing, and RFB pixel formats and rectangles.

export interface PixelFormat {
  bpp: number;
  bigEndian: boolean;
  rMax: number;
  gMax: number;
  bMax: number;
  rShift: number;
  gShift: number;
  bShift: number;
}

export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export const SERVER_PF: PixelFormat = { bpp: 32, bigEndian: false, rMax: 255, gMax: 255, bMax: 255, rShift: 16, gShift: 8, bShift: 0 };
export const BARS: [number, number, number][] = [
  [192, 192, 192],
  [192, 192, 0],
  [0, 192, 192],
  [0, 192, 0],
  [192, 0, 192],
  [192, 0, 0],
  [0, 0, 192],
  [16, 16, 16],
];

export function union(a: Rect | null, b: Rect): Rect {
  if (!a) return { ...b };
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

export function intersect(a: Rect, b: Rect): Rect | null {
  const r = { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
  return r.x0 < r.x1 && r.y0 < r.y1 ? r : null;
}

/** The simulated guest's screen: RGB bytes, painting, and Raw-encoded rectangles for a client. */
export class Framebuffer {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 3);
  }

  /** Paints a rectangle (clipped to the screen). */
  fill(x0: number, y0: number, w: number, h: number, c: readonly [number, number, number]): void {
    const { width: W, height: H, data: fb } = this;
    for (let y = Math.max(0, y0); y < Math.min(H, y0 + h); y++) {
      for (let x = Math.max(0, x0); x < Math.min(W, x0 + w); x++) {
        const o = (y * W + x) * 3;
        fb[o] = c[0];
        fb[o + 1] = c[1];
        fb[o + 2] = c[2];
      }
    }
  }

  /** Writes text in the 5x7 font, `scale` pixels per dot. */
  text(s: string, x: number, y: number, scale: number, c: readonly [number, number, number]): void {
    let cx = x;
    for (const ch of s) {
      const cols = glyph(ch);
      cols.forEach((bits, col) => {
        for (let row = 0; row < 7; row++) if (bits & (1 << row)) this.fill(cx + col * scale, y + row * scale, scale, scale, c);
      });
      cx += 6 * scale;
    }
  }

  /** One rectangle in RFB's Raw encoding, in the client's pixel format. */
  encodeRect(r: Rect, pf: PixelFormat): Buffer {
    const { width: W, data: fb } = this;
    const w = r.x1 - r.x0;
    const h = r.y1 - r.y0;
    const bytes = pf.bpp / 8;
    const out = Buffer.alloc(12 + w * h * bytes);
    out.writeUInt16BE(r.x0, 0);
    out.writeUInt16BE(r.y0, 2);
    out.writeUInt16BE(w, 4);
    out.writeUInt16BE(h, 6);
    out.writeInt32BE(0, 8); // Raw encoding
    let o = 12;
    for (let y = r.y0; y < r.y1; y++) {
      for (let x = r.x0; x < r.x1; x++) {
        const i = (y * W + x) * 3;
        const v =
          ((Math.round(((fb[i] ?? 0) * pf.rMax) / 255) << pf.rShift) |
            (Math.round(((fb[i + 1] ?? 0) * pf.gMax) / 255) << pf.gShift) |
            (Math.round(((fb[i + 2] ?? 0) * pf.bMax) / 255) << pf.bShift)) >>>
          0;
        if (bytes === 4) {
          if (pf.bigEndian) out.writeUInt32BE(v, o);
          else out.writeUInt32LE(v, o);
        } else if (bytes === 2) {
          if (pf.bigEndian) out.writeUInt16BE(v & 0xffff, o);
          else out.writeUInt16LE(v & 0xffff, o);
        } else out.writeUInt8(v & 0xff, o);
        o += bytes;
      }
    }
    return out;
  }
}
