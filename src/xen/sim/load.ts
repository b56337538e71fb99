import { createHash } from 'node:crypto';
import type { LoadProfile } from './model';

/** Deterministic pseudo-random numbers in [0,1) from a seed string. */
export function seededRandom(seed: string): () => number {
  let counter = 0;
  return () => {
    const h = createHash('sha256').update(`${seed}#${counter++}`).digest();
    return h.readUInt32BE(0) / 2 ** 32;
  };
}

/** A load profile for a domain, fixed by its name: some idle, some busy, each with its own rhythm. */
export function loadProfileFor(name: string): LoadProfile {
  const rnd = seededRandom(`load:${name}`);
  const kind = rnd();
  // A third idle, a third moderate, a third busy; amplitude never pushes the load outside [0,1].
  const base = kind < 0.34 ? 0.02 + rnd() * 0.05 : kind < 0.67 ? 0.15 + rnd() * 0.25 : 0.5 + rnd() * 0.3;
  const amp = Math.min(base, 1 - base) * (0.3 + rnd() * 0.6);
  return {
    base,
    amp,
    periodS: 20 + Math.floor(rnd() * 100),
    phase: rnd() * Math.PI * 2,
    netTxKps: Math.floor(rnd() * 400 * base + 1),
    netRxKps: Math.floor(rnd() * 900 * base + 2),
    rdReqPs: Math.floor(rnd() * 60 * base),
    wrReqPs: Math.floor(rnd() * 40 * base + 1),
  };
}

/** Busy fraction of each online vCPU at absolute time `tMs`. */
export function loadAt(p: LoadProfile, tMs: number): number {
  return p.base + p.amp * Math.sin((2 * Math.PI * tMs) / 1000 / p.periodS + p.phase);
}

/** CPU seconds one vCPU burns between t0 and t1 (closed-form integral of loadAt, so any clock jump is exact). */
export function cpuSecondsBetween(p: LoadProfile, t0Ms: number, t1Ms: number): number {
  if (t1Ms <= t0Ms) return 0;
  const prim = (tMs: number): number => {
    const s = tMs / 1000;
    return p.base * s - ((p.amp * p.periodS) / (2 * Math.PI)) * Math.cos((2 * Math.PI * s) / p.periodS + p.phase);
  };
  return Math.max(0, prim(t1Ms) - prim(t0Ms));
}
