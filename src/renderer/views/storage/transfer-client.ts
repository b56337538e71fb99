import type { JobProgress } from '../../../shared/contract-types';
import { unwrapResponse, XenithError, type IpcResponse } from '../../../shared/ipc-errors';
import { DOWNLOAD_PATH, TOKEN_HEADER, UPLOAD_PATH, type UploadResultView } from '../../../shared/transfer';
import { inElectron, transferToken, xen } from '../../api/client';

/*
 * The renderer's half of image transfers. Electron: main opens the native dialogs and moves the bytes; the page only
 * names the pool, the volume and the job. Browser: the page's <input type=file> File is the body of a streaming POST
 * (Chromium reads it from disk as it sends), and a download is a link the browser saves itself; each request carries
 * a single-use ticket for this client's job. Progress comes as job:progress either way.
 */

/** A new job id (the contract's session-id rule: 8-64 letters, digits, "_" or "-"). */
export function newJobId(kind: 'up' | 'down'): string {
  const rand = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${kind}-${rand}`;
}

/** Follows job `jobId`'s progress until the returned function is called. */
export function followJob(jobId: string, cb: (p: JobProgress) => void): () => void {
  return xen.on('job:progress', (p) => p.jobId === jobId && cb(p));
}

/** What the person picked to upload: a File in the browser, main's pick in Electron (name and size only). */
export type PickedFile = { kind: 'browser'; file: File; fileName: string; bytes: number } | { kind: 'electron'; fileName: string; bytes: number };

/** Electron: main's open dialog, bound to `jobId`; null when the person chose nothing. */
export async function pickInMain(jobId: string): Promise<PickedFile | null> {
  const p = await xen.storage.uploadPick({ jobId });
  return p === null ? null : { kind: 'electron', fileName: p.fileName, bytes: p.bytes };
}

/** Uploads the picked file as volume `name` of `pool` under job `jobId`. */
export async function uploadPicked(picked: PickedFile, pool: string, name: string, jobId: string): Promise<UploadResultView> {
  if (picked.kind === 'electron') return xen.storage.volumeUpload({ pool, name, bytes: picked.bytes, jobId });
  const { ticket } = await xen.storage.transferTicket({ jobId });
  const q = new URLSearchParams({ ticket, pool, name, bytes: String(picked.bytes) });
  const res = await fetch(`${UPLOAD_PATH}?${q.toString()}`, { method: 'POST', body: picked.file, headers: { [TOKEN_HEADER]: transferToken() ?? '' } }).catch((e: unknown) => {
    throw new XenithError('ABORTED', `The upload stopped: ${e instanceof Error ? e.message : String(e)}`, { field: 'file' });
  });
  return unwrapResponse((await res.json()) as IpcResponse<UploadResultView>);
}

/**
 * Downloads volume `name` of `pool` under job `jobId`. Electron: main's save dialog, resolving when done (null: no
 * file chosen). Browser: the browser's own download of a ticketed link; resolves when job:progress says it ended.
 */
export async function downloadVolume(pool: string, name: string, jobId: string): Promise<{ bytes: number } | null> {
  if (inElectron) return xen.storage.volumeDownload({ pool, name, jobId });
  const ended = new Promise<{ bytes: number }>((resolve, reject) => {
    const off = followJob(jobId, (p) => {
      if (p.state === 'running') return;
      off();
      if (p.state === 'done') resolve({ bytes: 0 });
      else reject(new XenithError('XL_FAILED', p.message, { field: 'name' }));
    });
  });
  const { ticket } = await xen.storage.transferTicket({ jobId });
  const a = document.createElement('a');
  a.href = `${DOWNLOAD_PATH}/${ticket}/${encodeURIComponent(pool)}/${encodeURIComponent(name)}`;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  return ended;
}

/** Stops job `jobId` (its partial file is removed). */
export function cancelTransfer(jobId: string): Promise<void> {
  return xen.storage.transferCancel({ jobId });
}
