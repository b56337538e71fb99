import { cpus, loadavg } from 'node:os';

/**
 * The machine's load while a figure is measured. Absolute figures on a 2-core machine move with whatever else runs,
 * so each figure carries the 1-minute load average at its start, and one measured above LOAD_LIMIT is measured again
 * after waiting for the machine to calm down; if it is still busy the figure is reported as noisy.
 */

/** 1.5 on 2 CPUs: three quarters of each CPU busy before the measurement starts. */
export const LOAD_LIMIT = 0.75 * Math.max(1, cpus().length);
/**
 * Longest wait for the load to drop below the limit before a measurement (the 1-minute average decays slowly);
 * XENITH_BENCH_SETTLE_S overrides (0: measure at once, for a quick look).
 */
const SETTLE_MS = Number(process.env['XENITH_BENCH_SETTLE_S'] ?? 90) * 1000;

/** The 1-minute load average now. */
export function loadNow(): number {
  return loadavg()[0] ?? 0;
}

/** Time spent so far waiting for the load to drop: the suites' watchdog does not count it as the suite's own. */
let settledMs = 0;
export function settlingSoFar(): number {
  return settledMs;
}

/** Waits until the load is below the limit, or `maxMs` has passed; returns the load at the end. */
export async function settle(maxMs = SETTLE_MS): Promise<number> {
  const t0 = Date.now();
  const end = t0 + maxMs;
  while (loadNow() > LOAD_LIMIT && Date.now() < end) await new Promise((r) => setTimeout(r, 1000));
  settledMs += Date.now() - t0;
  return loadNow();
}

/** A measurement with the load it started at, and whether that load was above the limit even on the second try. */
export interface Measured<T> {
  value: T;
  load: number;
  noisy: boolean;
}

/**
 * Measures `fn` on a calm machine: waits for the load to drop, measures, and when the load at the start was above the
 * limit, waits and measures once more; the second figure then stands, marked noisy if the machine was still busy.
 */
export async function measureQuietly<T>(what: string, fn: () => Promise<T>): Promise<Measured<T>> {
  let load = await settle();
  let value = await fn();
  if (load <= LOAD_LIMIT) return { value, load, noisy: false };
  console.error(`bench: ${what}: load ${load.toFixed(2)} was above ${LOAD_LIMIT.toFixed(2)} at the start; measuring again`);
  load = await settle();
  value = await fn();
  const noisy = load > LOAD_LIMIT;
  if (noisy) console.error(`bench: ${what}: load still ${load.toFixed(2)}: reported as noisy`);
  return { value, load, noisy };
}
