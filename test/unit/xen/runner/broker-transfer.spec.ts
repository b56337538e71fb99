import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBrokerRunner } from '../../../../src/xen/runner/broker-client';
import { makeTempDir } from './fake-bin';

// The broker runner's writeStream/readStream against a real broker process: the bytes cross as base64 pieces of root's
// upload and download sessions, several in flight, and arrive whole; a cancel or a refused image leaves no file.

const repo = path.resolve(__dirname, '../../../..');
let fixture: string;
let images: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  const out = makeTempDir('xenith-broker-bundle-');
  fixture = path.join(out, 'fixture.cjs');
  await build({ bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['node-pty'], logLevel: 'error', entryPoints: [path.join(repo, 'test/unit/xen/broker/fixture-broker.ts')], outfile: fixture });
  images = makeTempDir('xenith-broker-images-');
  env = { ...process.env, NODE_PATH: path.join(repo, 'node_modules'), XENITH_FIXTURE: JSON.stringify({ binDir: makeTempDir(), roots: [makeTempDir('xenith-etc-')], imageDirs: [images] }) };
}, 30_000);

async function* pieces(buf: Buffer, size: number, hold?: { at: number; gate: Promise<void> }): AsyncGenerator<Uint8Array> {
  for (let i = 0, n = 0; i < buf.byteLength; i += size, n++) {
    if (hold !== undefined && n === hold.at) await hold.gate;
    yield buf.subarray(i, i + size);
  }
}

describe('image transfers through the broker', () => {
  it('uploads and downloads the same bytes, in pieces of any size', async () => {
    const r = createBrokerRunner({ command: [process.execPath, fixture], env });
    try {
      const data = randomBytes(5 * 1024 * 1024 + 333);
      await r.fs.writeStream(`${images}/up.img`, data.byteLength, pieces(data, 100_000));
      expect(readFileSync(`${images}/up.img`).equals(data)).toBe(true);
      const s = await r.fs.readStream(`${images}/up.img`);
      expect(s.size).toBe(data.byteLength);
      const got: Buffer[] = [];
      for await (const c of s.chunks) got.push(Buffer.from(c));
      expect(Buffer.concat(got).equals(data)).toBe(true);
      await expect(r.fs.writeStream(`${images}/up.img`, 1, pieces(Buffer.from('x'), 1))).rejects.toMatchObject({ code: 'EXISTS' });
      await expect(r.fs.writeStream('/etc/evil.img', 1, pieces(Buffer.from('x'), 1))).rejects.toMatchObject({ code: 'PERMISSION' });
    } finally {
      await r.close();
    }
  });

  it('a cancelled upload asks root to remove its partial file', async () => {
    const r = createBrokerRunner({ command: [process.execPath, fixture], env });
    try {
      const ac = new AbortController();
      let sent = 0;
      const data = randomBytes(4 * 1024 * 1024);
      const up = r.fs.writeStream(`${images}/cancel.img`, data.byteLength, (async function* () {
        for await (const c of pieces(data, 512 * 1024, { at: 3, gate: new Promise<void>(() => undefined) })) {
          sent += c.byteLength;
          yield c;
        }
      })(), ac.signal);
      await expect.poll(() => sent, { timeout: 15_000 }).toBe(3 * 512 * 1024);
      // The partial file is root's hidden one until the upload completes.
      const hidden = (): string[] => readdirSync(images).filter((n) => n.startsWith('.xenith-upload-'));
      await expect.poll(() => hidden().length, { timeout: 15_000 }).toBe(1);
      expect(existsSync(`${images}/cancel.img`)).toBe(false);
      ac.abort();
      await expect(up).rejects.toMatchObject({ code: 'ABORTED' });
      expect(existsSync(`${images}/cancel.img`)).toBe(false);
      expect(hidden()).toEqual([]);
    } finally {
      await r.close();
    }
  });
});
