import { XenError } from '../errors';
import type { XenProgram } from './types';

/** The closed list of programs a runner may start, as a value (types.ts holds only the type). */
export const XEN_PROGRAMS: readonly XenProgram[] = [
  'xl',
  'xentop',
  'xenstore-read',
  'xenstore-ls',
  'xenstore-list',
  'qemu-img',
  'brctl',
  'ip',
  'df',
  'lsblk',
  'vgs',
  'lvs',
  'lvcreate',
  'lvconvert',
  'lvremove',
  'lvextend',
  'lvreduce',
  'vgcreate',
  'findmnt',
  'mount',
  'umount',
];

/** Most arguments one command may carry, and the longest one; far above what Xenith sends, well below ARG_MAX. */
export const MAX_ARGS = 64;
export const MAX_ARG_LENGTH = 4096;

/** True when `p` is one of the programs in XEN_PROGRAMS. */
export function isXenProgram(p: unknown): p is XenProgram {
  return typeof p === 'string' && (XEN_PROGRAMS as readonly string[]).includes(p);
}

/**
 * Refuses anything that is not a known program plus a list of plain strings. Runs in every runner because the
 * arguments may have come from the renderer (or, in the broker, from an unprivileged process).
 */
export function assertCommand(program: unknown, args: unknown): asserts args is readonly string[] {
  if (!isXenProgram(program)) {
    throw new XenError('INVALID_ARG', `Program ${JSON.stringify(program)} is not one Xenith may run`, { field: 'program' });
  }
  if (!Array.isArray(args)) throw new XenError('INVALID_ARG', 'Arguments must be a list of strings', { field: 'args' });
  if (args.length > MAX_ARGS) throw new XenError('INVALID_ARG', `Too many arguments (${args.length} > ${MAX_ARGS})`, { field: 'args' });
  args.forEach((a: unknown, i) => {
    if (typeof a !== 'string') throw new XenError('INVALID_ARG', `Argument ${i} is not a string`, { field: 'args', index: i });
    // A NUL would silently cut the argument short in execve.
    if (a.includes('\0')) throw new XenError('INVALID_ARG', `Argument ${i} contains a NUL byte`, { field: 'args', index: i });
    if (a.length > MAX_ARG_LENGTH) throw new XenError('INVALID_ARG', `Argument ${i} is too long`, { field: 'args', index: i });
  });
}
