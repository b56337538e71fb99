import { open, lstat, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { ISO_MAGIC_OFFSET, parseImageHeader, PROBE_HEAD_BYTES, probeableName } from '../storage/image-header';
import type { ImageProbe } from './types';

/** Reads `len` bytes at `pos` of an open file (fewer at its end). */
async function readAt(fh: Awaited<ReturnType<typeof open>>, len: number, pos: number): Promise<Uint8Array> {
  const buf = new Uint8Array(len);
  const { bytesRead } = await fh.read(buf, 0, len, pos);
  return buf.subarray(0, bytesRead);
}

/**
 * The regular files directly in `dir` (links are skipped: a pool's volumes are its own files) with their sizes and what
 * their heads say. Used by the local and broker runners and, on its sandbox, by the demo host.
 */
export async function probeImagesIn(dir: string): Promise<ImageProbe[]> {
  const out: ImageProbe[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!probeableName(name)) continue;
    const p = path.join(dir, name);
    const st = await lstat(p).catch(() => null);
    if (!st?.isFile()) continue;
    const fh = await open(p, 'r');
    try {
      const head = await readAt(fh, PROBE_HEAD_BYTES, 0);
      const iso = st.size > ISO_MAGIC_OFFSET + 5 ? await readAt(fh, 5, ISO_MAGIC_OFFSET) : null;
      out.push({ name, size: st.size, allocated: st.blocks * 512, ...parseImageHeader(head, iso, st.size) });
    } finally {
      await fh.close();
    }
  }
  return out;
}
