import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HandlerRegistry } from '../gateway/registry';
import type { TicketHolder, TransferEnds } from '../transfer/ends';
import { sameToken } from '../net/local-server';
import { DOWNLOAD_PATH, TOKEN_HEADER, UPLOAD_PATH } from '../../shared/transfer';
import type { IpcResponse } from '../../shared/ipc-errors';
import type { DownloadSink } from '../../xen/index';

/** What the transfer endpoints check a request against. */
export interface TransferHttpOptions {
  registry: HandlerRegistry;
  transfers: TransferEnds;
  token: string;
  origin: string;
  /** Tells the job's client a download failed (the browser saves downloads itself: the page sees no answer). */
  failed(holder: TicketHolder, message: string): void;
}

const TICKET_RE = /^[A-Za-z0-9_-]{32}$/;

function answer(res: ServerResponse, status: number, body: IpcResponse<unknown>): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // An upload refused before its body was read: the connection closes rather than read gigabytes for nothing.
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Connection: 'close' }).end(JSON.stringify(body));
}

const refusal = (code: 'FORBIDDEN' | 'INVALID_ARG', message: string): IpcResponse<never> => ({ ok: false, error: { code, message } });

/**
 * POST /transfer/upload?ticket&pool&name&bytes, the file as the body: the page's token (X-Xenith-Token), our Origin and
 * (checked before) our Host, as every WebSocket; then the ticket names the client and job. The body is handed to
 * storage:volumeUpload through the registry (so its schema, the task log and job:progress apply) as a stream, never
 * buffered; the answer is that call's answer.
 */
async function upload(req: IncomingMessage, res: ServerResponse, url: URL, o: TransferHttpOptions): Promise<void> {
  const tokenHeader = req.headers[TOKEN_HEADER];
  if (req.headers.origin !== o.origin || !sameToken(typeof tokenHeader === 'string' ? tokenHeader : undefined, o.token)) {
    return answer(res, 403, refusal('FORBIDDEN', 'An upload needs this page’s token and origin'));
  }
  const q = Object.fromEntries(url.searchParams);
  const bytes = /^\d{1,16}$/.test(q['bytes'] ?? '') ? Number(q['bytes']) : NaN;
  if (req.headers['content-length'] !== String(bytes)) return answer(res, 400, refusal('INVALID_ARG', 'bytes: must be the Content-Length of the file'));
  const holder = TICKET_RE.test(q['ticket'] ?? '') ? o.transfers.redeem(q['ticket']!) : null;
  if (holder === null) return answer(res, 403, refusal('FORBIDDEN', 'The transfer ticket is unknown, used or expired'));
  o.transfers.attachUpload(holder.clientId, holder.jobId, { bytes, open: () => req });
  // A request the browser gives up on (tab closed, cancelled fetch) stops the job: its partial file is removed.
  res.on('close', () => !res.writableFinished && o.transfers.cancel(holder.clientId, holder.jobId));
  const r = await o.registry.invoke('storage:volumeUpload', { pool: q['pool'], name: q['name'], bytes, jobId: holder.jobId }, who(holder));
  o.transfers.takeUpload(holder.clientId, holder.jobId);
  answer(res, r.ok ? 200 : 422, r);
}

const who = (h: TicketHolder): { clientId: string; client?: string } => ({ clientId: h.clientId, ...(h.client !== undefined ? { client: h.client } : {}) });

/** The HTTP response as a download's sink: headers once the size is known, each piece written as the socket drains. */
function responseSink(res: ServerResponse): (v: { name: string; size: number }) => Promise<DownloadSink> {
  return async ({ name, size }) => {
    // The name passed the volume-name rule (letters, digits, "_.+-"): nothing in it can break the header.
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    return {
      write: (chunk) =>
        new Promise<void>((resolve, reject) => {
          if (res.destroyed) return reject(new Error('The browser stopped the download'));
          if (res.write(chunk)) return resolve();
          const done = (): void => (res.off('drain', done), res.off('close', done), res.destroyed ? reject(new Error('The browser stopped the download')) : resolve());
          res.on('drain', done);
          res.on('close', done);
        }),
      end: async (failure) => {
        if (failure === null) res.end();
        else res.destroy();
      },
    };
  };
}

/**
 * GET /transfer/download/TICKET: a download the browser saves itself (Content-Disposition), streamed from the host as
 * it is read. No page can put a header on a download, and the CSP allows no form (form-action 'none'), so the ticket
 * is the credential here: minted over the token-checked WebSocket for this client and job, single use, 60 s; our Host
 * was checked, and a request another site started (Sec-Fetch-Site other than same-origin) is refused.
 */
async function download(req: IncomingMessage, res: ServerResponse, url: URL, o: TransferHttpOptions): Promise<void> {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return answer(res, 403, refusal('FORBIDDEN', 'A download must start from this page'));
  const [ticket, pool, name] = url.pathname.slice(DOWNLOAD_PATH.length + 1).split('/').map((p) => decodeURIComponent(p));
  const holder = ticket !== undefined && TICKET_RE.test(ticket) ? o.transfers.redeem(ticket) : null;
  if (holder === null) return answer(res, 403, refusal('FORBIDDEN', 'The transfer ticket is unknown, used or expired'));
  o.transfers.attachDownload(holder.clientId, holder.jobId, responseSink(res));
  res.on('close', () => !res.writableFinished && o.transfers.cancel(holder.clientId, holder.jobId));
  const r = await o.registry.invoke('storage:volumeDownload', { pool, name, jobId: holder.jobId }, who(holder));
  o.transfers.takeDownload(holder.clientId, holder.jobId);
  if (r.ok) return;
  o.failed(holder, r.error.message);
  answer(res, 422, r);
}

/** Serves the transfer endpoints; false when `req` is not one of them (the caller serves the page). */
export function handleTransfer(req: IncomingMessage, res: ServerResponse, o: TransferHttpOptions): boolean {
  const url = new URL(req.url ?? '/', o.origin);
  const fail = (): void => answer(res, 500, { ok: false, error: { code: 'INTERNAL', message: 'The transfer failed' } });
  if (url.pathname === UPLOAD_PATH) {
    if (req.method !== 'POST') answer(res, 405, refusal('INVALID_ARG', 'POST the file'));
    else void upload(req, res, url, o).catch(fail);
    return true;
  }
  if (url.pathname.startsWith(`${DOWNLOAD_PATH}/`)) {
    if (req.method !== 'GET') answer(res, 405, refusal('INVALID_ARG', 'GET the download'));
    else void download(req, res, url, o).catch(fail);
    return true;
  }
  return false;
}
