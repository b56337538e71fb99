import type { HandlerRegistry } from '../gateway/registry';
import type { Services } from '../core/services';
import { XenError } from '../../xen/index';
import { progressReporter } from '../transfer/progress';

/**
 * storage:volumeUpload / volumeDownload and their helpers. The bytes' other end is attached per client and job by the
 * transport (Electron: main's own dialogs; browser: the HTTP request redeeming a ticket); the handlers only pair it
 * with the src/xen operation, report job:progress to that client, and let that client alone cancel.
 */
export function registerTransferHandlers(r: HandlerRegistry, s: Services): void {
  const ends = s.transfers;
  s.hub.onClientLeft((clientId) => ends.dropClient(clientId));
  r.register('storage:uploadPick', async ({ jobId }, ctx) => {
    if (s.fileDialogs === null) throw new XenError('UNSUPPORTED', 'Only the desktop app opens a file dialog; the page picks the file itself', { field: 'jobId' });
    return s.fileDialogs.pickUpload(ctx.clientId, jobId, ends);
  });
  r.register('storage:volumeUpload', async ({ pool, name, bytes, jobId }, ctx) => {
    const end = ends.takeUpload(ctx.clientId, jobId);
    if (end === null) throw new XenError('INVALID_ARG', 'No file was chosen for this upload', { field: 'file' });
    if (end.bytes !== bytes) throw new XenError('INVALID_ARG', `The file has ${end.bytes} bytes, not ${bytes}`, { field: 'file' });
    return running(s, ctx.clientId, jobId, async (signal) => {
      const say = progressReporter(s.hub, ctx, jobId, 'upload', `Uploading ${name}`);
      try {
        const res = await s.api.uploadImage({ pool, name, bytes }, end.open(), say.progress, signal);
        say.end('done', `Uploaded ${name} to pool ${pool}.`);
        return res;
      } catch (e) {
        say.end('failed', e instanceof Error ? e.message : String(e));
        throw e;
      } finally {
        s.hub.emit('storage:changed', { reason: `volume ${name} uploaded` });
      }
    });
  });
  r.register('storage:volumeDownload', async ({ pool, name, jobId }, ctx) => {
    const end = ends.takeDownload(ctx.clientId, jobId) ?? (s.fileDialogs ? s.fileDialogs.saveDownload(ctx.clientId) : null);
    if (end === null) throw new XenError('UNSUPPORTED', 'Downloads in the browser go through POST /transfer/download', { field: 'jobId' });
    return running(s, ctx.clientId, jobId, async (signal) => {
      const say = progressReporter(s.hub, ctx, jobId, 'download', `Downloading ${name}`);
      try {
        const res = await s.api.downloadVolume({ pool, name }, end, say.progress, signal);
        say.end('done', res === null ? 'No file was chosen.' : `Downloaded ${name}.`);
        return res;
      } catch (e) {
        say.end('failed', e instanceof Error ? e.message : String(e));
        throw e;
      }
    });
  });
  r.register('storage:transferTicket', ({ jobId }, ctx) => {
    const ticket = ends.mint({ clientId: ctx.clientId, client: ctx.client, jobId });
    if (ticket === null) throw new XenError('LIMIT', 'Too many transfers are waiting to start', { field: 'jobId' });
    return { ticket };
  });
  r.register('storage:transferCancel', ({ jobId }, ctx) => void ends.cancel(ctx.clientId, jobId));
}

/** Runs the client's job with its cancel signal; one job per id at a time. */
async function running<T>(s: Services, clientId: string, jobId: string, job: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = s.transfers.start(clientId, jobId);
  if (ac === null) throw new XenError('EXISTS', `Transfer ${jobId} is already running`, { field: 'jobId' });
  try {
    return await job(ac.signal);
  } finally {
    s.transfers.finish(clientId, jobId);
  }
}
