import type { ParsedArgsOf } from '../../shared/contract';
import { validateDomainConfig, type DomainConfig, type DiskSpec, type VifSpec } from '../../shared/domain-config';
import type { ApplyMode } from '../../shared/schemas';
import { randomXenMac } from '../../shared/vif-spec';
import { XenError } from '../errors';
import { modelToEdit, readConfig, scanConfigs, writeConfig } from './configs';
import type { OpsContext } from './context';
import * as devices from './devices';
import { assertDiskFree } from './disk-use';
import { listDomainsCheap } from './domains';
import { assertBridgesExist, assertMacsFree, macUsers } from '../network/identity';
import { createImage, gibToBytes } from './images';
import * as mc from './memory-cpu';
import { lvmTarget, poolTargets } from '../storage/list';
import { createVolume } from '../storage/volumes';

/*
 * The Hardware tabs' edits (memory, CPUs, disks, CDs, NICs): each applies to the running domain through xl, to its
 * config through the model, or both. Bound wholesale into XenApi, so each IPC channel's handler is one line.
 */

/** Whether an edit touches the running domain and/or its config file. */
const live = (apply: ApplyMode): boolean => apply !== 'config';
const inConfig = (apply: ApplyMode): boolean => apply !== 'live';

/** Refuses a live edit of a domain that is not running, in words, before xl says something obscure. */
async function requireRunning(ctx: OpsContext, name: string): Promise<void> {
  const d = (await listDomainsCheap(ctx)).find((x) => x.name === name);
  if (!d) throw new XenError('NOT_FOUND', `There is no domain called ${name}`, { field: 'name' });
  if (d.domid === null) throw new XenError('INVALID_ARG', `${name} is not running, so the change cannot apply now; choose "at next start"`, { field: 'apply' });
}

/**
 * Edits the config model and writes it back (comments and layout kept by writeConfig), guarded by the text it read so
 * a concurrent edit is refused rather than overwritten.
 */
async function editConfig(ctx: OpsContext, name: string, edit: (cfg: DomainConfig) => DomainConfig): Promise<void> {
  const view = await readConfig(ctx, name);
  await writeConfig(ctx, name, edit(modelToEdit(view)), { expectedText: view.text });
}

/** Where an edit's refusal points: a field of the model (disks[2].vdev), or the form field it came from (disk.vdev). */
type FieldOf = (modelField: string, edited: DomainConfig) => string;

/** Refuses, naming the field, an edit whose resulting config would not be valid, before anything changes. */
async function checkConfigEdit(ctx: OpsContext, name: string, cfgEdit: (cfg: DomainConfig) => DomainConfig, fieldOf: FieldOf): Promise<void> {
  const edited = cfgEdit(modelToEdit(await readConfig(ctx, name)));
  const v = validateDomainConfig(edited);
  if (v.ok) return;
  const first = v.errors[0];
  throw new XenError('INVALID_ARG', first?.message ?? 'The edited config is not valid', { field: fieldOf(first?.field ?? '', edited) });
}

/**
 * Runs the live part then the config part. The edited config is checked whole first, so a refusal changes nothing; a
 * failing live part leaves the config alone; a config write that fails after the live part undoes it (`undoLive`).
 * When that undo fails too, the error says so (detail.liveLeft), so the caller keeps what the domain now uses.
 */
async function applyBoth(
  ctx: OpsContext,
  name: string,
  apply: ApplyMode,
  liveOp: () => Promise<void>,
  cfgEdit: (cfg: DomainConfig) => DomainConfig,
  o: { undoLive?: () => Promise<void>; fieldOf?: FieldOf; checked?: boolean } = {},
): Promise<void> {
  // `checked`: the caller checked this very edit already, before making what it adds.
  if (inConfig(apply) && o.checked !== true) await checkConfigEdit(ctx, name, cfgEdit, o.fieldOf ?? ((f) => f));
  if (live(apply)) {
    await requireRunning(ctx, name);
    await liveOp();
  }
  if (!inConfig(apply)) return;
  try {
    await editConfig(ctx, name, cfgEdit);
  } catch (e) {
    if (!live(apply) || o.undoLive === undefined) throw e;
    const undone = await o.undoLive().then(() => true, () => false);
    if (undone || !(e instanceof XenError)) throw e;
    throw new XenError(e.code, `${e.message}; the change applied now could not be undone`, { ...e.detail, liveLeft: true });
  }
}

/** A model field of the disk being added (the last of `disks`) as the form's field: disks[2].vdev -> disk.vdev. */
const newDiskField: FieldOf = (f, edited) => {
  const prefix = `disks[${edited.disks.length - 1}].`;
  return f.startsWith(prefix) ? `disk.${f.slice(prefix.length)}` : f;
};

const sameMac = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

function addDisk(cfg: DomainConfig, disk: DiskSpec): DomainConfig {
  if (cfg.disks.some((d) => d.vdev === disk.vdev)) throw new XenError('EXISTS', `The config already has a disk ${disk.vdev}`, { field: 'disk.vdev' });
  return { ...cfg, disks: [...cfg.disks, disk] };
}

/** Memory target and/or ceiling; live changes raise the ceiling before the target and lower the target first. */
export async function setMemory(ctx: OpsContext, a: ParsedArgsOf<'domain:setMemory'>): Promise<void> {
  const { name, targetMiB, maxMiB } = a;
  if (targetMiB === undefined && maxMiB === undefined) throw new XenError('INVALID_ARG', 'Give a target, a maximum or both', { field: 'targetMiB' });
  if (targetMiB !== undefined && maxMiB !== undefined && targetMiB > maxMiB) {
    throw new XenError('INVALID_ARG', `The target (${targetMiB} MiB) is above the maximum (${maxMiB} MiB)`, { field: 'targetMiB' });
  }
  const liveOp = async (): Promise<void> => {
    const raising = maxMiB !== undefined && (targetMiB === undefined || maxMiB >= targetMiB);
    if (raising) await mc.memMax(ctx, name, maxMiB);
    if (targetMiB !== undefined) await mc.memSet(ctx, name, targetMiB);
    if (!raising && maxMiB !== undefined) await mc.memMax(ctx, name, maxMiB);
  };
  await applyBoth(ctx, name, a.apply, liveOp, (cfg) => ({
    ...cfg,
    ...(targetMiB !== undefined ? { memory: targetMiB } : {}),
    ...(maxMiB !== undefined ? { maxmem: maxMiB } : {}),
  }));
}

/** Online vCPUs (and, in the config, the most it may have). */
export async function setVcpus(ctx: OpsContext, a: ParsedArgsOf<'domain:setVcpus'>): Promise<void> {
  const { name, vcpus, maxVcpus } = a;
  await applyBoth(
    ctx,
    name,
    a.apply,
    () => mc.vcpuSet(ctx, name, vcpus),
    (cfg) => ({ ...cfg, vcpus, ...(maxVcpus !== undefined ? { maxvcpus: maxVcpus } : {}) }),
  );
}

/** Attaches an existing disk; never one another domain writes (or any disk read-write that another domain uses). */
export async function attachDisk(ctx: OpsContext, a: ParsedArgsOf<'domain:attachDisk'>): Promise<void> {
  const { name, disk } = a;
  await assertDiskFree(ctx, disk.target, disk.devtype === 'cdrom' ? 'ro' : disk.access, name);
  await applyBoth(ctx, name, a.apply, () => devices.blockAttach(ctx, name, disk), (cfg) => addDisk(cfg, disk), diskEditOptions(ctx, name, disk));
}

/** How a disk edit names its fields and undoes its live attach. */
function diskEditOptions(ctx: OpsContext, name: string, disk: DiskSpec): { undoLive: () => Promise<void>; fieldOf: FieldOf } {
  return { undoLive: () => devices.blockDetach(ctx, name, disk.vdev), fieldOf: newDiskField };
}

/** Makes a new image (the one image maker) and attaches it; a failed attach removes exactly the file it made. */
export async function createDisk(ctx: OpsContext, a: ParsedArgsOf<'domain:createDisk'>): Promise<void> {
  const { name, disk, apply } = a;
  if (disk.format !== 'raw' && disk.format !== 'qcow2') throw new XenError('INVALID_ARG', `Xenith creates raw or qcow2 images, not ${disk.format}`, { field: 'disk.format' });
  if (live(apply)) await requireRunning(ctx, name);
  // Refuse before creating anything when the config would not take this disk (a device it has, hda's twin xvda).
  const edit = diskEditOptions(ctx, name, disk);
  if (inConfig(apply)) await checkConfigEdit(ctx, name, (cfg) => addDisk(cfg, disk), edit.fieldOf);
  // /dev/VG/NAME in an LVM pool is a new logical volume; anything else a new image file in a pool.
  const lv = disk.target.startsWith('/dev/') ? lvmTarget(disk.target, await poolTargets(ctx)) : null;
  if (lv !== null && disk.format !== 'raw') throw new XenError('INVALID_ARG', 'A logical volume holds raw data: choose raw', { field: 'disk.format' });
  if (lv !== null) await createVolume(ctx, { pool: lv.pool, name: lv.name, sizeGiB: a.sizeGiB });
  else await createImage(ctx, disk.target, { sizeBytes: gibToBytes(a.sizeGiB), format: disk.format });
  try {
    await applyBoth(ctx, name, apply, () => devices.blockAttach(ctx, name, disk), (cfg) => addDisk(cfg, disk), { ...edit, checked: true });
  } catch (e) {
    // A disk the running domain still has (its detach failed) is in use: keep it. Otherwise it is this call's own
    // and attached to nothing: remove it, so a failed attach leaves nothing behind.
    if (e instanceof XenError && e.detail['liveLeft'] === true) throw e;
    if (lv !== null) await ctx.run('lvm.lvremove', { vg: lv.vg, name: lv.name }).catch(() => undefined);
    else await ctx.runner.fs.remove(disk.target).catch(() => undefined);
    throw e;
  }
}

export async function detachDisk(ctx: OpsContext, a: ParsedArgsOf<'domain:detachDisk'>): Promise<void> {
  const { name, vdev } = a;
  await applyBoth(ctx, name, a.apply, () => devices.blockDetach(ctx, name, vdev), (cfg) => {
    if (!cfg.disks.some((d) => d.vdev === vdev)) throw new XenError('NOT_FOUND', `The config has no disk ${vdev}`, { field: 'vdev' });
    return { ...cfg, disks: cfg.disks.filter((d) => d.vdev !== vdev) };
  });
}

/** Puts an ISO in a running domain's CD drive, unless another domain writes that file. */
export async function insertCd(ctx: OpsContext, a: ParsedArgsOf<'domain:cdInsert'>): Promise<void> {
  await assertDiskFree(ctx, a.file, 'ro', a.name, 'file');
  await devices.cdInsert(ctx, a.name, a.vdev, a.file);
}

/** Adds a NIC with one MAC for both halves, so the live interface and the config's agree. */
export async function attachNic(ctx: OpsContext, a: ParsedArgsOf<'domain:attachNic'>): Promise<void> {
  const { name, nic } = a;
  const vif: VifSpec = { mac: (nic.mac ?? randomXenMac()).toLowerCase(), ...(nic.bridge ? { bridge: nic.bridge } : {}), ...(nic.model ? { model: nic.model } : {}) };
  // A bridge the host has, and a MAC no domain uses (running or defined, this one included), before anything changes.
  await Promise.all([
    assertBridgesExist(ctx, nic.bridge !== undefined ? [{ value: nic.bridge, field: 'nic.bridge' }] : []),
    scanConfigs(ctx).then(async (configs) => assertMacsFree(await macUsers(ctx, configs), [{ value: vif.mac ?? '', field: 'nic.mac' }], null)),
  ]);
  await applyBoth(ctx, name, a.apply, () => devices.networkAttach(ctx, name, vif), (cfg) => {
    if (cfg.vifs.some((v) => sameMac(v.mac, vif.mac ?? ''))) throw new XenError('EXISTS', `The config already has an interface with MAC ${vif.mac}`, { field: 'nic.mac' });
    return { ...cfg, vifs: [...cfg.vifs, vif] };
  });
}

export async function detachNic(ctx: OpsContext, a: ParsedArgsOf<'domain:detachNic'>): Promise<void> {
  const { name, mac } = a;
  await applyBoth(ctx, name, a.apply, () => devices.networkDetach(ctx, name, mac.toLowerCase()), (cfg) => {
    if (!cfg.vifs.some((v) => sameMac(v.mac, mac))) throw new XenError('NOT_FOUND', `The config has no interface with MAC ${mac}`, { field: 'mac' });
    return { ...cfg, vifs: cfg.vifs.filter((v) => !sameMac(v.mac, mac)) };
  });
}
