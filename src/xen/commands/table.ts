import { z } from 'zod';
import { formatDiskSpec, parseDiskSpec } from '../../shared/disk-spec';
import { plainNameProblem } from '../../shared/rules';
import { blockDeviceSchema, nfsServerSchema, vgNameSchema, volumeNameSchema } from '../../shared/storage';
import { SYSRQ_KEYS } from '../../shared/contract';
import { absPathSchema, domainNameSchema, macSchema, vdevSchema } from '../../shared/schemas';
import { formatVifSpec, parseVifSpec } from '../../shared/vif-spec';
import type { TimeoutTable } from '../command';
import { renderCanonical } from '../config/config-policy';
import { XL_KEY_RE } from '../config/xl-format';
import type { XenProgram } from '../runner/types';

/**
 * The one list of commands Xenith runs on a host. Each entry declares, once, the program, the schema of its
 * arguments and how they become an argv. Every runner reads it: local and SSH build the argv here; the broker
 * receives only `{op, args}`, validates the args again with the same schema and builds the argv itself; the demo
 * host answers the argv built here. Nothing outside this table names a program or an argument.
 */
export interface CommandDef<S extends z.ZodType = z.ZodType> {
  readonly program: XenProgram;
  /** run: a command that finishes; stream: a long-lived process read as a stream; pty: on a terminal. */
  readonly mode: 'run' | 'stream' | 'pty';
  /** Which default timeout applies (command.ts). */
  readonly cls: keyof TimeoutTable;
  readonly args: S;
  argv(a: z.output<S>): string[];
}

/** qemu-img snapshot's action flags. */
const SNAPSHOT_FLAG = { create: '-c', apply: '-a', delete: '-d' } as const;
/** A qcow2 file as qemu-img's --image-opts: the driver fixed, commas in the path doubled (QemuOpts' escape). */
export const qcow2ImageOpts = (path: string): string => `driver=qcow2,file.driver=file,file.filename=${path.replace(/,/g, ',,')}`;
const snapshotTagSchema = z.string().regex(/^xenith-[0-9a-f]{8}$/, 'Not a Xenith snapshot tag');

const def = <S extends z.ZodType>(d: CommandDef<S>): CommandDef<S> => d;

/** DOMID_FIRST_RESERVED is 0x7FF0: anything at or above it is not a real domain. */
const MAX_DOMID = 0x7fef;

/** A domain as xl is told it: a name by the shared name rule, or a domid. */
export const domArgSchema = z.union([
  domainNameSchema,
  z
    .string()
    .regex(/^\d{1,5}$/)
    .refine((s) => Number(s) <= MAX_DOMID, 'Not a domain ID'),
], { error: 'Must be a domain name or a numeric domain ID' });

const noArgs = z.object({}).strict();
const dom = z.object({ dom: domArgSchema }).strict();
const flag = z.boolean().optional();

/** An xl disk specification, accepted only in the canonical form Xenith writes, with an absolute target or none. */
const diskSpecArg = z.string().max(4096).superRefine((s, ctx) => {
  try {
    const d = parseDiskSpec(s);
    if (d.target !== '' && absPathSchema.safeParse(d.target).success !== true) ctx.addIssue({ code: 'custom', message: 'The disk target must be an absolute path' });
    else if (formatDiskSpec(d) !== s) ctx.addIssue({ code: 'custom', message: 'The disk specification is not in canonical form' });
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : 'Not a disk specification' });
  }
});

/** An xl network specification in canonical form; a hotplug script may only be a plain name. */
const vifSpecArg = z.string().max(4096).superRefine((s, ctx) => {
  try {
    const v = parseVifSpec(s);
    if (v.script !== undefined && plainNameProblem(v.script) !== null) ctx.addIssue({ code: 'custom', message: 'A vif script must be a name from /etc/xen/scripts' });
    else if (formatVifSpec(v) !== s) ctx.addIssue({ code: 'custom', message: 'The network specification is not in canonical form' });
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : 'Not a network specification' });
  }
});

const cpuList = z.string().regex(/^(all|-|\^?\d{1,4}(-\d{1,4})?(,\^?\d{1,4}(-\d{1,4})?)*)$/, 'Must be "all", "-" or CPU numbers and ranges like 0-3,^2');
/** 16 TiB in MiB: far above any host, low enough that xl's parser takes it. */
const mib = z.number().int().min(1).max(16 * 1024 * 1024);
/** A xenstore path: absolute, plain words and slashes. */
const xenstorePath = z.string().max(1024).regex(/^\/[\w/@:.-]*$/, 'Not a xenstore path').refine((p) => !p.split('/').includes('..'), 'Not a xenstore path');
/** 64 TiB: above any disk a user means, exact as a JS number, whole sectors. */
const imageBytes = z.number().int().min(1024 * 1024).max(64 * 1024 ** 4).refine((n) => n % 512 === 0, 'Must be a multiple of 512');

/** A config as the values xl acts on (never text), small enough for a command line, each one a canonical line. */
type ConfigValue = string | number | ConfigValue[];
const configValue: z.ZodType<ConfigValue> = z.lazy(() => z.union([z.string().max(4096), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.array(configValue).max(256)]));
const canonicalLines = (values: Record<string, ConfigValue>): string[] => renderCanonical(values).split('\n').filter((l) => l !== '');
const configValues = z
  .record(z.string().regex(XL_KEY_RE).max(64), configValue)
  .refine((v) => Object.keys(v).length > 0 && Object.keys(v).length <= 512, 'Must hold between 1 and 512 options')
  .superRefine((v, ctx) => {
    try {
      canonicalLines(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : 'A value cannot be written as xl config' });
    }
  });

export const COMMANDS = {
  // Reads.
  'host.info': def({ program: 'xl', mode: 'run', cls: 'query', args: noArgs, argv: () => ['info'] }),
  'host.dmesg': def({ program: 'xl', mode: 'run', cls: 'query', args: noArgs, argv: () => ['dmesg'] }),
  'host.bridges': def({ program: 'ip', mode: 'run', cls: 'query', args: noArgs, argv: () => ['-o', 'link', 'show', 'type', 'bridge'] }),
  // Networks: dom0's links with their kinds and byte counters, addresses and neighbour table; read-only JSON.
  'net.links': def({ program: 'ip', mode: 'run', cls: 'query', args: noArgs, argv: () => ['-j', '-s', '-d', 'link', 'show'] }),
  'net.addrs': def({ program: 'ip', mode: 'run', cls: 'query', args: noArgs, argv: () => ['-j', 'addr', 'show'] }),
  'net.neighbours': def({ program: 'ip', mode: 'run', cls: 'query', args: noArgs, argv: () => ['-j', 'neigh', 'show'] }),
  'domains.list': def({ program: 'xl', mode: 'run', cls: 'query', args: noArgs, argv: () => ['list'] }),
  'domains.listLong': def({ program: 'xl', mode: 'run', cls: 'query', args: noArgs, argv: () => ['list', '-l'] }),
  'domain.list': def({ program: 'xl', mode: 'run', cls: 'query', args: dom, argv: (a) => ['list', a.dom] }),
  'domains.uptime': def({
    program: 'xl', mode: 'run', cls: 'query',
    args: z.object({ dom: domArgSchema.optional() }).strict(),
    argv: (a) => (a.dom === undefined ? ['uptime'] : ['uptime', a.dom]),
  }),
  'domains.vcpuList': def({
    program: 'xl', mode: 'run', cls: 'query',
    args: z.object({ dom: domArgSchema.optional() }).strict(),
    argv: (a) => (a.dom === undefined ? ['vcpu-list'] : ['vcpu-list', a.dom]),
  }),
  'domains.schedCredit2': def({
    program: 'xl', mode: 'run', cls: 'query',
    args: z.object({ dom: domArgSchema.optional() }).strict(),
    argv: (a) => (a.dom === undefined ? ['sched-credit2'] : ['sched-credit2', '-d', a.dom]),
  }),
  'domain.networkList': def({ program: 'xl', mode: 'run', cls: 'query', args: dom, argv: (a) => ['network-list', a.dom] }),
  'domain.blockList': def({ program: 'xl', mode: 'run', cls: 'query', args: dom, argv: (a) => ['block-list', a.dom] }),
  'xenstore.read': def({ program: 'xenstore-read', mode: 'run', cls: 'query', args: z.object({ key: xenstorePath }).strict(), argv: (a) => [a.key] }),
  'xenstore.list': def({ program: 'xenstore-ls', mode: 'run', cls: 'query', args: z.object({ path: xenstorePath }).strict(), argv: (a) => ['-f', a.path] }),
  'qemuImg.version': def({ program: 'qemu-img', mode: 'run', cls: 'query', args: noArgs, argv: () => ['--version'] }),
  'config.dryRun': def({ program: 'xl', mode: 'run', cls: 'query', args: z.object({ file: absPathSchema }).strict(), argv: (a) => ['create', '-n', a.file] }),
  // A config not written anywhere: with /dev/null as the file, xl reads every KEY=VALUE argument as a line of config.
  'config.dryRunValues': def({ program: 'xl', mode: 'run', cls: 'query', args: z.object({ values: configValues }).strict(), argv: (a) => ['create', '-n', '/dev/null', ...canonicalLines(a.values)] }),

  // Lifecycle.
  'domain.create': def({
    program: 'xl', mode: 'run', cls: 'create',
    args: z.object({ file: absPathSchema, paused: flag }).strict(),
    argv: (a) => ['create', ...(a.paused === true ? ['-p'] : []), a.file],
  }),
  'domain.shutdown': def({
    program: 'xl', mode: 'run', cls: 'change',
    args: z.object({ dom: domArgSchema, wait: flag, force: flag }).strict(),
    argv: (a) => ['shutdown', ...(a.wait === true ? ['-w'] : []), ...(a.force === true ? ['-F'] : []), a.dom],
  }),
  'domain.reboot': def({
    program: 'xl', mode: 'run', cls: 'change',
    args: z.object({ dom: domArgSchema, force: flag }).strict(),
    argv: (a) => ['reboot', ...(a.force === true ? ['-F'] : []), a.dom],
  }),
  'domain.destroy': def({ program: 'xl', mode: 'run', cls: 'change', args: dom, argv: (a) => ['destroy', a.dom] }),
  'domain.pause': def({ program: 'xl', mode: 'run', cls: 'change', args: dom, argv: (a) => ['pause', a.dom] }),
  'domain.unpause': def({ program: 'xl', mode: 'run', cls: 'change', args: dom, argv: (a) => ['unpause', a.dom] }),
  'domain.save': def({
    program: 'xl', mode: 'run', cls: 'saveRestore',
    // -c -p: a checkpoint (a snapshot's memory) that leaves the domain paused, for its disks to be captured.
    args: z.object({ dom: domArgSchema, file: absPathSchema, leaveRunning: flag, leavePaused: flag }).strict(),
    argv: (a) => ['save', ...(a.leaveRunning === true ? ['-c'] : []), ...(a.leavePaused === true ? ['-p'] : []), a.dom, a.file],
  }),
  'domain.restore': def({
    program: 'xl', mode: 'run', cls: 'saveRestore',
    args: z.object({ file: absPathSchema, paused: flag }).strict(),
    argv: (a) => ['restore', ...(a.paused === true ? ['-p'] : []), a.file],
  }),
  'domain.sysrq': def({
    program: 'xl', mode: 'run', cls: 'change',
    args: z.object({ dom: domArgSchema, key: z.enum(SYSRQ_KEYS) }).strict(),
    argv: (a) => ['sysrq', a.dom, a.key],
  }),
  'domain.rename': def({
    program: 'xl', mode: 'run', cls: 'change',
    args: z.object({ dom: domArgSchema, newName: domainNameSchema }).strict(),
    argv: (a) => ['rename', a.dom, a.newName],
  }),

  // Memory and CPUs.
  'domain.memSet': def({ program: 'xl', mode: 'run', cls: 'change', args: z.object({ dom: domArgSchema, mib }).strict(), argv: (a) => ['mem-set', a.dom, `${a.mib}m`] }),
  'domain.memMax': def({ program: 'xl', mode: 'run', cls: 'change', args: z.object({ dom: domArgSchema, mib }).strict(), argv: (a) => ['mem-max', a.dom, `${a.mib}m`] }),
  'domain.vcpuSet': def({
    program: 'xl', mode: 'run', cls: 'change',
    args: z.object({ dom: domArgSchema, count: z.number().int().min(1).max(512), ignoreHost: flag }).strict(),
    argv: (a) => ['vcpu-set', ...(a.ignoreHost === true ? ['--ignore-host'] : []), a.dom, String(a.count)],
  }),
  'domain.vcpuPin': def({
    program: 'xl', mode: 'run', cls: 'change',
    args: z.object({ dom: domArgSchema, vcpu: z.union([z.literal('all'), z.number().int().min(0).max(511)]), hard: cpuList, soft: cpuList.optional() }).strict(),
    argv: (a) => ['vcpu-pin', a.dom, String(a.vcpu), a.hard, ...(a.soft === undefined ? [] : [a.soft])],
  }),
  'domain.schedSet': def({
    program: 'xl', mode: 'run', cls: 'change',
    // Cap is a percentage of one pCPU: 100 per vCPU at most, 0 meaning none.
    args: z
      .object({ dom: domArgSchema, weight: z.number().int().min(1).max(65535).optional(), cap: z.number().int().min(0).max(51200).optional() })
      .strict()
      .refine((a) => a.weight !== undefined || a.cap !== undefined, { message: 'Give a weight, a cap or both', path: ['weight'] }),
    argv: (a) => ['sched-credit2', '-d', a.dom, ...(a.weight !== undefined ? ['-w', String(a.weight)] : []), ...(a.cap !== undefined ? ['-c', String(a.cap)] : [])],
  }),

  // Devices.
  'domain.blockAttach': def({ program: 'xl', mode: 'run', cls: 'change', args: z.object({ dom: domArgSchema, spec: diskSpecArg }).strict(), argv: (a) => ['block-attach', a.dom, a.spec] }),
  'domain.blockDetach': def({
    program: 'xl', mode: 'run', cls: 'change',
    args: z.object({ dom: domArgSchema, vdev: z.union([vdevSchema, z.string().regex(/^\d{1,9}$/)]), force: flag }).strict(),
    argv: (a) => ['block-detach', ...(a.force === true ? ['--force'] : []), a.dom, a.vdev],
  }),
  'domain.cdInsert': def({
    program: 'xl', mode: 'run', cls: 'change',
    args: z.object({ dom: domArgSchema, vdev: vdevSchema, file: absPathSchema }).strict(),
    argv: (a) => ['cd-insert', a.dom, a.vdev, a.file],
  }),
  'domain.cdEject': def({ program: 'xl', mode: 'run', cls: 'change', args: z.object({ dom: domArgSchema, vdev: vdevSchema }).strict(), argv: (a) => ['cd-eject', a.dom, a.vdev] }),
  'domain.networkAttach': def({ program: 'xl', mode: 'run', cls: 'change', args: z.object({ dom: domArgSchema, spec: vifSpecArg }).strict(), argv: (a) => ['network-attach', a.dom, a.spec] }),
  'domain.networkDetach': def({
    program: 'xl', mode: 'run', cls: 'change',
    args: z.object({ dom: domArgSchema, device: z.union([z.string().regex(/^\d{1,5}$/), macSchema]) }).strict(),
    argv: (a) => ['network-detach', a.dom, a.device],
  }),

  // Images: qemu-img only ever creates a new qcow2 file, never through a link.
  'image.createQcow2': def({
    program: 'qemu-img', mode: 'run', cls: 'change',
    args: z.object({ path: absPathSchema, bytes: imageBytes }).strict(),
    argv: (a) => ['create', '-q', '-f', 'qcow2', '--', a.path, String(a.bytes)],
  }),

  // A linked image: a new qcow2 overlay reading a base image of the pools (its format declared, so never guessed).
  'image.createOverlay': def({
    program: 'qemu-img', mode: 'run', cls: 'change',
    args: z.object({ path: absPathSchema, base: absPathSchema, baseFormat: z.enum(['raw', 'qcow2']) }).strict(),
    argv: (a) => ['create', '-q', '-f', 'qcow2', '-F', a.baseFormat, '-b', a.base, '--', a.path],
  }),

  'image.resize': def({
    program: 'qemu-img', mode: 'run', cls: 'change',
    args: z.object({ path: absPathSchema, format: z.enum(['raw', 'qcow2']), bytes: imageBytes, shrink: flag }).strict(),
    argv: (a) => ['resize', ...(a.shrink === true ? ['--shrink'] : []), '-q', '-f', a.format, '--', a.path, String(a.bytes)],
  }),

  // A volume's data into a volume made for it (-n: never creates or replaces a file), with progress on stdout.
  'image.convert': def({
    program: 'qemu-img', mode: 'stream', cls: 'saveRestore',
    // -l snapshot.name=TAG: the disk as it was at one of Xenith's snapshots inside a qcow2 source (clone from a snapshot).
    args: z.object({ src: absPathSchema, dst: absPathSchema, from: z.enum(['raw', 'qcow2']), to: z.enum(['raw', 'qcow2']), snapshot: snapshotTagSchema.optional() }).strict(),
    argv: (a) => ['convert', '-p', '-n', ...(a.snapshot === undefined ? [] : ['-l', `snapshot.name=${a.snapshot}`]), '-f', a.from, '-O', a.to, '--', a.src, a.dst],
  }),

  // Snapshots inside a qcow2 file (never of a file a running domain has open: qemu-img takes no lock Xen's qemu holds).
  'image.snapshot': def({
    program: 'qemu-img', mode: 'run', cls: 'change',
    args: z.object({ path: absPathSchema, action: z.enum(['create', 'apply', 'delete']), tag: snapshotTagSchema }).strict(),
    // --image-opts names the qcow2 driver: qemu-img never guesses the format from bytes a guest wrote.
    argv: (a) => ['snapshot', '-q', SNAPSHOT_FLAG[a.action], a.tag, '--image-opts', '--', qcow2ImageOpts(a.path)],
  }),

  // Storage pools: capacity of directories, LVM volume groups and their volumes, dom0's block devices.
  'storage.df': def({
    program: 'df', mode: 'run', cls: 'query',
    args: z.object({ paths: z.array(absPathSchema).min(1).max(48) }).strict(),
    argv: (a) => ['-B1', '--output=target,size,used,avail', '--', ...a.paths],
  }),
  'storage.blockDevices': def({
    program: 'lsblk', mode: 'run', cls: 'query', args: noArgs,
    argv: () => ['-J', '-b', '-o', 'PATH,SIZE,TYPE,MODEL,MOUNTPOINT,FSTYPE,PKNAME'],
  }),
  'lvm.vgs': def({
    program: 'vgs', mode: 'run', cls: 'query', args: noArgs,
    argv: () => ['--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,vg_size,vg_free'],
  }),
  'lvm.lvs': def({
    program: 'lvs', mode: 'run', cls: 'query', args: noArgs,
    argv: () => ['--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'lv_name,vg_name,lv_size,lv_attr,pool_lv,data_percent'],
  }),
  // A new LV, never over one (lvcreate refuses an existing name); thin when the group has a thin pool.
  'lvm.lvcreate': def({
    program: 'lvcreate', mode: 'run', cls: 'change',
    args: z.object({ vg: vgNameSchema, name: volumeNameSchema, bytes: imageBytes, thinPool: volumeNameSchema.optional() }).strict(),
    argv: (a) =>
      a.thinPool === undefined
        ? ['-q', '-y', '-W', 'y', '-Z', 'y', '-n', a.name, '-L', `${a.bytes}b`, '--', a.vg]
        : ['-q', '-y', '-n', a.name, '-V', `${a.bytes}b`, '-T', `${a.vg}/${a.thinPool}`],
  }),
  // Without -f: LVM itself refuses to remove an LV that is open (a running guest's disk).
  'lvm.lvremove': def({
    program: 'lvremove', mode: 'run', cls: 'change',
    args: z.object({ vg: vgNameSchema, name: volumeNameSchema }).strict(),
    argv: (a) => ['-q', '-y', '--', `${a.vg}/${a.name}`],
  }),
  'lvm.lvextend': def({
    program: 'lvextend', mode: 'run', cls: 'change',
    args: z.object({ vg: vgNameSchema, name: volumeNameSchema, bytes: imageBytes }).strict(),
    argv: (a) => ['-q', '-L', `${a.bytes}b`, '--', `${a.vg}/${a.name}`],
  }),
  // Shrinking cuts the end of the volume off: only ever asked for after the user confirmed, on a volume nobody uses.
  'lvm.lvreduce': def({
    program: 'lvreduce', mode: 'run', cls: 'change',
    args: z.object({ vg: vgNameSchema, name: volumeNameSchema, bytes: imageBytes }).strict(),
    argv: (a) => ['-q', '-y', '-L', `${a.bytes}b`, '--', `${a.vg}/${a.name}`],
  }),
  // A snapshot volume of VG/ORIGIN: thick with a copy-on-write area of `bytes`, or thin (no size) in the origin's pool.
  'lvm.snapshot': def({
    program: 'lvcreate', mode: 'run', cls: 'change',
    args: z.object({ vg: vgNameSchema, origin: volumeNameSchema, name: volumeNameSchema, bytes: imageBytes.optional() }).strict(),
    // A thin snapshot is skipped at activation unless -kn says otherwise: it must be there to be read (clone from it).
    argv: (a) => ['-q', '-y', '-s', '-n', a.name, ...(a.bytes === undefined ? ['-kn'] : ['-L', `${a.bytes}b`]), '--', `${a.vg}/${a.origin}`],
  }),
  // Puts a snapshot's blocks back into its origin and removes the snapshot (polling each second until done).
  'lvm.merge': def({
    program: 'lvconvert', mode: 'run', cls: 'saveRestore',
    args: z.object({ vg: vgNameSchema, name: volumeNameSchema }).strict(),
    argv: (a) => ['-q', '-i', '1', '--merge', '--', `${a.vg}/${a.name}`],
  }),
  // vgcreate makes the device a physical volume itself; the broker checks dom0 does not use the device.
  'lvm.vgcreate': def({
    program: 'vgcreate', mode: 'run', cls: 'change',
    args: z.object({ vg: vgNameSchema, device: blockDeviceSchema }).strict(),
    // No -y: vgcreate then refuses (not wipes) a disk with any signature on it.
    argv: (a) => ['-q', '--', a.vg, a.device],
  }),

  // NFS pools: the export mounted at the pool's mount point (root's policy names both), and what is mounted now.
  'nfs.mounts': def({
    program: 'findmnt', mode: 'run', cls: 'query', args: noArgs,
    argv: () => ['-J', '-t', 'nfs,nfs4', '-o', 'TARGET,SOURCE,FSTYPE'],
  }),
  'nfs.mount': def({
    program: 'mount', mode: 'run', cls: 'change',
    args: z.object({ server: nfsServerSchema, export: absPathSchema, path: absPathSchema }).strict(),
    argv: (a) => ['-t', 'nfs', '-o', 'nosuid,nodev,noexec', '--', `${a.server}:${a.export}`, a.path],
  }),
  'nfs.umount': def({
    program: 'umount', mode: 'run', cls: 'change',
    args: z.object({ path: absPathSchema }).strict(),
    argv: (a) => ['--', a.path],
  }),

  // Long-lived: the one stats stream, and consoles on a terminal.
  'stats.xentop': def({
    program: 'xentop', mode: 'stream', cls: 'query',
    args: z.object({ delayS: z.number().int().min(1).max(3600), fullNames: flag }).strict(),
    argv: (a) => ['-b', ...(a.fullNames === false ? [] : ['-f']), '-d', String(a.delayS)],
  }),
  'console.open': def({
    program: 'xl', mode: 'pty', cls: 'query',
    // The name goes last so it can never be read as a flag.
    args: z.object({ dom: domainNameSchema, type: z.enum(['pv', 'serial']).optional(), index: z.number().int().min(0).max(15).optional() }).strict(),
    argv: (a) => ['console', ...(a.type !== undefined ? ['-t', a.type] : []), ...(a.index !== undefined ? ['-n', String(a.index)] : []), a.dom],
  }),
} as const;

export type CommandName = keyof typeof COMMANDS;
/** What a caller passes for `op`. */
export type CommandArgs<K extends CommandName> = z.input<(typeof COMMANDS)[K]['args']>;
