import { z } from 'zod';
import { domainNameSchema, macSchema } from './schemas';
import { snapshotIdSchema } from './snapshot';
import { poolNameSchema } from './storage';
import type { ConfigProblem } from './domain-config';

/**
 * Cloning a stopped domain: a new name, a new UUID, new MACs, and a copy of every disk it writes, each into the pool
 * the user chose (or the pool the disk is in). Read-only disks and CDs are shared, not copied.
 */
export const cloneArgsSchema = z
  .object({
    name: domainNameSchema,
    newName: domainNameSchema,
    /** Where every copied disk goes; null: each into the pool its original is in. */
    pool: poolNameSchema.nullable(),
    /** Copy the disks as they were at this snapshot of the domain (its id) rather than as they are now. */
    snapshot: snapshotIdSchema.optional(),
    /**
     * A linked clone: each disk a qcow2 overlay reading the original's image file instead of a copy. The originals
     * become bases that must never change, so the original domain cannot start while a linked clone exists.
     */
    linked: z.boolean().optional(),
    /**
     * The identity the preview showed (its UUID and one MAC per interface), so the clone writes exactly the config the
     * user saw; without it a new one is drawn.
     */
    identity: z
      .object({
        uuid: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a UUID like 0c6b6f7e-3c1d-4f6e-9a1b-2d3c4e5f6a7b'),
        macs: z.array(macSchema).max(64),
      })
      .strict()
      .optional(),
  })
  .strict();
export type CloneArgs = z.output<typeof cloneArgsSchema>;

/** One disk of the clone: copied from a volume into a new one, or shared as it is (read-only, CD, empty drive). */
export interface CloneDisk {
  vdev: string;
  from: string;
  /** The new volume's path, or null when the disk is shared. */
  to: string | null;
  /** The pool the copy goes into (null when shared). */
  pool: string | null;
  /** How much the copy may take: the source's virtual size. */
  bytes: number;
  /** Why it is shared rather than copied, or null. */
  shared: string | null;
  /** The new volume is a linked one: an overlay reading `from`, which becomes its base. */
  linked?: boolean;
}

/** What a clone will do, shown before it runs: the exact config, each disk's copy, and anything that stops it. */
export interface ClonePlanView {
  configPath: string;
  text: string;
  /** The new UUID and MACs in `text`: sent back with the clone so it writes exactly this. */
  identity: { uuid: string; macs: string[] };
  disks: CloneDisk[];
  /** Each problem names its field ("newName", "pool", "disks[1].target"); the clone runs only without any. */
  problems: ConfigProblem[];
}

/** What a clone made. */
export interface CloneResult {
  name: string;
  configPath: string;
  created: string[];
}
