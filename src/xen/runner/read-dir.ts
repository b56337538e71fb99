import { isXenError } from '../errors';
import { READ_DIR_MAX_BYTES, type DirEntryRead, type HostFs, type ReadDirOptions } from './types';

/** What readDirParts needs: the single-file reads, and optionally a check each entry must pass (the broker's policy). */
type Parts = Pick<HostFs, 'list' | 'stat' | 'readFile' | 'readlink'>;

/** Null when `fn` fails because the file is not there or not allowed; any other failure still throws. */
async function orNull<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (e) {
    if (isXenError(e, 'NOT_FOUND') || isXenError(e, 'PERMISSION')) return null;
    throw e;
  }
}

/**
 * readDir made of single-file reads, for a HostFs whose reads cost no round trip (this machine, the demo host, root's
 * broker). `allowed` says whether an entry's text may be read (the broker passes its policy's check).
 */
export async function readDirParts(fs: Parts, dir: string, o: ReadDirOptions, allowed: (p: string) => Promise<boolean> = async () => true): Promise<DirEntryRead[]> {
  const names = (await fs.list(dir)).filter((n) => n.endsWith(o.suffix) && !n.startsWith('.'));
  return Promise.all(
    names.map(async (name) => {
      const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
      const link = await orNull(() => fs.readlink(p));
      let text: string | null = null;
      if (o.text && (await allowed(p))) {
        const st = await orNull(() => fs.stat(p));
        // stat describes the link itself; a link's target is read (and checked) by readFile.
        if (st !== null && !st.isDirectory && st.size <= READ_DIR_MAX_BYTES) text = await orNull(() => fs.readFile(p));
      }
      return { name, link, text };
    }),
  );
}
