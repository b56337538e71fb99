import { isXenError } from '../errors';
import { READ_DIR_MAX_BYTES, type DirEntryRead, type HostFs, type ReadDirOptions } from './types';

/** What readDirParts needs: the single-file reads, and optionally a check each entry must pass (the broker's policy). */
type Parts = Pick<HostFs, 'list' | 'stat' | 'readFile' | 'readlink'>;

/** Null when `fn` fails the way a file can (gone, not allowed, not a regular file, too big): one entry never fails the listing. */
async function orNull<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (isXenError(e)) return null;
    throw e;
  }
}

/**
 * readDir made of single-file reads, for a HostFs whose reads cost no round trip (this machine, the demo host, root's
 * broker). `allowed` gives the path an entry's text is read from, or null when it may not be read: the broker passes
 * its policy's check, which answers the resolved path, so what is read is what was checked.
 */
export async function readDirParts(fs: Parts, dir: string, o: ReadDirOptions, allowed: (p: string) => Promise<string | null> = async (p) => p): Promise<DirEntryRead[]> {
  const names = (await fs.list(dir)).filter((n) => n.endsWith(o.suffix) && !n.startsWith('.'));
  return Promise.all(
    names.map(async (name) => {
      const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
      const link = await orNull(() => fs.readlink(p));
      let text: string | null = null;
      const target = o.text ? await allowed(p) : null;
      if (target !== null) {
        const st = await orNull(() => fs.stat(target));
        // readFile itself refuses what is not a regular file; the size cap keeps a listing small.
        if (st !== null && !st.isDirectory && st.size <= READ_DIR_MAX_BYTES) text = await orNull(() => fs.readFile(target));
      }
      return { name, link, text };
    }),
  );
}
