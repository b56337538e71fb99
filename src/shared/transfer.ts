import type { VolumeFormat } from './storage';

/*
 * Image upload and download as the UI and both transports see them (ARCHITECTURE.md, "Uploading and downloading
 * images"). Browser mode moves the bytes over HTTP beside the WebSocket: POST /transfer/upload with the file as the
 * body, GET /transfer/download/TICKET/POOL/NAME answered with the file; each names a ticket from storage:transferTicket.
 */

/** The largest image accepted (64 TiB, the largest volume Xenith makes). */
export const MAX_IMAGE_BYTES = 64 * 1024 ** 4;

/** The upload endpoint; query: ticket, pool, name, bytes. Headers: X-Xenith-Token, Origin; body: the file. */
export const UPLOAD_PATH = '/transfer/upload';
/** The download endpoint: GET DOWNLOAD_PATH/TICKET/POOL/NAME, saved by the browser (Content-Disposition). */
export const DOWNLOAD_PATH = '/transfer/download';
/** The header that carries the page's token on an upload. */
export const TOKEN_HEADER = 'x-xenith-token';

/** A file main's open dialog picked (Electron): its base name only, never its path, and its size. */
export interface UploadPick {
  fileName: string;
  bytes: number;
}

/** What an upload made. */
export interface UploadResultView {
  path: string;
  format: VolumeFormat;
  bytes: number;
}

/** A volume name suggested for a local file: its base name with every character the volume-name rule refuses made "_". */
export function suggestVolumeName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9_.+-]/g, '_').replace(/^[.-]+/, '').slice(0, 100);
  return cleaned;
}

/** Bytes in words for transfer messages: "12.0 MiB", "3.1 GiB". */
export function transferBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** A transfer's progress in words: "Uploading web.iso: 12.0 MiB of 40.0 MiB (30%) at 48.0 MiB/s". */
export function transferWords(what: string, done: number, total: number, rate: number): string {
  const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
  return `${what}: ${transferBytes(done)} of ${transferBytes(total)} (${pct}%) at ${transferBytes(Math.round(rate))}/s`;
}
