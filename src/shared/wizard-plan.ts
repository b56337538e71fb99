import { z } from 'zod';
import { absPathSchema, bridgeSchema, domainNameSchema, macSchema, vdevSchema } from './schemas';

/** A single-line string that is safe inside a quoted xl.cfg value (no quotes, backslashes or control characters). */
const safeLine = z
  .string()
  .max(1024)
  .refine((s) => !/[\0-\x1f\x7f"'\\]/.test(s), 'may not contain quotes, backslashes or control characters');

/** One disk of a wizard plan: a new image to create, or an existing image/volume/device to use. */
export const wizardDiskSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('new'), path: absPathSchema, sizeGiB: z.number().min(0.1, 'Size must be at least 0.1 GiB').max(16384, 'Size is absurdly large'), format: z.enum(['raw', 'qcow2']), vdev: vdevSchema }).strict(),
  z.object({ mode: z.literal('existing'), path: absPathSchema, format: z.enum(['raw', 'qcow2', 'vhd']), vdev: vdevSchema }).strict(),
]);

/** One NIC of a wizard plan. */
export const wizardNicSchema = z
  .object({ bridge: bridgeSchema, mac: macSchema, model: z.enum(['e1000', 'rtl8139', 'virtio-net']).optional() })
  .strict();

/** Everything the wizard collected; main turns it into a DomainConfig, disks and a config file. */
export const wizardPlanSchema = z
  .object({
    type: z.enum(['pv', 'pvh', 'hvm']),
    method: z.enum(['iso', 'disk', 'pxe', 'kernel', 'pygrub']),
    preset: z.enum(['debian', 'ubuntu', 'fedora', 'alpine', 'windows', 'other']),
    name: domainNameSchema,
    memoryMiB: z.number().int().min(32, 'Memory must be at least 32 MiB').max(4 * 1024 * 1024),
    maxMemMiB: z.number().int().min(32).max(4 * 1024 * 1024),
    vcpus: z.number().int().min(1, 'At least one vCPU').max(512),
    maxVcpus: z.number().int().min(1).max(512),
    iso: absPathSchema.optional(),
    kernel: absPathSchema.optional(),
    ramdisk: absPathSchema.optional(),
    cmdline: safeLine.optional(),
    disks: z.array(wizardDiskSchema).max(16),
    nics: z.array(wizardNicSchema).max(8),
    vnc: z.boolean(),
    startNow: z.boolean(),
    autostart: z.boolean(),
    openConsole: z.boolean(),
    customise: z.boolean(),
    dryRun: z.boolean(),
  })
  .strict();

export type WizardPlan = z.infer<typeof wizardPlanSchema>;
export type WizardDisk = z.infer<typeof wizardDiskSchema>;
