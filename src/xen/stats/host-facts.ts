import { parseXlInfo } from '../parse/xl-info';
import { parseXlList } from '../parse/xl-list';
import type { Runner } from '../runner/types';

/** The two host figures the stats need and xentop -b does not print. */
export interface HostFacts {
  cpus: number;
  memKiB: number;
}

/** Reads nr_cpus and total_memory from one `xl info`. */
export async function readHostFacts(runner: Runner): Promise<HostFacts> {
  const { stdout } = await runner.run('host.info', {});
  const info = parseXlInfo(stdout);
  return { cpus: info.nrCpus, memKiB: info.totalMemoryMiB * 1024 };
}

/** Name -> domid of every running domain, from one `xl list` (xentop prints no domids). */
export async function readDomids(runner: Runner): Promise<Map<string, number>> {
  const { stdout } = await runner.run('domains.list', {});
  const map = new Map<string, number>();
  for (const row of parseXlList(stdout)) map.set(row.name, row.domid);
  return map;
}
