import { randomBytes } from 'node:crypto';
import type { DownloadSink } from '../../xen/index';

/** Where an upload's bytes come from: a file main's dialog picked, or an HTTP request body. */
export interface UploadEnd {
  readonly bytes: number;
  /** The bytes, read once. */
  open(): AsyncIterable<Uint8Array>;
}

/** Where a download's bytes go, once its size is known; null when the person chose nowhere. */
export type DownloadEnd = (v: { name: string; size: number }) => Promise<DownloadSink | null>;

/** Who a ticket was given to: the client whose job an HTTP transfer belongs to. */
export interface TicketHolder {
  clientId: string;
  client: string | undefined;
  jobId: string;
}

/** How long a ticket may wait for its HTTP request. */
export const TICKET_TTL_MS = 60_000;
const MAX_TICKETS = 64;

const key = (clientId: string, jobId: string): string => `${clientId}\u0000${jobId}`;

/**
 * The two ends of every transfer in flight, by client and job: the source an upload reads or the sink a download
 * writes (attached by the Electron dialog or the HTTP request), the cancel of each running job, and browser mode's
 * single-use tickets pairing an HTTP request with the WebSocket client whose job it is.
 */
export class TransferEnds {
  private readonly tickets = new Map<string, TicketHolder & { expires: number }>();
  private readonly uploads = new Map<string, UploadEnd>();
  private readonly downloads = new Map<string, DownloadEnd>();
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new ticket for `holder`'s job; expired ones are forgotten, and a client cannot pile them up. */
  mint(holder: TicketHolder): string | null {
    const t = this.now();
    for (const [k, v] of this.tickets) if (v.expires <= t) this.tickets.delete(k);
    if (this.tickets.size >= MAX_TICKETS) return null;
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, { ...holder, expires: t + TICKET_TTL_MS });
    return ticket;
  }

  /** The holder of `ticket`, once: a ticket is gone after its first use or its time. */
  redeem(ticket: string): TicketHolder | null {
    const h = this.tickets.get(ticket);
    if (h === undefined) return null;
    this.tickets.delete(ticket);
    if (h.expires <= this.now()) return null;
    return { clientId: h.clientId, client: h.client, jobId: h.jobId };
  }

  attachUpload(clientId: string, jobId: string, end: UploadEnd): void {
    this.uploads.set(key(clientId, jobId), end);
  }

  /** The upload source of the job, taken (a source is read once). */
  takeUpload(clientId: string, jobId: string): UploadEnd | null {
    const k = key(clientId, jobId);
    const end = this.uploads.get(k) ?? null;
    this.uploads.delete(k);
    return end;
  }

  attachDownload(clientId: string, jobId: string, end: DownloadEnd): void {
    this.downloads.set(key(clientId, jobId), end);
  }

  takeDownload(clientId: string, jobId: string): DownloadEnd | null {
    const k = key(clientId, jobId);
    const end = this.downloads.get(k) ?? null;
    this.downloads.delete(k);
    return end;
  }

  /** Marks the job running and returns its cancel signal; null when that job already runs. */
  start(clientId: string, jobId: string): AbortController | null {
    const k = key(clientId, jobId);
    if (this.running.has(k)) return null;
    const ac = new AbortController();
    this.running.set(k, ac);
    return ac;
  }

  finish(clientId: string, jobId: string): void {
    this.running.delete(key(clientId, jobId));
  }

  /** Cancels the client's job (only that client's: another cannot guess its way into it). */
  cancel(clientId: string, jobId: string): boolean {
    const ac = this.running.get(key(clientId, jobId));
    ac?.abort();
    return ac !== undefined;
  }

  /** A client went away: its running transfers stop (each removes its partial file) and its ends are dropped. */
  dropClient(clientId: string): void {
    const prefix = `${clientId}\u0000`;
    for (const [k, ac] of this.running) if (k.startsWith(prefix)) ac.abort();
    for (const m of [this.uploads, this.downloads]) for (const k of [...m.keys()]) if (k.startsWith(prefix)) m.delete(k);
  }
}
