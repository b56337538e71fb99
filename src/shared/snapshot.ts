import { z } from 'zod';
import type { ConfigProblem } from './domain-config';
import { describeControlChar, findControlChar } from './validate-helpers';
import { domainNameSchema } from './schemas';
import { vgNameSchema, volumeNameSchema } from './storage';

/**
 * Snapshots of a domain: each disk it writes captured in place (a qcow2 internal snapshot, or an LVM snapshot volume
 * in the disk's own volume group), and, for a running domain, its memory checkpointed by `xl save -c` into root's
 * save directory. A small metadata file Xenith owns lists them as a tree, so they survive a restart.
 */

/** Where a domain's snapshot metadata and memory checkpoints live, below the save directory (restore obeys them). */
export const SNAPSHOT_SUBDIR = 'xenith-snapshots';
export const SNAPSHOT_META = 'snapshots.json';
/** The metadata file's path (the domain's name in group 1): the broker client maps its reads and writes to typed operations. */
export const META_PATH_RE = /\/xenith-snapshots\/([A-Za-z0-9_][A-Za-z0-9_.-]{0,63})\/snapshots\.json$/;

/** A snapshot's id: 8 lowercase hex digits, used in qcow2 tags and LV names, never a person's words. */
export const snapshotIdSchema = z.string().regex(/^[0-9a-f]{8}$/, 'must be 8 hexadecimal digits');

/** A snapshot's name as a person gives it: shown, never put on a command line. */
export function snapshotNameProblem(n: string): string | null {
  if (n.trim() === '') return 'is empty';
  if (n.length > 64) return 'is longer than 64 characters';
  const c = findControlChar(n);
  if (c !== undefined) return `may not contain ${describeControlChar(c)}`;
  return null;
}
export const snapshotNameSchema = z.string().superRefine((s, ctx) => {
  const p = snapshotNameProblem(s);
  if (p !== null) ctx.addIssue({ code: 'custom', message: `The snapshot name ${p}` });
});
export const snapshotDescriptionSchema = z
  .string()
  .max(1024, 'The description is longer than 1024 characters')
  .refine((s) => findControlChar(s.replace(/\n/g, '')) === undefined, 'The description may not contain control characters');

/** The qcow2 tag of snapshot `id`. */
export const snapshotTag = (id: string): string => `xenith-${id}`;
/** The LVM snapshot volume of `lv` for snapshot `id`. */
export const snapshotLvName = (lv: string, id: string): string => `${lv}-snap-${id}`;
/** The memory checkpoint's file name in the domain's snapshot folder. */
export const snapshotMemFile = (id: string): string => `${id}.mem`;

/** How one disk was captured. */
export const snapshotDiskSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('qcow2'), vdev: z.string().max(32), path: z.string().max(4096), tag: z.string().regex(/^xenith-[0-9a-f]{8}$/) }).strict(),
  z.object({ kind: z.literal('lvm'), vdev: z.string().max(32), path: z.string().max(4096), vg: vgNameSchema, origin: volumeNameSchema, lv: volumeNameSchema, bytes: z.number().int().min(0) }).strict(),
]);
export type SnapshotDisk = z.output<typeof snapshotDiskSchema>;

export const snapshotRecordSchema = z
  .object({
    id: snapshotIdSchema,
    name: snapshotNameSchema,
    description: snapshotDescriptionSchema,
    parent: snapshotIdSchema.nullable(),
    /** ms since the epoch. */
    createdAt: z.number().int().min(0),
    /** Whether the memory was checkpointed (the domain was running): its file is snapshotMemFile(id). */
    memory: z.boolean(),
    memBytes: z.number().int().min(0).nullable(),
    /** How long the domain was paused for it, in ms (null for a stopped domain). */
    pauseMs: z.number().int().min(0).nullable(),
    disks: z.array(snapshotDiskSchema).max(64),
  })
  .strict();
export type SnapshotRecord = z.output<typeof snapshotRecordSchema>;

/** The metadata file: every snapshot of one domain and the one it is based on now. */
export const snapshotMetaSchema = z
  .object({
    version: z.literal(1),
    domain: domainNameSchema,
    current: snapshotIdSchema.nullable(),
    snapshots: z.array(snapshotRecordSchema).max(512),
  })
  .strict();
export type SnapshotMeta = z.output<typeof snapshotMetaSchema>;

/** A disk as a snapshot would see it: captured, shared (read-only, CD, empty) or refused (raw file, no pool). */
export interface SnapshotDiskPlan {
  vdev: string;
  path: string;
  how: 'qcow2' | 'lvm' | 'lvm-thin' | 'shared' | 'refused';
  /** Why shared or refused, in words. */
  note: string | null;
}

/** One snapshot as the UI lists it: in tree order, with its depth and size. */
export interface SnapshotView extends SnapshotRecord {
  depth: number;
  children: string[];
  /** Bytes it takes where that can be told (memory file plus LVM snapshot volumes), else null. */
  sizeBytes: number | null;
}

/** A domain's snapshots and whether one can be taken now. */
export interface SnapshotList {
  domain: string;
  /** The folder holding the metadata and memory checkpoints. */
  dir: string;
  current: string | null;
  snapshots: SnapshotView[];
  disks: SnapshotDiskPlan[];
  running: boolean;
  /** Why a snapshot cannot be taken now, each naming its field; empty when it can. */
  problems: ConfigProblem[];
}

export const snapshotListArgsSchema = z.object({ name: domainNameSchema }).strict();
export const snapshotCreateArgsSchema = z
  .object({ name: domainNameSchema, snapName: snapshotNameSchema, description: snapshotDescriptionSchema })
  .strict();
export type SnapshotCreateArgs = z.output<typeof snapshotCreateArgsSchema>;
export const snapshotRevertArgsSchema = z.object({ name: domainNameSchema, id: snapshotIdSchema, stopRunning: z.boolean() }).strict();
export type SnapshotRevertArgs = z.output<typeof snapshotRevertArgsSchema>;
export const snapshotDeleteArgsSchema = z.object({ name: domainNameSchema, id: snapshotIdSchema, subtree: z.boolean() }).strict();
export type SnapshotDeleteArgs = z.output<typeof snapshotDeleteArgsSchema>;

/** What a revert did. */
export interface SnapshotRevertResult {
  id: string;
  /** True when the domain runs again from the snapshot's memory. */
  resumed: boolean;
}

/** Orders records as a tree (parents before children, siblings oldest first) with depth and children. */
export function snapshotTree(records: readonly SnapshotRecord[]): Omit<SnapshotView, 'sizeBytes'>[] {
  const ids = new Set(records.map((r) => r.id));
  const kids = new Map<string | null, SnapshotRecord[]>();
  for (const r of records) {
    const p = r.parent !== null && ids.has(r.parent) ? r.parent : null;
    kids.set(p, [...(kids.get(p) ?? []), r]);
  }
  const out: Omit<SnapshotView, 'sizeBytes'>[] = [];
  const walk = (p: string | null, depth: number): void => {
    for (const r of [...(kids.get(p) ?? [])].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))) {
      out.push({ ...r, depth, children: (kids.get(r.id) ?? []).map((c) => c.id) });
      walk(r.id, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}

/** `id` and every snapshot below it. */
export function snapshotSubtree(records: readonly SnapshotRecord[], id: string): string[] {
  const out = [id];
  for (let i = 0; i < out.length; i++) for (const r of records) if (r.parent === out[i] && !out.includes(r.id)) out.push(r.id);
  return out;
}
