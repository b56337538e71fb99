// Issue #14 (image upload and download) on the real Xen 4.17 host, through src/xen's SSH runner: a file uploaded into
// the default directory pool arrives byte-identical (sha256 on the host), downloads back byte-identical, a qcow2 naming
// a backing file is refused and removed, and a cancelled upload leaves nothing. Runs only with XENITH_TEST_HOST set.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { closeConnection, describeHost, remote, remoteOk } from './support';
import { xenOver } from './xen-env';
import { qcow2Head } from '../fixtures/qcow2-head';

const IMAGES = '/var/lib/xen/images';
const NAMES = ['xenith-xfer.img', 'xenith-xfer-back.qcow2', 'xenith-xfer-cancel.img'];
const MiB = 1024 * 1024;

/** `buf` as a source of `piece`-byte chunks, optionally pausing before chunk `stopAt` until `gate` resolves. */
async function* pieces(buf: Buffer, piece: number, hold?: { at: number; gate: Promise<void> }): AsyncGenerator<Uint8Array> {
  for (let i = 0, n = 0; i < buf.byteLength; i += piece, n++) {
    if (hold !== undefined && n === hold.at) await hold.gate;
    yield buf.subarray(i, i + piece);
  }
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const rate = (bytes: number, ms: number): string => `${(bytes / MiB / (ms / 1000)).toFixed(1)} MiB/s`;


describeHost('uploading and downloading images on the Xen test host', (h) => {
  const { runner, api } = xenOver(h);
  const clean = () => remote(h, ['rm', '-f', ...NAMES.map((n) => `${IMAGES}/${n}`)], { timeoutMs: 60_000 });

  beforeAll(async () => {
    await clean();
    await remoteOk(h, ['mkdir', '-p', IMAGES], { timeoutMs: 60_000 });
  }, 300_000);

  afterAll(async () => {
    await clean();
    await runner.close();
    await closeConnection(h);
  }, 300_000);

  it('uploads a file byte-identical (sha256 on the host) and downloads it back byte-identical', async () => {
    const data = randomBytes(32 * MiB);
    const seen: number[] = [];
    let t0 = Date.now();
    const res = await api.uploadImage({ pool: 'default', name: NAMES[0]!, bytes: data.byteLength }, pieces(data, MiB), (done) => seen.push(done));
    const upMs = Date.now() - t0;
    console.log(`[transfer] upload 32 MiB over SSH: ${(upMs / 1000).toFixed(1)} s, ${rate(data.byteLength, upMs)}`);
    expect(res).toEqual({ path: `${IMAGES}/${NAMES[0]}`, format: 'raw', bytes: data.byteLength });
    expect(seen.at(-1)).toBe(data.byteLength);
    const onHost = (await remoteOk(h, ['sha256sum', `${IMAGES}/${NAMES[0]}`], { timeoutMs: 120_000 })).split(' ')[0];
    expect(onHost).toBe(sha(data));

    const got: Buffer[] = [];
    t0 = Date.now();
    const r = await api.downloadVolume({ pool: 'default', name: NAMES[0]! }, async ({ size }) => {
      expect(size).toBe(data.byteLength);
      return { write: async (c) => void got.push(Buffer.from(c)), end: async () => undefined };
    });
    const downMs = Date.now() - t0;
    console.log(`[transfer] download 32 MiB over SSH: ${(downMs / 1000).toFixed(1)} s, ${rate(data.byteLength, downMs)}`);
    expect(r).toEqual({ bytes: data.byteLength });
    expect(sha(Buffer.concat(got))).toBe(sha(data));
    // A second upload under the same name is refused before a byte moves, and the file stays as it was.
    await expect(api.uploadImage({ pool: 'default', name: NAMES[0]!, bytes: 3 }, pieces(Buffer.from('abc'), 3))).rejects.toMatchObject({ code: 'EXISTS', detail: { field: 'name' } });
    expect((await remoteOk(h, ['sha256sum', `${IMAGES}/${NAMES[0]}`], { timeoutMs: 120_000 })).split(' ')[0]).toBe(sha(data));
  }, 600_000);

  it('refuses a qcow2 image that names a backing file, and removes it', async () => {
    const img = qcow2Head({ size: MiB, backing: '/etc/shadow' });
    await expect(api.uploadImage({ pool: 'default', name: NAMES[1]!, bytes: img.byteLength }, pieces(img, 256 * 1024))).rejects.toMatchObject({
      code: 'PERMISSION',
      detail: { field: 'file', rule: 'backing' },
    });
    const ls = await remote(h, ['ls', `${IMAGES}/${NAMES[1]}`], { timeoutMs: 60_000 });
    expect(ls.code).not.toBe(0);
  }, 300_000);

  it('a cancelled upload leaves nothing behind', async () => {
    const data = randomBytes(16 * MiB);
    const ac = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seen: number[] = [];
    const up = api.uploadImage({ pool: 'default', name: NAMES[2]!, bytes: data.byteLength }, pieces(data, MiB, { at: 4, gate }), (d) => seen.push(d), ac.signal);
    // Four pieces are on their way; the file exists on the host while the upload runs.
    await expect.poll(() => seen.at(-1) ?? 0, { timeout: 120_000, interval: 200 }).toBe(4 * MiB);
    await expect.poll(async () => (await remote(h, ['test', '-f', `${IMAGES}/${NAMES[2]}`], { timeoutMs: 60_000 })).code, { timeout: 60_000, interval: 500 }).toBe(0);
    ac.abort();
    release();
    await expect(up).rejects.toMatchObject({ code: 'ABORTED' });
    await expect.poll(async () => (await remote(h, ['test', '-e', `${IMAGES}/${NAMES[2]}`], { timeoutMs: 60_000 })).code, { timeout: 60_000, interval: 500 }).not.toBe(0);
  }, 300_000);
});
