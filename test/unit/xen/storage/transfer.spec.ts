import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createXenApi, type XenApi } from '../../../../src/xen/ops/api';
import { createDemoRunner, type DemoRunner } from '../../../../src/xen/sim/index';
import { qcow2Head } from '../../../fixtures/qcow2-head';

// uploadImage and downloadVolume on the demo host: every refusal (name, taken, free space, LVM pool, running writer)
// comes before any byte moves, names its field, and a cancel or a refused image leaves no file behind.

let dir: string;
let demo: DemoRunner;
let api: XenApi;
const images = (): string => join(dir, 'root/var/lib/xen/images');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenith-transfer-'));
  demo = createDemoRunner({ stateDir: dir, speed: 100 });
  api = createXenApi(demo, {});
});
afterEach(async () => {
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A source that counts how often it was read from. */
function source(buf: Buffer, piece = 64 * 1024): AsyncIterable<Uint8Array> & { pulled: number } {
  const s = {
    pulled: 0,
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < buf.byteLength; i += piece) {
        s.pulled++;
        yield buf.subarray(i, i + piece);
      }
    },
  };
  return s;
}

describe('uploadImage', () => {
  it('makes a new volume with progress, and lists it with its format and size', async () => {
    const data = Buffer.alloc(1024 * 1024, 7);
    const seen: [number, number][] = [];
    const r = await api.uploadImage({ pool: 'default', name: 'new.img', bytes: data.byteLength }, source(data), (d, t) => seen.push([d, t]));
    expect(r).toEqual({ path: '/var/lib/xen/images/new.img', format: 'raw', bytes: data.byteLength });
    expect(seen.at(-1)).toEqual([data.byteLength, data.byteLength]);
    expect(seen.length).toBe(16);
    const v = (await api.storageOverview()).volumes.find((x) => x.name === 'new.img');
    expect(v).toMatchObject({ pool: 'default', format: 'raw', virtualBytes: data.byteLength });
  });

  it('refuses before reading a byte: a bad or taken name, a file larger than the free space, an LVM pool', async () => {
    const s = source(Buffer.alloc(10));
    await expect(api.uploadImage({ pool: 'default', name: '../evil', bytes: 10 }, s)).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'name' } });
    await expect(api.uploadImage({ pool: 'default', name: 'db01.img', bytes: 10 }, s)).rejects.toMatchObject({ code: 'EXISTS', detail: { field: 'name' } });
    const free = (await api.storageOverview()).pools.find((p) => p.def.name === 'default')!.freeBytes!;
    await expect(api.uploadImage({ pool: 'default', name: 'huge.img', bytes: free + 1 }, s)).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'file' }, message: expect.stringMatching(/larger than the .* free in pool default/) as unknown as string });
    await expect(api.uploadImage({ pool: 'vg0', name: 'x', bytes: 10 }, s)).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'pool' } });
    expect(s.pulled).toBe(0);
    expect(existsSync(join(images(), 'huge.img'))).toBe(false);
    // The taken name's file is the sparse disk it was.
    expect(statSync(join(images(), 'db01.img')).size).toBe(20 * 1024 ** 3);
  });

  it('removes a qcow2 image naming a backing file, and says so naming the file', async () => {
    const b = qcow2Head({ size: 64 * 1024, backing: '/etc/shadow' });
    await expect(api.uploadImage({ pool: 'default', name: 'evil.qcow2', bytes: b.byteLength }, source(b))).rejects.toMatchObject({ code: 'PERMISSION', detail: { field: 'file', rule: 'backing' } });
    expect(existsSync(join(images(), 'evil.qcow2'))).toBe(false);
  });

  it('a cancel removes the partial file', async () => {
    const ac = new AbortController();
    const data = Buffer.alloc(8 * 1024 * 1024);
    const up = api.uploadImage({ pool: 'default', name: 'c.img', bytes: data.byteLength }, source(data), (d) => d >= 1024 * 1024 && ac.abort(), ac.signal);
    await expect(up).rejects.toMatchObject({ code: 'ABORTED' });
    expect(existsSync(join(images(), 'c.img'))).toBe(false);
  });
});

describe('downloadVolume', () => {
  it('streams a file volume to the sink it is given, after telling its size', async () => {
    const data = Buffer.alloc(300_000, 3);
    await api.uploadImage({ pool: 'default', name: 'd.img', bytes: data.byteLength }, source(data));
    const got: Buffer[] = [];
    let ended: unknown = 'not yet';
    const r = await api.downloadVolume({ pool: 'default', name: 'd.img' }, async ({ name, size }) => {
      expect([name, size]).toEqual(['d.img', data.byteLength]);
      return { write: async (c) => void got.push(Buffer.from(c)), end: async (f) => void (ended = f) };
    });
    expect(r).toEqual({ bytes: data.byteLength });
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(ended).toBeNull();
    // Nowhere chosen: nothing is read.
    await expect(api.downloadVolume({ pool: 'default', name: 'd.img' }, async () => null)).resolves.toBeNull();
  });

  it('refuses a disk a running domain writes (naming it), a logical volume, and a volume that is not there', async () => {
    const open = async () => {
      throw new Error('no sink may be asked for');
    };
    await expect(api.downloadVolume({ pool: 'default', name: 'db01.img' }, open)).rejects.toMatchObject({ code: 'IN_USE', detail: { field: 'name', domain: 'db01' }, message: expect.stringContaining('running domain db01') as unknown as string });
    await expect(api.downloadVolume({ pool: 'vg0', name: 'scratch' }, open)).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'pool' } });
    await expect(api.downloadVolume({ pool: 'default', name: 'none.img' }, open)).rejects.toMatchObject({ code: 'NOT_FOUND', detail: { field: 'name' } });
  });
});
