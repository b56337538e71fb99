import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLocalFs } from '../../../../src/xen/runner/local-fs';
import { createSshFs, type RemoteScriptRunner } from '../../../../src/xen/runner/ssh-fs';
import type { HostFs } from '../../../../src/xen/runner/types';
import { createSimFs } from '../../../../src/xen/sim/fs';
import { makeTempDir } from './fake-bin';
import { localSpawner } from './local-sh';

// HostFs.writeStream/readStream on every runner that has files of its own: a NEW file only (never over one, never
// through a link), exactly the announced bytes, the partial file removed on failure or cancel; reads of regular files
// only, never through a link.

/** The ssh runner's one-shot scripts run by this machine's sh (as in ssh-fs-readdir.spec.ts). */
const localSh: RemoteScriptRunner = (script, args, input) =>
  new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', script, 'sh', ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    p.on('error', reject);
    p.on('close', (code) => resolve({ stdout, stderr, exitCode: code ?? -1 }));
    p.stdin.on('error', () => undefined);
    p.stdin.end(input ?? '');
  });

async function* pieces(buf: Buffer, size: number, hold?: { at: number; gate: Promise<void> }): AsyncGenerator<Uint8Array> {
  for (let i = 0, n = 0; i < buf.byteLength; i += size, n++) {
    if (hold !== undefined && n === hold.at) await hold.gate;
    yield buf.subarray(i, i + size);
  }
}

async function drain(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

interface Case {
  name: string;
  /** A HostFs and the host path of a fresh directory in it, with the local path that directory really is. */
  make(): { fs: HostFs; dir: string; real: string; spawned?: unknown[] };
}

const CASES: Case[] = [
  { name: 'local', make: () => ((d) => ({ fs: createLocalFs(), dir: d, real: d }))(makeTempDir('xenith-xfer-local-')) },
  {
    name: 'ssh (its scripts run by sh)',
    make: () => {
      const d = makeTempDir('xenith-xfer-ssh-');
      const spawned: unknown[] = [];
      return { fs: createSshFs(localSh, localSpawner(spawned as never[])), dir: d, real: d, spawned };
    },
  },
  {
    name: 'demo host',
    make: () => {
      const root = makeTempDir('xenith-xfer-sim-');
      mkdirSync(path.join(root, 'var/lib/xen/images'), { recursive: true });
      return { fs: createSimFs(root, { speed: 1000 }), dir: '/var/lib/xen/images', real: path.join(root, 'var/lib/xen/images') };
    },
  },
];

describe.each(CASES)('streaming an image on the $name runner', ({ make }) => {
  it('writes a new file of exactly the bytes given and reads them back', async () => {
    const { fs, dir, real, spawned } = make();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    await fs.writeStream(`${dir}/new.img`, data.byteLength, pieces(data, 64 * 1024));
    expect(readFileSync(`${real}/new.img`).equals(data)).toBe(true);
    if (spawned) expect(spawned).toHaveLength(1);
    const r = await fs.readStream(`${dir}/new.img`);
    expect(r.size).toBe(data.byteLength);
    expect((await drain(r.chunks)).equals(data)).toBe(true);
    if (spawned) expect(spawned).toHaveLength(2);
  });

  it('refuses to write over an existing file or through a link, and leaves both as they were', async () => {
    const { fs, dir, real } = make();
    writeFileSync(`${real}/old.img`, 'keep');
    await expect(fs.writeStream(`${dir}/old.img`, 3, pieces(Buffer.from('new'), 3))).rejects.toMatchObject({ code: 'EXISTS' });
    expect(readFileSync(`${real}/old.img`, 'utf8')).toBe('keep');
    const outside = makeTempDir('xenith-xfer-outside-');
    symlinkSync(`${outside}/target.img`, `${real}/link.img`);
    await expect(fs.writeStream(`${dir}/link.img`, 3, pieces(Buffer.from('new'), 3))).rejects.toMatchObject({ code: 'EXISTS' });
    expect(existsSync(`${outside}/target.img`)).toBe(false);
  });

  it('removes the partial file when the source is short, long, or fails', async () => {
    const { fs, dir, real } = make();
    await expect(fs.writeStream(`${dir}/short.img`, 10, pieces(Buffer.from('abc'), 3))).rejects.toMatchObject({ detail: { field: 'bytes' } });
    await expect(fs.writeStream(`${dir}/long.img`, 2, pieces(Buffer.from('abc'), 1))).rejects.toMatchObject({ detail: { field: 'bytes' } });
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('some');
      throw new Error('the browser went away');
    }
    await expect(fs.writeStream(`${dir}/broken.img`, 100, broken())).rejects.toThrow('the browser went away');
    await expect.poll(() => ['short', 'long', 'broken'].filter((n) => existsSync(`${real}/${n}.img`))).toEqual([]);
  });

  it('stops on cancel, even while waiting for the next piece, and removes exactly its partial file', async () => {
    const { fs, dir, real } = make();
    const ac = new AbortController();
    let sent = 0;
    const data = randomBytes(1024 * 1024);
    const gate = new Promise<void>(() => undefined);
    const up = fs.writeStream(`${dir}/c.img`, data.byteLength, (async function* () {
      for await (const c of pieces(data, 64 * 1024, { at: 4, gate })) {
        sent += c.byteLength;
        yield c;
      }
    })(), ac.signal);
    await expect.poll(() => sent).toBe(4 * 64 * 1024);
    await expect.poll(() => existsSync(`${real}/c.img`)).toBe(true);
    ac.abort();
    await expect(up).rejects.toMatchObject({ code: 'ABORTED' });
    await expect.poll(() => existsSync(`${real}/c.img`)).toBe(false);
  });

  it('reads only regular files, never through a link', async () => {
    const { fs, dir, real } = make();
    const outside = makeTempDir('xenith-xfer-outside-');
    writeFileSync(`${outside}/secret`, 'secret');
    symlinkSync(`${outside}/secret`, `${real}/l.img`);
    await expect(fs.readStream(`${dir}/l.img`)).rejects.toMatchObject({ code: 'PERMISSION' });
    mkdirSync(`${real}/d.img`);
    await expect(fs.readStream(`${dir}/d.img`)).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(fs.readStream(`${dir}/none.img`)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the demo host paces transfers like a real link', () => {
  it('takes time proportional to the size at speed 1, and a tenth of it at speed 10', async () => {
    const timeOf = async (speed: number): Promise<number> => {
      const root = makeTempDir('xenith-xfer-pace-');
      const fs = createSimFs(root, { speed });
      const data = Buffer.alloc(12 * 1024 * 1024);
      const t0 = Date.now();
      await fs.writeStream('/x.img', data.byteLength, pieces(data, 1024 * 1024));
      return Date.now() - t0;
    };
    // 12 MiB at 48 MiB/s: 250 ms; at ten times the speed, 25 ms. Waits are never shorter than asked, so the lower
    // bounds hold on any machine; a busy one only lengthens runs, so the best of three fast runs is compared with the
    // slow one (a single stall of a loaded machine cannot make the fast pace look slow).
    const slow = await timeOf(1);
    const fast = Math.min(await timeOf(10), await timeOf(10), await timeOf(10));
    expect(slow).toBeGreaterThanOrEqual(230);
    expect(fast).toBeGreaterThanOrEqual(20);
    expect(fast).toBeLessThan(slow);
  });
});
