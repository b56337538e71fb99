import { createReadStream } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { basename } from 'node:path';
import { XenError, type DownloadSink } from '../../xen/index';
import type { UploadPick } from '../../shared/transfer';
import type { DownloadEnd, TransferEnds } from './ends';

/** The part of Electron's `dialog` module used here, typed by shape so this file (and its tests) never load electron. */
export interface DialogApi<W> {
  showOpenDialog(win: W, o: { title: string; properties: ['openFile']; filters: { name: string; extensions: string[] }[] }): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(win: W, o: { title: string; defaultPath: string }): Promise<{ canceled: boolean; filePath?: string | undefined }>;
}

/** Main's own file dialogs for image transfers: the renderer never sees a local path, only a base name and a size. */
export interface FileDialogs {
  /** Asks for the local image to upload as job `jobId` and attaches it to that job; its base name and size, or null. */
  pickUpload(clientId: string, jobId: string, ends: TransferEnds): Promise<UploadPick | null>;
  /** Where a download of this client's goes: the save dialog, asked once the volume's name and size are known. */
  saveDownload(clientId: string): DownloadEnd;
}

const IMAGE_FILTERS = [
  { name: 'Disk and CD images', extensions: ['iso', 'img', 'raw', 'qcow2'] },
  { name: 'All files', extensions: ['*'] },
];

/** Reads a local file in 1 MiB pieces. */
function localChunks(path: string): AsyncIterable<Uint8Array> {
  return createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>;
}

/** A local file the save dialog chose, written piece by piece; removed again when the download fails. */
async function localSink(path: string): Promise<DownloadSink> {
  // 'w': the save dialog has already asked before replacing a file there.
  // 0600: a disk image can hold a guest's secrets.
  const fh = await fsp.open(path, 'w', 0o600);
  return {
    async write(chunk) {
      let off = 0;
      while (off < chunk.byteLength) off += (await fh.write(chunk, off, chunk.byteLength - off)).bytesWritten;
    },
    async end(failure) {
      await fh.close();
      if (failure !== null) await fsp.unlink(path).catch(() => undefined);
    },
  };
}

/** FileDialogs over Electron's dialog module (injected), each dialog modal to the window of the asking client. */
export function createFileDialogs<W>(dialog: DialogApi<W>, windowFor: (clientId: string) => W | null): FileDialogs {
  const win = (clientId: string): W => {
    const w = windowFor(clientId);
    if (w === null) throw new XenError('PERMISSION', 'Only a window of this app can open a file dialog', { field: 'jobId' });
    return w;
  };
  return {
    async pickUpload(clientId, jobId, ends) {
      const r = await dialog.showOpenDialog(win(clientId), { title: 'Upload an image', properties: ['openFile'], filters: IMAGE_FILTERS });
      const path = r.filePaths[0];
      if (r.canceled || path === undefined) return null;
      const st = await fsp.stat(path);
      if (!st.isFile()) throw new XenError('INVALID_ARG', `${basename(path)} is not a regular file`, { field: 'file' });
      ends.attachUpload(clientId, jobId, { bytes: st.size, open: () => localChunks(path) });
      return { fileName: basename(path), bytes: st.size };
    },
    saveDownload(clientId) {
      return async ({ name }) => {
        const r = await dialog.showSaveDialog(win(clientId), { title: `Download ${name}`, defaultPath: name });
        if (r.canceled || r.filePath === undefined || r.filePath === '') return null;
        return localSink(r.filePath);
      };
    },
  };
}
