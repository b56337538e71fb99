import type { Runner } from '../runner/types';
import * as autostart from './autostart';
import * as configs from './configs';
import * as del from './delete';
import * as clone from './clone';
import { createContext, type OpsContext, type ResolvedOptions, type XenApiOptions } from './context';
import * as details from './details';
import * as devices from './devices';
import * as diskUse from './disk-use';
import * as domains from './domains';
import * as dry from './dry-run';
import * as hardware from './hardware';
import * as host from './host';
import * as images from './images';
import * as lifecycle from './lifecycle';
import * as mc from './memory-cpu';
import * as ren from './rename';
import * as snapshot from './snapshot';
import * as snapshotConvert from './snapshot-convert';
import * as storageGroups from '../storage/groups';
import * as storageList from '../storage/list';
import * as storageVolumes from '../storage/volumes';
import * as networkOps from '../network/networks';
import * as storageTransfer from '../storage/transfer';

/** Binds an operation to the API's context: `(ctx, ...args)` becomes `(...args)`. */
type Bound<F> = F extends (ctx: infer _C, ...args: infer A) => infer R ? (...args: A) => R : never;

/** Every function of module M that takes the operations context first, bound to it. */
type CtxOps<M> = { [K in keyof M as M[K] extends (ctx: OpsContext, ...args: never[]) => unknown ? K : never]: Bound<M[K]> };

/** Binds every context-first function of `m` to `ctx`: a new operation in such a module needs no line here. */
function bindAll<M extends object>(ctx: OpsContext, m: M): CtxOps<M> {
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(m)) if (typeof f === 'function') out[k] = (...a: unknown[]) => (f as (...x: unknown[]) => unknown)(ctx, ...a);
  return out as CtxOps<M>;
}

/** The lifecycle operations (start, stop, save, restore, sysrq ...), bound wholesale from ops/lifecycle.ts. */
type LifecycleOps = CtxOps<typeof lifecycle>;
/** domainDetails and listDir, bound wholesale from ops/details.ts. */
type DetailsOps = CtxOps<typeof details>;
/** The Hardware tabs' edits (setMemory, attachDisk, createDisk ...), bound wholesale from ops/hardware.ts. */
type HardwareOps = CtxOps<typeof hardware>;
/** Storage pools and volumes (storageOverview, createVolume, createVolumeGroup ...), bound wholesale from src/xen/storage. */
type StorageOps = CtxOps<typeof storageList> & CtxOps<typeof storageVolumes> & CtxOps<typeof storageGroups> & CtxOps<typeof storageTransfer>;
/** Snapshots (listSnapshots, createSnapshot, revertSnapshot, deleteSnapshot), bound wholesale from ops/snapshot.ts. */
type SnapshotOps = CtxOps<typeof snapshot> & CtxOps<typeof snapshotConvert>;

/** The host's networks and guests' addresses (networks, domainAddresses), bound wholesale from src/xen/network. */
type NetworkOps = CtxOps<typeof networkOps>;

/** Every operation on one Xen host, through one runner. Each validates its arguments before any command runs. */
export interface XenApi extends LifecycleOps, DetailsOps, HardwareOps, StorageOps, SnapshotOps, NetworkOps {
  readonly runner: Runner;
  /** The directories and timings in use, defaults filled in (the wizard needs configDir and imageDirs). */
  readonly options: ResolvedOptions;
  /** Forgets what listDomainsCheap reuses, e.g. after a config changed behind the app's back. */
  invalidateCache(): void;
  listDomains: Bound<typeof domains.listDomains>;
  listDomainsCheap: Bound<typeof domains.listDomainsCheap>;
  hostInfo: Bound<typeof host.hostInfo>;
  uptime: Bound<typeof host.uptime>;
  dmesg: Bound<typeof host.dmesg>;
  consoleInfo: Bound<typeof host.consoleInfo>;
  assertBridgeExists: Bound<typeof host.assertBridgeExists>;
  hasQemuImg: Bound<typeof host.hasQemuImg>;
  rename: Bound<typeof ren.rename>;
  memSet: Bound<typeof mc.memSet>;
  memMax: Bound<typeof mc.memMax>;
  vcpuSet: Bound<typeof mc.vcpuSet>;
  vcpuPin: Bound<typeof mc.vcpuPin>;
  vcpuList: Bound<typeof mc.vcpuList>;
  schedCredit2: Bound<typeof mc.schedCredit2>;
  schedCredit2Set: Bound<typeof mc.schedCredit2Set>;
  blockAttach: Bound<typeof devices.blockAttach>;
  blockDetach: Bound<typeof devices.blockDetach>;
  blockList: Bound<typeof devices.blockList>;
  cdInsert: Bound<typeof devices.cdInsert>;
  cdEject: Bound<typeof devices.cdEject>;
  networkAttach: Bound<typeof devices.networkAttach>;
  networkDetach: Bound<typeof devices.networkDetach>;
  networkList: Bound<typeof devices.networkList>;
  createImage: Bound<typeof images.createImage>;
  diskUses: Bound<typeof diskUse.diskUses>;
  runningDomains: Bound<typeof diskUse.runningDomains>;
  assertDiskFree: Bound<typeof diskUse.assertDiskFree>;
  readConfig: Bound<typeof configs.readConfig>;
  /** xl's own dry run of config text (`xl create -n`): its warnings and errors. */
  xlDryRun: Bound<typeof dry.xlDryRun>;
  writeConfig: Bound<typeof configs.writeConfig>;
  patchConfig: Bound<typeof configs.patchConfig>;
  setAutostart: Bound<typeof autostart.setAutostart>;
  deleteDomain: Bound<typeof del.deleteDomain>;
  clonePreview: Bound<typeof clone.clonePreview>;
  cloneDomain: Bound<typeof clone.cloneDomain>;
}

/** Creates the toolstack API over `runner`; options default to Debian's /etc/xen layout. */
export function createXenApi(runner: Runner, options: XenApiOptions = {}): XenApi {
  const ctx = createContext(runner, options);
  return {
    ...bindAll(ctx, lifecycle),
    ...bindAll(ctx, details),
    ...bindAll(ctx, hardware),
    ...bindAll(ctx, storageList),
    ...bindAll(ctx, storageVolumes),
    ...bindAll(ctx, storageGroups),
    ...bindAll(ctx, storageTransfer),
    ...bindAll(ctx, snapshot),
    ...bindAll(ctx, snapshotConvert),
    ...bindAll(ctx, networkOps),
    runner,
    options: ctx.opts,
    invalidateCache: () => ctx.invalidate(),
    listDomains: () => domains.listDomains(ctx),
    listDomainsCheap: () => domains.listDomainsCheap(ctx),
    hostInfo: () => host.hostInfo(ctx),
    uptime: (dom) => host.uptime(ctx, dom),
    dmesg: () => host.dmesg(ctx),
    consoleInfo: (domid) => host.consoleInfo(ctx, domid),
    assertBridgeExists: (bridge, field) => host.assertBridgeExists(ctx, bridge, field),
    hasQemuImg: () => host.hasQemuImg(ctx),
    rename: (dom, newName) => ren.rename(ctx, dom, newName),
    memSet: (dom, mib) => mc.memSet(ctx, dom, mib),
    memMax: (dom, mib) => mc.memMax(ctx, dom, mib),
    vcpuSet: (dom, n, o) => mc.vcpuSet(ctx, dom, n, o),
    vcpuPin: (dom, vcpu, hard, soft) => mc.vcpuPin(ctx, dom, vcpu, hard, soft),
    vcpuList: (dom) => mc.vcpuList(ctx, dom),
    schedCredit2: (dom) => mc.schedCredit2(ctx, dom),
    schedCredit2Set: (dom, p) => mc.schedCredit2Set(ctx, dom, p),
    blockAttach: (dom, disk) => devices.blockAttach(ctx, dom, disk),
    blockDetach: (dom, vdev, o) => devices.blockDetach(ctx, dom, vdev, o),
    blockList: (dom) => devices.blockList(ctx, dom),
    cdInsert: (dom, vdev, path) => devices.cdInsert(ctx, dom, vdev, path),
    cdEject: (dom, vdev) => devices.cdEject(ctx, dom, vdev),
    networkAttach: (dom, vif) => devices.networkAttach(ctx, dom, vif),
    networkDetach: (dom, dev) => devices.networkDetach(ctx, dom, dev),
    networkList: (dom) => devices.networkList(ctx, dom),
    createImage: (path, o) => images.createImage(ctx, path, o),
    diskUses: () => diskUse.diskUses(ctx),
    runningDomains: () => diskUse.runningDomains(ctx),
    assertDiskFree: (target, access, self, field) => diskUse.assertDiskFree(ctx, target, access, self, field),
    readConfig: (name) => configs.readConfig(ctx, name),
    xlDryRun: (subject) => dry.xlDryRun(ctx, subject),
    writeConfig: (name, content, o) => configs.writeConfig(ctx, name, content, o),
    patchConfig: (name, patch, expectedText) => configs.patchConfig(ctx, name, patch, expectedText),
    setAutostart: (name, on) => autostart.setAutostart(ctx, name, on),
    deleteDomain: (name, o) => del.deleteDomain(ctx, name, o),
    clonePreview: (a) => clone.clonePreview(ctx, a),
    cloneDomain: (a, progress, signal) => clone.cloneDomain(ctx, a, progress, signal),
  };
}
