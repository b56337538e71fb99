import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileDialogs, type DialogApi } from '../../../../src/main/transfer/dialogs';
import { TICKET_TTL_MS, TransferEnds } from '../../../../src/main/transfer/ends';
import { makeTempDir } from '../../xen/runner/fake-bin';

// Electron's side of image transfers with the dialog injected (electron itself is never loaded here): main asks, the
// renderer gets a base name and a size only, and the bytes come from or go to the file the person chose.

type Win = { id: number };

/** A dialog that answers with `open` and `save` and records which window asked. */
function fakeDialog(open: string | null, save: string | null, asked: Win[] = []): DialogApi<Win> {
  return {
    showOpenDialog: async (w) => (asked.push(w), open === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [open] }),
    showSaveDialog: async (w) => (asked.push(w), save === null ? { canceled: true } : { canceled: false, filePath: save }),
  };
}

const windows = (id: string): Win | null => (id === 'win-3' ? { id: 3 } : null);

async function drain(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

describe('main\'s file dialogs', () => {
  it('picks a file for the asking window\'s job: the renderer gets its base name and size, the job its bytes', async () => {
    const dir = makeTempDir('xenith-dlg-');
    writeFileSync(path.join(dir, 'debian.iso'), 'iso bytes');
    const asked: Win[] = [];
    const d = createFileDialogs(fakeDialog(path.join(dir, 'debian.iso'), null, asked), windows);
    const ends = new TransferEnds();
    expect(await d.pickUpload('win-3', 'job-00000001', ends)).toEqual({ fileName: 'debian.iso', bytes: 9 });
    expect(asked).toEqual([{ id: 3 }]);
    // Another client, or another job, finds nothing to upload.
    expect(ends.takeUpload('win-4', 'job-00000001')).toBeNull();
    const end = ends.takeUpload('win-3', 'job-00000001');
    expect((await drain(end!.open())).toString()).toBe('iso bytes');
    expect(ends.takeUpload('win-3', 'job-00000001')).toBeNull();
  });

  it('attaches nothing when the dialog is cancelled, and refuses a caller that is not a window', async () => {
    const ends = new TransferEnds();
    expect(await createFileDialogs(fakeDialog(null, null), windows).pickUpload('win-3', 'job-00000002', ends)).toBeNull();
    expect(ends.takeUpload('win-3', 'job-00000002')).toBeNull();
    await expect(createFileDialogs(fakeDialog('/etc/hostname', null), windows).pickUpload('ws-1', 'job-00000003', ends)).rejects.toMatchObject({ code: 'PERMISSION' });
  });

  it('saves a download where the save dialog says, and removes that file when the download fails', async () => {
    const dir = makeTempDir('xenith-dlg-');
    const target = path.join(dir, 'web.img');
    const d = createFileDialogs(fakeDialog(null, target), windows);
    const sink = await d.saveDownload('win-3')({ name: 'web.img', size: 6 });
    await sink!.write(Buffer.from('abc'));
    await sink!.write(Buffer.from('def'));
    await sink!.end(null);
    expect(readFileSync(target, 'utf8')).toBe('abcdef');
    const failing = await d.saveDownload('win-3')({ name: 'web.img', size: 6 });
    await failing!.write(Buffer.from('ab'));
    await failing!.end(new Error('cancelled'));
    expect(existsSync(target)).toBe(false);
    expect(await createFileDialogs(fakeDialog(null, null), windows).saveDownload('win-3')({ name: 'x', size: 1 })).toBeNull();
  });
});

describe('transfer tickets and jobs', () => {
  it('a ticket names its client and job once, and not after its time', () => {
    let now = 1000;
    const ends = new TransferEnds(() => now);
    const t = ends.mint({ clientId: 'ws-1', client: 'browser', jobId: 'job-1' })!;
    expect(ends.redeem(t)).toEqual({ clientId: 'ws-1', client: 'browser', jobId: 'job-1' });
    expect(ends.redeem(t)).toBeNull();
    const late = ends.mint({ clientId: 'ws-1', client: 'browser', jobId: 'job-2' })!;
    now += TICKET_TTL_MS;
    expect(ends.redeem(late)).toBeNull();
  });

  it('only the client that runs a job can cancel it; a client that leaves stops its jobs', () => {
    const ends = new TransferEnds();
    const a = ends.start('ws-1', 'job-1')!;
    expect(ends.start('ws-1', 'job-1')).toBeNull();
    expect(ends.cancel('ws-2', 'job-1')).toBe(false);
    expect(a.signal.aborted).toBe(false);
    ends.dropClient('ws-1');
    expect(a.signal.aborted).toBe(true);
  });
});
