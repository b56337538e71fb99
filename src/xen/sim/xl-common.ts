import * as path from 'node:path';
import type { HostFs } from '../runner/types';
import { SimFailure, type SimHost } from './host';

// What every simulated xl subcommand shares: results, the context, xl's option parsing and argument rules.

/** What one simulated command left behind. */
export interface SimResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** What the xl interpreter needs from its surroundings. */
export interface XlContext {
  host: SimHost;
  fs: HostFs;
  /** Real-time wait (already divided by speed by the caller's host.delay). */
  sleep(ms: number): Promise<void>;
}

/** The magic first line of an xl save file (xl_utils.h: savefileheader_magic). */
export const SAVE_MAGIC = 'Xen saved domain, xl format\n \0 \r';

export const ok = (stdout = '', stderr = ''): SimResult => ({ stdout, stderr, exitCode: 0 });

export function usage(cmd: string, min: number): never {
  throw new SimFailure(`'xl ${cmd}' requires at least ${min} argument${min > 1 ? 's' : ''}.\n\n`, 2);
}

/** Splits `-a -b x` style options from positionals (xl's getopt subset). */
export function opts(args: readonly string[], withValue: readonly string[] = []): { flags: Set<string>; values: Map<string, string>; pos: string[] } {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') {
      pos.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--') && a.length > 2) flags.add(a);
    else if (a.startsWith('-') && a.length > 1 && !/^-[0-9]/.test(a)) {
      const letters = a.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const f = `-${letters[j] ?? ''}`;
        if (withValue.includes(f)) {
          const rest = letters.slice(j + 1);
          values.set(f, rest !== '' ? rest : (args[++i] ?? ''));
          break;
        }
        flags.add(f);
      }
    } else pos.push(a);
  }
  return { flags, values, pos };
}

/** parse_mem_size_kb: number with optional t/g/m/k/b suffix, default KiB; -1 when invalid. */
export function parseMemSizeKiB(s: string): number {
  const m = /^([0-9]+)([tgmkbTGMKB]?)$/.exec(s);
  if (!m || !m[1]) return -1;
  const n = Number(m[1]);
  switch ((m[2] ?? '').toLowerCase()) {
    case 't':
      return n * 1024 ** 3;
    case 'g':
      return n * 1024 ** 2;
    case 'm':
      return n * 1024;
    case 'b':
      return Math.floor(n / 1024);
    default:
      return n;
  }
}

/** Relative paths on dom0 resolve against root's home, where the captures ran xl. */
export function hostPath(p: string): string {
  return p.startsWith('/') ? p : path.posix.join('/root', p);
}

export function parseCpuList(s: string, nrCpus: number): boolean {
  if (s === 'all') return true;
  return s.split(',').every((part) => {
    const m = /^(\^?)([0-9]+)(?:-([0-9]+))?$/.exec(part);
    if (!m || !m[2]) return false;
    const a = Number(m[2]);
    const b = m[3] !== undefined ? Number(m[3]) : a;
    return a <= b && b < nrCpus;
  });
}

/** One xl subcommand of the simulator: its arguments after the subcommand, and the command line's global options. */
export type XlHandler = (ctx: XlContext, args: readonly string[], call: { cmd: string; dryRunGlobal: boolean }) => SimResult | Promise<SimResult>;
