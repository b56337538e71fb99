import { XenError } from '../errors';
import { parseXlList } from '../parse/xl-list';
import type { Runner } from '../runner/types';

/** The two host figures the stats need and xentop -b does not print. */
export interface HostFacts {
  cpus: number;
  memKiB: number;
}

/**
 * Reads nr_cpus and total_memory from `xl info`. Only these two keys are needed, so they are read directly rather
 * than through the full xl info parser (which may change shape as the host view grows).
 */
export async function readHostFacts(runner: Runner): Promise<HostFacts> {
  const { stdout } = await runner.run('xl', ['info'], { timeoutMs: 30_000 });
  const cpus = /^nr_cpus\s*:\s*(\d+)\s*$/m.exec(stdout)?.[1];
  const memMiB = /^total_memory\s*:\s*(\d+)\s*$/m.exec(stdout)?.[1];
  if (cpus === undefined || memMiB === undefined) {
    throw new XenError('PARSE', 'xl info: nr_cpus or total_memory missing', { argv: ['xl', 'info'] });
  }
  return { cpus: Number(cpus), memKiB: Number(memMiB) * 1024 };
}

/** Name -> domid of every running domain, from one `xl list` (xentop prints no domids). */
export async function readDomids(runner: Runner): Promise<Map<string, number>> {
  const { stdout } = await runner.run('xl', ['list'], { timeoutMs: 30_000 });
  const map = new Map<string, number>();
  for (const row of parseXlList(stdout)) map.set(row.name, row.domid);
  return map;
}
