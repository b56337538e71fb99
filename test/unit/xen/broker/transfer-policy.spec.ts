import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_POLICY, type BrokerPolicy } from '../../../../src/xen/broker/policy';
import { MAX_TRANSFERS, TRANSFER_CHUNK } from '../../../../src/xen/broker/transfer-ops';
import { createLocalExecutor } from '../../../../src/xen/runner/local';
import { makeTempDir } from '../runner/fake-bin';
import { codeOf, startHarness, type Harness } from './harness';
import { qcow2Head } from '../../../fixtures/qcow2-head';

// Root's image upload and download: typed sessions, every path through the images guard, a new file O_EXCL and never
// through a link, a qcow2 naming another file removed on close, a partial file removed on abort and when the
// connection ends.

let images: string;
let other: string;
let h: Harness;

function policy(): BrokerPolicy {
  const etc = makeTempDir('xenith-etc-');
  return { ...DEFAULT_BROKER_POLICY, configDir: etc, autoDir: path.join(etc, 'auto'), saveDir: path.join(etc, 'save'), imageDirs: [images], bootDirs: [] };
}

beforeEach(() => {
  images = makeTempDir('xenith-img-');
  other = makeTempDir('xenith-other-');
  h = startHarness({ executor: createLocalExecutor({ binDir: makeTempDir() }), policy: policy(), pools: null, poolsFile: path.join(makeTempDir(), 'pools.json') });
});

const err = (m: Record<string, unknown>): { code: string; detail: Record<string, unknown> } => m['error'] as { code: string; detail: Record<string, unknown> };
const value = <T>(m: Record<string, unknown>): T => {
  if (m['ok'] !== true) throw new Error(`expected ok, got ${JSON.stringify(m)}`);
  return m['value'] as T;
};
const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');

async function upload(p: string, body: Buffer): Promise<Record<string, unknown>> {
  const { target } = value<{ target: string }>(await h.request('image.upload.open', { path: p, bytes: body.byteLength }));
  for (let off = 0; off < body.byteLength; off += TRANSFER_CHUNK) value(await h.request('image.upload.write', { target, offset: off, data: b64(body.subarray(off, off + TRANSFER_CHUNK)) }));
  return h.request('image.upload.close', { target });
}


describe('image.upload', () => {
  it('writes a new file of exactly the announced bytes, mode 0600, and says its format', async () => {
    const body = Buffer.concat([Buffer.alloc(TRANSFER_CHUNK, 1), Buffer.from('tail')]);
    expect(value(await upload(`${images}/a.img`, body))).toEqual({ bytes: body.byteLength, format: 'raw' });
    expect(readFileSync(`${images}/a.img`).equals(body)).toBe(true);
  });

  it('refuses a path outside the image directories, through a link, and over an existing file (left as it was)', async () => {
    expect(err(await h.request('image.upload.open', { path: `${other}/x.img`, bytes: 1 })).code).toBe('PERMISSION');
    expect(existsSync(`${other}/x.img`)).toBe(false);
    symlinkSync(`${other}/target.img`, `${images}/link.img`);
    // O_CREAT|O_EXCL never follows the link: it is something already there.
    const viaLink = err(await h.request('image.upload.open', { path: `${images}/link.img`, bytes: 1 }));
    expect(viaLink.code).toBe('EXISTS');
    expect(existsSync(`${other}/target.img`)).toBe(false);
    mkdirSync(`${other}/dir`);
    symlinkSync(`${other}/dir`, `${images}/sub`);
    expect(err(await h.request('image.upload.open', { path: `${images}/sub/y.img`, bytes: 1 })).code).toBe('PERMISSION');
    writeFileSync(`${images}/old.img`, 'keep me');
    expect(err(await h.request('image.upload.open', { path: `${images}/old.img`, bytes: 1 })).code).toBe('EXISTS');
    expect(readFileSync(`${images}/old.img`, 'utf8')).toBe('keep me');
    expect(err(await h.request('image.upload.open', { path: `${images}/../x.img`, bytes: 1 })).code).toBe('INVALID_ARG');
  });

  it('removes a qcow2 image that names a backing file once it is closed', async () => {
    const r = err(await upload(`${images}/evil.qcow2`, qcow2Head({ size: 64 * 1024, backing: '/etc/shadow' })));
    expect(r.code).toBe('PERMISSION');
    expect(r.detail).toMatchObject({ field: 'file', rule: 'backing' });
    expect(existsSync(`${images}/evil.qcow2`)).toBe(false);
  });

  it('refuses writes out of order, past the announced size or bigger than a chunk; a short upload is removed on close', async () => {
    const { target } = value<{ target: string }>(await h.request('image.upload.open', { path: `${images}/s.img`, bytes: 10 }));
    expect(err(await h.request('image.upload.write', { target, offset: 4, data: b64('abcd') })).detail['field']).toBe('offset');
    expect(err(await h.request('image.upload.write', { target, offset: 0, data: b64('x'.repeat(11)) })).detail['field']).toBe('data');
    expect(err(await h.request('image.upload.write', { target, offset: 0, data: b64(Buffer.alloc(TRANSFER_CHUNK + 3)) })).code).toBe('INVALID_ARG');
    value(await h.request('image.upload.write', { target, offset: 0, data: b64('abcd') }));
    const closed = err(await h.request('image.upload.close', { target }));
    expect(closed.detail['field']).toBe('bytes');
    expect(existsSync(`${images}/s.img`)).toBe(false);
  });

  it('keeps the partial file under a hidden name no config can know, removes it on abort, and never replaces a file', async () => {
    const hidden = (): string[] => readdirSync(images).filter((n) => n.startsWith('.xenith-upload-'));
    const { target } = value<{ target: string }>(await h.request('image.upload.open', { path: `${images}/p.img`, bytes: 100 }));
    value(await h.request('image.upload.write', { target, offset: 0, data: b64('partial') }));
    expect(existsSync(`${images}/p.img`)).toBe(false);
    expect(hidden()).toHaveLength(1);
    value(await h.request('image.upload.abort', { target }));
    expect(hidden()).toEqual([]);
    expect(existsSync(`${images}/p.img`)).toBe(false);
    // A file someone made at the name meanwhile stays; the upload is refused at close and its hidden file goes.
    const second = value<{ target: string }>(await h.request('image.upload.open', { path: `${images}/q.img`, bytes: 5 }));
    value(await h.request('image.upload.write', { ...second, offset: 0, data: b64('abcde') }));
    writeFileSync(`${images}/q.img`, 'someone else');
    expect(codeOf(await h.request('image.upload.close', second))).toBe('EXISTS');
    expect(readFileSync(`${images}/q.img`, 'utf8')).toBe('someone else');
    expect(hidden()).toEqual([]);
    // A name already taken is refused before anything is made; so is more than the filesystem has free.
    expect(codeOf(await h.request('image.upload.open', { path: `${images}/q.img`, bytes: 5 }))).toBe('EXISTS');
    expect(codeOf(await h.request('image.upload.open', { path: `${images}/huge.img`, bytes: 64 * 1024 ** 4 }))).toBe('INVALID_ARG');
  });

  it('closes every session and removes unfinished uploads when the connection ends', async () => {
    value(await h.request('image.upload.open', { path: `${images}/u1.img`, bytes: 100 }));
    writeFileSync(`${images}/d.img`, 'data');
    value(await h.request('image.download.open', { path: `${images}/d.img` }));
    h.input.end();
    await h.broker.closed;
    expect(existsSync(`${images}/u1.img`)).toBe(false);
    expect(readdirSync(images).filter((n) => n.startsWith('.xenith-upload-'))).toEqual([]);
    expect(existsSync(`${images}/d.img`)).toBe(true);
  });

  it(`holds at most ${MAX_TRANSFERS} transfers at once and knows no session it did not open`, async () => {
    for (let i = 0; i < MAX_TRANSFERS; i++) value(await h.request('image.upload.open', { path: `${images}/m${i}.img`, bytes: 1 }));
    expect(err(await h.request('image.upload.open', { path: `${images}/m9.img`, bytes: 1 })).code).toBe('LIMIT');
    expect(err(await h.request('image.upload.write', { target: 'u0123456789abcdef', offset: 0, data: '' })).code).toBe('NOT_FOUND');
  });
});

describe('image.download', () => {
  it('reads a plain file of an image directory at the offsets asked', async () => {
    writeFileSync(`${images}/d.img`, 'hello world');
    const { target, size } = value<{ target: string; size: number }>(await h.request('image.download.open', { path: `${images}/d.img` }));
    expect(size).toBe(11);
    expect(Buffer.from(value<string>(await h.request('image.download.read', { target, offset: 6, length: 5 })), 'base64').toString()).toBe('world');
    value(await h.request('image.download.close', { target }));
    expect(err(await h.request('image.download.read', { target, offset: 0, length: 5 })).code).toBe('NOT_FOUND');
  });

  it('refuses a link, a file with another name (hard link), a directory and a path outside the pools', async () => {
    writeFileSync(`${other}/secret`, 'root only');
    symlinkSync(`${other}/secret`, `${images}/l.img`);
    expect(err(await h.request('image.download.open', { path: `${images}/l.img` })).code).toBe('PERMISSION');
    writeFileSync(`${images}/h.img`, 'x');
    linkSync(`${images}/h.img`, `${images}/h2.img`);
    expect(err(await h.request('image.download.open', { path: `${images}/h.img` })).detail['rule']).toBe('plain-file');
    mkdirSync(`${images}/dir.img`);
    expect(err(await h.request('image.download.open', { path: `${images}/dir.img` })).code).toBe('INVALID_ARG');
    expect(err(await h.request('image.download.open', { path: `${other}/secret` })).code).toBe('PERMISSION');
  });
});
