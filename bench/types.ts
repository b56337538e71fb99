/** One measured figure; `name` is stable so results can be compared run to run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The 1-minute load average when its measurement started. */
  load?: number;
  /** Measured while the machine was busier than bench/load.ts allows, even on a second try. */
  noisy?: boolean;
  /** For a ratio: the figure it divides by (the limit of the part the pipeline cannot make faster). */
  limit?: string;
}

/** A group of measurements: bench/suites/index.ts lists every suite. */
export interface BenchSuite {
  name: string;
  run(): Promise<BenchResult[]>;
}

/** CPU milliseconds (user + system, all threads of this process) spent in `fn`, divided by `count`. */
export async function cpuMsPer(count: number, fn: () => Promise<void> | void): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / count;
}
