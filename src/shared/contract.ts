import { z } from 'zod';
import type { DomainSummary, HostInfo, StatsBatch, ToolstackStatus } from './dto';
import type { IpcErrorCode } from './ipc-errors';
import type {
  ConsoleOpenResult,
  ConsoleStatusEvent,
  DomainDetails,
  DomainConfigView,
  DeleteReport,
  DirListing,
  JobProgress,
  VncOpenResult,
  WizardOptions,
  WizardPreview,
  WizardResult,
  BulkResult,
  ConfigCheck,
} from './contract-types';
import {
  absPathSchema,
  applySchema,
  diskArgSchema,
  domainNameSchema,
  domainRefSchema,
  macSchema,
  mibSchema,
  nicArgSchema,
  sessionIdSchema,
  vdevSchema,
} from './schemas';
import { wizardPlanSchema } from './wizard-plan';
import { historyReadSchema, type HistorySeries } from './history';
import type { DomainAddresses, NetworksView } from './network';
import { cloneArgsSchema, type ClonePlanView, type CloneResult } from './clone';
import {
  snapshotCreateArgsSchema, snapshotDeleteArgsSchema, snapshotListArgsSchema, snapshotRevertArgsSchema,
  type SnapshotList, type SnapshotRecord, type SnapshotRevertResult,
} from './snapshot';
import { TASK_LOG_LIMIT, type TaskRecord } from './tasks';
import { LIFECYCLE_ACTIONS } from './lifecycle';
import { PATCHABLE_KEYS } from './domain-config';
import {
  blockDeviceSchema,
  poolDefSchema,
  poolNameSchema,
  sizeGiBSchema,
  vgNameSchema,
  volumeNameSchema,
  type BlockDeviceInfo,
  type StorageOverview,
  type VolumeInfo,
} from './storage';
import { MAX_IMAGE_BYTES, type UploadPick, type UploadResultView } from './transfer';

/**
 * The one IPC contract: every request channel (`area:verb`) with its argument schema, its result type and the coded
 * errors it can return, plus the event channels main pushes. The Electron preload, the browser-mode WebSocket client
 * and the main-process gateway are all built from this map.
 */

interface ChannelSpec<A extends z.ZodType, R> {
  args: A;
  errors: readonly IpcErrorCode[];
  /** Phantom: carries the result type only. */
  result?: R;
}

/** Declares one channel. */
function ch<R>() {
  return <A extends z.ZodType>(args: A, errors: readonly IpcErrorCode[] = []): ChannelSpec<A, R> => ({ args, errors });
}

const none = z.object({}).strict();
const XL: readonly IpcErrorCode[] = ['XL_FAILED', 'XL_NOT_FOUND', 'TIMEOUT', 'PERMISSION', 'PARSE', 'NOT_FOUND'];

/** The magic SysRq keys Xenith offers (Documentation/admin-guide/sysrq.rst), with what each makes the guest do. */
export const SYSRQ = {
  s: 'sync all mounted filesystems',
  u: 'remount all filesystems read-only',
  b: 'reboot at once, without syncing or unmounting',
  o: 'power off at once',
  e: 'send SIGTERM to every process but init',
  i: 'send SIGKILL to every process but init',
  t: 'dump the task list to the console',
  m: 'dump memory information to the console',
  w: 'dump blocked (uninterruptible) tasks to the console',
} as const;
export type SysrqKey = keyof typeof SYSRQ;
export const SYSRQ_KEYS = Object.keys(SYSRQ) as [SysrqKey, ...SysrqKey[]];

/** What domains:changed says: which domains a change touched (null: any may have), and what it was, for logs. */
export interface DomainsChanged {
  reason: string;
  names: string[] | null;
}

/** Request channels. */
export const contract = {
  /** Which toolstack the app is connected to, and its health. */
  'app:status': ch<ToolstackStatus>()(none),
  /** Host facts from `xl info` and what was found around it. */
  'host:info': ch<HostInfo>()(none, XL),
  /** Stats history main keeps on disk: one domain's (or the host's) rows of one tier over a time range. */
  'history:read': ch<HistorySeries>()(historyReadSchema),
  /** The hypervisor log (`xl dmesg`), as lines. */
  'host:dmesg': ch<string[]>()(none, XL),
  /** Every domain: running and defined-but-stopped. */
  'domains:list': ch<DomainSummary[]>()(none, XL),
  /** Devices, vCPUs, scheduler and console facts of one domain. */
  'domain:details': ch<DomainDetails>()(domainRefSchema, XL),
  /**
   * Starts a stopped domain from its config file. A domain with a saved state needs `saved`: restore it, or discard
   * it and boot fresh; without it the start is refused (EXISTS), never a silent cold boot over the saved state.
   */
  'domain:start': ch<void>()(domainRefSchema.extend({ paused: z.boolean().optional(), saved: z.enum(['restore', 'discard']).optional() }).strict(), [...XL, 'EXISTS', 'IN_USE']),
  /** Shuts a domain down cleanly and waits until it is really gone. */
  'domain:shutdown': ch<void>()(domainRefSchema, XL),
  'domain:reboot': ch<void>()(domainRefSchema, XL),
  /** Sends a magic SysRq key to the guest's kernel (xl sysrq). */
  'domain:sysrq': ch<void>()(domainRefSchema.extend({ key: z.enum(SYSRQ_KEYS) }).strict(), XL),
  /** Force off (`xl destroy`); the UI confirms first. */
  'domain:destroy': ch<void>()(domainRefSchema, XL),
  'domain:pause': ch<void>()(domainRefSchema, XL),
  'domain:unpause': ch<void>()(domainRefSchema, XL),
  /** Saves a domain's memory to a new file (the domain stops). */
  'domain:save': ch<void>()(domainRefSchema.extend({ file: absPathSchema }).strict(), [...XL, 'EXISTS', 'INVALID_ARG']),
  /** Restores a domain from a save file. */
  'domain:restore': ch<void>()(z.object({ file: absPathSchema }).strict(), XL),
  'domain:rename': ch<void>()(domainRefSchema.extend({ newName: domainNameSchema }).strict(), [...XL, 'EXISTS', 'IN_USE']),
  /** Deletes a stopped domain's config; only the disks listed are deleted, one by one. */
  'domain:delete': ch<DeleteReport>()(domainRefSchema.extend({ disks: z.array(absPathSchema).max(64) }).strict(), [...XL, 'INVALID_ARG', 'IN_USE']),
  'domain:autostart': ch<void>()(domainRefSchema.extend({ enabled: z.boolean() }).strict(), XL),
  /** Runs one lifecycle action over several domains; each gets its own result. */
  'domains:bulk': ch<BulkResult[]>()(
    z
      .object({
        action: z.enum(LIFECYCLE_ACTIONS),
        names: z.array(domainNameSchema).min(1).max(1000),
      })
      .strict(),
  ),
  /** Memory target and/or maximum, live and/or in the config. */
  'domain:setMemory': ch<void>()(
    domainRefSchema.extend({ targetMiB: mibSchema.optional(), maxMiB: mibSchema.optional(), apply: applySchema }).strict(),
    [...XL, 'INVALID_ARG'],
  ),
  'domain:setVcpus': ch<void>()(
    domainRefSchema.extend({ vcpus: z.number().int().min(1).max(512), maxVcpus: z.number().int().min(1).max(512).optional(), apply: applySchema }).strict(),
    [...XL, 'INVALID_ARG'],
  ),
  'domain:pinVcpu': ch<void>()(
    domainRefSchema.extend({ vcpu: z.union([z.number().int().min(0).max(511), z.literal('all')]), cpus: z.string().regex(/^(all|\d+(-\d+)?(,\d+(-\d+)?)*)$/, 'CPUs must look like "all", "0-3" or "0,2"') }).strict(),
    XL,
  ),
  'domain:setSched': ch<void>()(
    domainRefSchema.extend({ weight: z.number().int().min(1).max(65535).optional(), cap: z.number().int().min(0).max(51200).optional() }).strict(),
    XL,
  ),
  'domain:attachDisk': ch<void>()(domainRefSchema.extend({ disk: diskArgSchema, apply: applySchema }).strict(), [...XL, 'EXISTS']),
  /** Creates a new sparse image and attaches it. Never overwrites an existing file. */
  'domain:createDisk': ch<void>()(
    domainRefSchema.extend({ disk: diskArgSchema, sizeGiB: z.number().min(0.01).max(65536), apply: applySchema }).strict(),
    [...XL, 'EXISTS'],
  ),
  'domain:detachDisk': ch<void>()(domainRefSchema.extend({ vdev: vdevSchema, apply: applySchema }).strict(), XL),
  'domain:cdInsert': ch<void>()(domainRefSchema.extend({ vdev: vdevSchema, file: absPathSchema }).strict(), XL),
  'domain:cdEject': ch<void>()(domainRefSchema.extend({ vdev: vdevSchema }).strict(), XL),
  'domain:attachNic': ch<void>()(domainRefSchema.extend({ nic: nicArgSchema, apply: applySchema }).strict(), XL),
  'domain:detachNic': ch<void>()(domainRefSchema.extend({ mac: macSchema, apply: applySchema }).strict(), XL),
  /** Changes some options of the config for next boot, over the model (comments kept); the merged model is validated. */
  'domain:configPatch': ch<void>()(
    domainRefSchema.extend({ patch: z.partialRecord(z.enum(PATCHABLE_KEYS), z.unknown()), expectedText: z.string().max(256 * 1024) }).strict(),
    [...XL, 'INVALID_ARG', 'EXISTS'],
  ),
  /** The domain's xl.cfg: path, text and the parsed model. */
  'domain:configGet': ch<DomainConfigView>()(domainRefSchema, XL),
  /** Checks config text without saving: syntax and every field. */
  'domain:configCheck': ch<ConfigCheck>()(domainRefSchema.extend({ text: z.string().max(256 * 1024) }).strict()),
  /** Saves config text (validated; atomic; comments kept). `expectedText` guards against a concurrent edit. */
  'domain:configSave': ch<void>()(domainRefSchema.extend({ text: z.string().max(256 * 1024), expectedText: z.string().max(256 * 1024) }).strict(), [...XL, 'INVALID_ARG']),
  /** Lists a directory on the host for the file chooser (main reads it; the renderer never touches files). */
  'files:list': ch<DirListing>()(z.object({ dir: absPathSchema.or(z.literal('/')), filter: z.enum(['any', 'iso', 'image', 'kernel', 'dir']) }).strict(), ['NOT_FOUND', 'PERMISSION']),
  /** What the wizard needs: guest types, bridges, host CPUs/memory, presets, used names and MACs. */
  'wizard:options': ch<WizardOptions>()(none, XL),
  /** Validates a plan and shows the exact xl.cfg it would write. */
  'wizard:preview': ch<WizardPreview>()(z.object({ plan: wizardPlanSchema }).strict()),
  /** What cloning a stopped domain would do: the exact config, each disk's copy, what stops it. Changes nothing. */
  'domain:clonePreview': ch<ClonePlanView>()(cloneArgsSchema, XL),
  /** Clones a stopped domain (copies with job:progress for `jobId`); a failure or cancel removes what it made. */
  'domain:clone': ch<CloneResult>()(cloneArgsSchema.extend({ jobId: sessionIdSchema }).strict(), [...XL, 'EXISTS', 'INVALID_ARG', 'IN_USE', 'ABORTED']),
  /** Cancels this client's clone `jobId`: the copy stops and what it made is removed. */
  'domain:cloneCancel': ch<void>()(z.object({ jobId: sessionIdSchema }).strict()),
  /** A domain's snapshots as a tree, how each disk would be captured and what stops a new snapshot now. */
  'snapshot:list': ch<SnapshotList>()(snapshotListArgsSchema, [...XL, 'INVALID_ARG']),
  /** Takes a snapshot (disks; and memory while running), with job:progress for `jobId`; a failure removes what it made. */
  'snapshot:create': ch<SnapshotRecord>()(snapshotCreateArgsSchema.extend({ jobId: sessionIdSchema }).strict(), [...XL, 'EXISTS', 'INVALID_ARG', 'IN_USE']),
  /** Puts the domain back as it was at a snapshot; a running domain only with stopRunning (the user confirmed). */
  'snapshot:revert': ch<SnapshotRevertResult>()(snapshotRevertArgsSchema.extend({ jobId: sessionIdSchema }).strict(), [...XL, 'EXISTS', 'INVALID_ARG', 'IN_USE']),
  /** Makes a stopped domain's raw disk file qcow2 (a new file, with job:progress), so it can take snapshots; keeps the raw one. */
  /** A raw disk made qcow2 so it can take snapshots: a converted copy, or an overlay reading the raw file (its base). */
  'snapshot:convertDisk': ch<{ path: string; kept: string; how: 'copy' | 'overlay' }>()(
    z.object({ name: domainNameSchema, vdev: vdevSchema, how: z.enum(['copy', 'overlay']).optional(), jobId: sessionIdSchema }).strict(),
    [...XL, 'EXISTS', 'INVALID_ARG', 'IN_USE'],
  ),
  /** Deletes a snapshot (its children move up) or, with subtree, it and everything below it. */
  'snapshot:delete': ch<{ deleted: string[] }>()(snapshotDeleteArgsSchema, [...XL, 'INVALID_ARG', 'IN_USE']),
  /** Runs the plan: disks, config, optional dry run, create. On failure removes exactly what it created. */
  'wizard:create': ch<WizardResult>()(z.object({ plan: wizardPlanSchema, jobId: sessionIdSchema }).strict(), [...XL, 'EXISTS', 'INVALID_ARG']),
  /** Every bridge on the host: kind, uplinks, addresses, MTU, state, and the guests' vifs with MAC, IPs and counters. */
  'networks:list': ch<NetworksView>()(none, XL),
  /** Each running domain's IP addresses, each with where it came from; one read per source, never one per domain. */
  'domains:addresses': ch<DomainAddresses>()(none, XL),
  /** Every storage pool with its capacity, its volumes and who uses each (one command per pool kind). */
  'storage:overview': ch<StorageOverview>()(none, XL),
  /** dom0's disks and why each may or may not hold a new volume group. */
  'storage:devices': ch<BlockDeviceInfo[]>()(none, XL),
  /** The ISO images in every pool, the ISO pool's first. */
  'storage:isos': ch<VolumeInfo[]>()(none, XL),
  'storage:poolAdd': ch<void>()(z.object({ pool: poolDefSchema }).strict(), [...XL, 'EXISTS', 'INVALID_ARG']),
  /** Takes a pool off the list (nothing on disk is deleted); refused while a domain uses one of its volumes. */
  'storage:poolRemove': ch<void>()(z.object({ name: poolNameSchema }).strict(), [...XL, 'IN_USE']),
  /** Changes a pool's settings: whether it is the ISO library (directory, NFS) and whether NFS mounts at boot. */
  'storage:poolEdit': ch<void>()(z.object({ name: poolNameSchema, iso: z.boolean().optional(), persist: z.boolean().optional() }).strict(), [...XL, 'INVALID_ARG']),
  /** Mounts an NFS pool's export (after a reboot, or an unmount). */
  'storage:poolMount': ch<void>()(z.object({ name: poolNameSchema }).strict(), XL),
  /** Unmounts an NFS pool; refused while a domain uses one of its volumes. */
  'storage:poolUnmount': ch<void>()(z.object({ name: poolNameSchema }).strict(), [...XL, 'IN_USE']),
  /** Makes an LVM volume group on an unused disk and adds it as a pool. */
  'storage:vgCreate': ch<void>()(z.object({ device: blockDeviceSchema, vg: vgNameSchema, pool: poolNameSchema }).strict(), [...XL, 'EXISTS', 'IN_USE', 'INVALID_ARG']),
  'storage:volumeCreate': ch<void>()(
    z.object({ pool: poolNameSchema, name: volumeNameSchema, sizeGiB: sizeGiBSchema, format: z.enum(['raw', 'qcow2']).optional() }).strict(),
    [...XL, 'EXISTS', 'INVALID_ARG'],
  ),
  /** Copies a volume into a new one in the same pool (sparse, with job:progress for `jobId`); not a disk being written. */
  'storage:volumeClone': ch<{ path: string }>()(
    z.object({ pool: poolNameSchema, name: volumeNameSchema, newName: volumeNameSchema, jobId: sessionIdSchema }).strict(),
    [...XL, 'EXISTS', 'IN_USE', 'INVALID_ARG'],
  ),
  /** Deletes a volume no domain uses (IN_USE names the domain otherwise). */
  'storage:volumeDelete': ch<void>()(z.object({ pool: poolNameSchema, name: volumeNameSchema }).strict(), [...XL, 'IN_USE']),
  /** Grows a volume (not under a running domain), or shrinks one no domain uses when `shrink` confirms it. */
  'storage:volumeResize': ch<void>()(
    z.object({ pool: poolNameSchema, name: volumeNameSchema, sizeGiB: sizeGiBSchema, shrink: z.boolean().optional() }).strict(),
    [...XL, 'IN_USE', 'INVALID_ARG'],
  ),
  // Image upload and download (ARCHITECTURE.md, "Uploading and downloading images").
  /** Electron: main's native open dialog picks a local image for upload `jobId`; its name and size, null if none. */
  'storage:uploadPick': ch<UploadPick | null>()(z.object({ jobId: sessionIdSchema }).strict(), ['UNSUPPORTED']),
  /**
   * Uploads an image file as the NEW volume `name` of a directory or NFS pool (job:progress for `jobId`): its bytes
   * are the file picked for `jobId` (Electron) or the body of POST /transfer/upload (browser). A qcow2 image naming a
   * backing or data file is removed and refused; a failure or cancel removes the partial file.
   */
  'storage:volumeUpload': ch<UploadResultView>()(
    z.object({ pool: poolNameSchema, name: volumeNameSchema, bytes: z.number().int().min(0).max(MAX_IMAGE_BYTES), jobId: sessionIdSchema }).strict(),
    [...XL, 'EXISTS', 'INVALID_ARG', 'ABORTED', 'UNSUPPORTED'],
  ),
  /**
   * Downloads a file volume (job:progress for `jobId`) to where main's native save dialog says (Electron; null when
   * none was chosen) or as the response of POST /transfer/download (browser). A disk a running domain writes is refused.
   */
  'storage:volumeDownload': ch<{ bytes: number } | null>()(z.object({ pool: poolNameSchema, name: volumeNameSchema, jobId: sessionIdSchema }).strict(), [...XL, 'IN_USE', 'INVALID_ARG', 'ABORTED', 'UNSUPPORTED']),
  /** Browser mode: a single-use ticket (60 s) pairing one HTTP upload or download with this client's job `jobId`. */
  'storage:transferTicket': ch<{ ticket: string }>()(z.object({ jobId: sessionIdSchema }).strict(), ['LIMIT']),
  /** Cancels this client's upload or download `jobId`; the partial file is removed. */
  'storage:transferCancel': ch<void>()(z.object({ jobId: sessionIdSchema }).strict()),
  /** Opens a text console (`xl console`) on a pty. */
  'console:open': ch<ConsoleOpenResult>()(
    domainRefSchema.extend({ type: z.enum(['pv', 'serial']).optional(), index: z.number().int().min(0).max(15).optional(), cols: z.number().int().min(10).max(1000), rows: z.number().int().min(2).max(500) }).strict(),
    XL,
  ),
  'console:write': ch<void>()(z.object({ id: sessionIdSchema, data: z.string().max(64 * 1024) }).strict(), ['NOT_FOUND']),
  'console:resize': ch<void>()(z.object({ id: sessionIdSchema, cols: z.number().int().min(10).max(1000), rows: z.number().int().min(2).max(500) }).strict(), ['NOT_FOUND']),
  /** Flow control: the renderer acknowledges bytes xterm has processed. */
  'console:ack': ch<void>()(z.object({ id: sessionIdSchema, bytes: z.number().int().min(0) }).strict(), ['NOT_FOUND']),
  'console:close': ch<void>()(z.object({ id: sessionIdSchema }).strict(), ['NOT_FOUND']),
  /** Opens a graphical console: a WebSocket-to-VNC proxy on 127.0.0.1 with a per-session token. */
  'vnc:open': ch<VncOpenResult>()(domainRefSchema, [...XL, 'UNSUPPORTED']),
  'vnc:close': ch<void>()(z.object({ id: sessionIdSchema }).strict(), ['NOT_FOUND']),
  /** Opens a console in its own window (Electron) or tab (browser mode). */
  'window:detachConsole': ch<void>()(domainRefSchema.extend({ kind: z.enum(['text', 'vnc']) }).strict()),
  /** The task log, newest first: what Xenith did, for whom, and how it ended (kept across restarts). */
  'tasks:list': ch<TaskRecord[]>()(z.object({ limit: z.number().int().min(1).max(TASK_LOG_LIMIT).optional() }).strict()),
} as const;

/** Events main pushes to the renderer. */
export interface EventMap {
  /** Something about the set of domains changed: refetch the list. */
  'domains:changed': DomainsChanged;
  /** One stats tick for every running domain. */
  'stats:sample': StatsBatch;
  /** Console output as the pty gave it, UTF-8 bytes (never split inside a character); acks count these bytes. */
  'console:data': { id: string; data: Uint8Array };
  'console:status': ConsoleStatusEvent;
  'job:progress': JobProgress;
  'app:status': ToolstackStatus;
  /** A pool or volume was added, changed or removed: refetch storage. */
  'storage:changed': { reason: string };
  /** A task started, progressed or ended: the whole record as it is now (to every client). */
  'task:update': TaskRecord;
}

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type EventChannel = keyof EventMap;
export type ArgsOf<C extends Channel> = z.input<Contract[C]['args']>;
export type ParsedArgsOf<C extends Channel> = z.output<Contract[C]['args']>;
export type ResultOf<C extends Channel> = Exclude<Contract[C]['result'], undefined>;

/** Every request channel name, in contract order. */
export const channels = Object.keys(contract) as Channel[];

/** Every event channel name (a record, so TypeScript refuses a list that misses one of EventMap). */
const EVENTS: Record<EventChannel, true> = {
  'domains:changed': true,
  'stats:sample': true,
  'console:data': true,
  'console:status': true,
  'job:progress': true,
  'app:status': true,
  'storage:changed': true,
  'task:update': true,
};
export const eventChannels: readonly EventChannel[] = Object.keys(EVENTS) as EventChannel[];

/** True when `name` is a request channel of the contract. */
export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

/** True when `name` is an event channel of the contract. */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && (eventChannels as readonly string[]).includes(name);
}

/** Re-exported so the gateway can name the field of a bad argument. */
export { domainNameSchema };
