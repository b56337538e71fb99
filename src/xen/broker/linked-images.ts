import { realpath } from 'node:fs/promises';
import { XenError } from '../errors';
import { declaredBase, parseImageHeader } from '../storage/image-header';
import type { BrokerGuards } from './allowlist';
import { assertPlainFile, assertSelfContainedQcow2, claimNewImage, readHead, refuse } from './allowlist-storage';

// Linked images: a qcow2 overlay reading one base image of the pools (a linked clone's disk). Root's qemu opens the
// base too, so the base is held to what a disk itself is: inside the image directories, a plain file, and at most one
// level deep, with its format declared so nothing guesses it from bytes a guest wrote.

/** The base image an overlay may read: a plain file of an image directory and, when qcow2, self-contained. */
async function checkBase(base: string, format: 'raw' | 'qcow2', g: BrokerGuards, of: string): Promise<string> {
  const at = await g.images.check(base, 'follow').catch((e: unknown) => {
    const why = e instanceof XenError ? e.message : String(e);
    throw new XenError('PERMISSION', `${of} reads ${base}, which is not an image of the storage pools (${why})`, { field: 'path', rule: 'backing', path: base });
  });
  // qemu opens the name a header records as it is, following links: it must name the file itself, through no link,
  // so what was checked here is what qemu reads (and what the app's guards of a base compare against).
  if (at !== base) throw new XenError('PERMISSION', `${of} reads ${base} through a link (it is ${at}); a base is named by its real path`, { field: 'path', rule: 'backing', path: base });
  await assertPlainFile(at);
  if (format === 'qcow2') {
    await assertSelfContainedQcow2(at).catch((e: unknown) => {
      const why = e instanceof XenError ? e.message : String(e);
      throw new XenError('PERMISSION', `${of} reads ${base}, which must be a self-contained qcow2 image: ${why}`, { field: 'path', rule: 'backing', path: base });
    });
  }
  return at;
}

/**
 * A qcow2 image (by its header, read now) that is self-contained, or an overlay on one base image of the pools named
 * the way Xenith makes them (absolute path, declared raw or qcow2 format). Anything else a header names (a relative
 * or undeclared backing file, an external data file, a base outside the pools or itself reading another) is refused.
 */
export async function assertPooledQcow2(p: string, g: BrokerGuards): Promise<void> {
  const head = await readHead(p.startsWith('/dev/') ? await realpath(p) : p);
  const h = parseImageHeader(head, null, head.byteLength);
  if (h.format !== 'qcow2') refuse(`${p} is not a qcow2 image`, { field: 'path', rule: 'qcow2' });
  if (h.backing === null) return;
  const base = declaredBase(h);
  if (base === null || p.startsWith('/dev/')) {
    refuse(`${p} names a backing or data file (${h.backing}); root opens only a base named by its absolute path with its format declared`, { field: 'path', rule: 'backing' });
  }
  await checkBase(base!.path, base!.format, g, p);
}

/**
 * qemu-img create -q -f qcow2 -F raw|qcow2 -b BASE -- NEW: a new overlay (its size is the base's) in an image directory,
 * made by the broker first (O_EXCL, never through a link), on a base that is a plain image of the pools.
 */
export async function checkQemuOverlay(args: readonly string[], g: BrokerGuards): Promise<readonly string[]> {
  const fmt = args[5];
  const shape = args.length === 10 && ['create', '-q', '-f', 'qcow2', '-F'].every((x, i) => args[i] === x) && (fmt === 'raw' || fmt === 'qcow2') && args[6] === '-b' && args[8] === '--';
  if (!shape) refuse('qemu-img create with a backing file takes only -q -f qcow2 -F raw|qcow2 -b BASE -- NEW');
  const target = await g.images.check(args[9], 'nofollow');
  const base = await checkBase(args[7]!, fmt as 'raw' | 'qcow2', g, target);
  if (base === target) refuse('qemu-img create: an image cannot be its own base');
  await claimNewImage(target);
  return [...args.slice(0, 7), base, '--', target];
}
