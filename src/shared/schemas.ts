import { z } from 'zod';
import { absPathProblem, bridgeProblem, domainNameProblem, macProblem, ruleSchema, vdevProblem } from './rules';

/** Schemas for the values that cross IPC. Each refuses what could break a command line or a config file. */

/** A domain name: the one rule in rules.ts. */
export const domainNameSchema = ruleSchema(domainNameProblem, 'Name');

/** An absolute host path: the one rule in rules.ts (no spaces, quotes, commas, "..", control characters). */
export const absPathSchema = ruleSchema(absPathProblem, 'Path');

/** A virtual device name such as xvda, hdc or sdb. */
export const vdevSchema = ruleSchema(vdevProblem, 'Device');

/** A MAC address written as six colon-separated hex pairs. */
export const macSchema = ruleSchema(macProblem, 'MAC');

/** A Linux bridge name. */
export const bridgeSchema = ruleSchema(bridgeProblem, 'Bridge name');

/** Where an edit takes effect: on the running domain, in its config file (next boot), or both. */
export const applySchema = z.enum(['live', 'config', 'both']);
export type ApplyMode = z.infer<typeof applySchema>;

/** A disk as the UI describes it (formatted into an xl disk spec by src/xen). */
export const diskArgSchema = z
  .object({
    target: absPathSchema,
    format: z.enum(['raw', 'qcow2', 'vhd', 'qcow']),
    vdev: vdevSchema,
    access: z.enum(['rw', 'ro']),
    devtype: z.enum(['disk', 'cdrom']).optional(),
  })
  .strict();
export type DiskArg = z.infer<typeof diskArgSchema>;

/** A network interface as the UI describes it. */
export const nicArgSchema = z
  .object({
    mac: macSchema.optional(),
    bridge: bridgeSchema.optional(),
    model: z.enum(['e1000', 'rtl8139', 'virtio-net']).optional(),
  })
  .strict();
export type NicArg = z.infer<typeof nicArgSchema>;

/** Names one domain. */
export const domainRefSchema = z.object({ name: domainNameSchema }).strict();

/** A positive size in MiB within what any Xen host can hold. */
export const mibSchema = z.number().int('Memory must be a whole number of MiB').min(16, 'Memory must be at least 16 MiB').max(16 * 1024 * 1024, 'Memory is absurdly large');

/** A console session id handed out by main. */
export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'Bad session id');
