import { z } from 'zod';

/**
 * Stats history kept by main on disk (src/main/history): what each row holds and how long each resolution is kept.
 * The tiers follow XenCenter's and Xen Orchestra's round-robin archives: 1 s for 10 minutes, 1 min for 25 hours, 1 h
 * for a year. A row of a coarser tier is the average of the rows it covers.
 */

/** Columns of a domain's row, in order (the renderer's rings use the same order). */
export const DOMAIN_METRICS = ['cpuGuest', 'cpuHost', 'memMiB', 'blkRead', 'blkWrite', 'netRx', 'netTx'] as const;
/** Columns of the host's row. */
export const HOST_METRICS = ['cpuPct', 'memUsedMiB', 'memTotalMiB'] as const;

/** One resolution of the history: step between rows and how long rows are kept, both in ms. */
export interface HistoryTier {
  id: 'second' | 'minute' | 'hour';
  stepMs: number;
  keepMs: number;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
/** Every tier, finest first. */
export const HISTORY_TIERS: readonly HistoryTier[] = [
  { id: 'second', stepMs: 1000, keepMs: 10 * MIN },
  { id: 'minute', stepMs: MIN, keepMs: 25 * HOUR },
  { id: 'hour', stepMs: HOUR, keepMs: 366 * 24 * HOUR },
];
export type HistoryTierId = HistoryTier['id'];

/** The tier of `id`. */
export function tierOf(id: HistoryTierId): HistoryTier {
  const t = HISTORY_TIERS.find((x) => x.id === id);
  if (!t) throw new Error(`unknown history tier ${id}`);
  return t;
}

/**
 * A domain's name as xentop reports it (also domains made outside Xenith, so not the stricter config rule), or null
 * for the host's own row.
 */
const historyDomainSchema = z
  .string()
  .min(1, 'is empty')
  .max(64, 'is longer than 64 characters')
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'may not contain control characters');

/** Arguments of `history:read`: one domain (or the host when `domain` is null), one tier, a time range. */
export const historyReadSchema = z
  .object({
    domain: historyDomainSchema.nullable(),
    tier: z.enum(['second', 'minute', 'hour']),
    fromMs: z.number().int().nonnegative(),
    toMs: z.number().int().nonnegative().optional(),
  })
  .strict();

/** Rows of one tier, oldest first: `t[i]` (epoch ms) and `v[i * width + m]` the m-th metric of row i. */
export interface HistorySeries {
  tier: HistoryTierId;
  width: number;
  t: number[];
  v: number[];
  /** False when main keeps no history (its store could not open): the renderer then shows only what it saw. */
  stored: boolean;
}
