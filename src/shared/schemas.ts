import { z } from 'zod';

/** Schemas for the values that cross IPC. Each refuses what could break a command line or a config file. */

/** A domain name Xen accepts: letters, digits, `_ . -`, not starting with `-` or `.`, not all digits, at most 64 characters. */
export const domainNameSchema = z
  .string()
  .min(1, 'Name is empty')
  .max(64, 'Name is longer than 64 characters')
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'Name may use only letters, digits, "_", "." and "-", and not start with "-" or "."')
  // An all-digit name would be read by xl as a domid.
  .refine((n) => !/^\d+$/.test(n), 'Name may not be all digits (xl would read it as a domain ID)');

/** An absolute host path with no `..` segment, control character or quote. */
export const absPathSchema = z
  .string()
  .min(2, 'Path is empty')
  .max(4096, 'Path is too long')
  .regex(/^\//, 'Path must be absolute (start with "/")')
  .refine((p) => !/[\0-\x1f\x7f"'\\]/.test(p), 'Path may not contain quotes, backslashes or control characters')
  .refine((p) => !p.split('/').includes('..'), 'Path may not contain ".."')
  .refine((p) => !/[,=]/.test(p), 'Path may not contain "," or "=" (they break xl device specifications)');

/** A virtual device name such as xvda, hdc or sdb. */
export const vdevSchema = z.string().regex(/^(xvd|hd|sd)[a-z]{1,2}[0-9]{0,2}$/, 'Device must look like xvda, hdc or sdb');

/** A MAC address written as six colon-separated hex pairs. */
export const macSchema = z.string().regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, 'MAC must be six hex pairs like 00:16:3e:12:34:56');

/** A Linux bridge name. */
export const bridgeSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,15}$/, 'Bridge name must be 1-15 letters, digits, "_", "." or "-"');

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
