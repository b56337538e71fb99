import { randomUUID } from 'node:crypto';
import type { CloneArgs, CloneDisk, ClonePlanView, CloneResult } from '../../shared/clone';
import type { ConfigProblem, DiskSpec, DomainConfig } from '../../shared/domain-config';
import { validateDomainConfig } from '../../shared/domain-config';
import { volumePath, type PoolInfo, type VolumeInfo } from '../../shared/storage';
import { isUnicastMac, randomXenMac } from '../../shared/vif-spec';
import { XenError } from '../errors';
import { renderXlConfig } from '../config/render';
import { storageOverview } from '../storage/list';
import { cloneVolume } from '../storage/volumes';
import { createLinkedVolume } from '../storage/linked';
import { modelToEdit, pickConfig, readConfig, scanConfigs, type ConfigEntry } from './configs';
import type { OpsContext } from './context';
import { whileBusy } from './busy';
import { joinPath } from './paths';
import { listRows } from './rows';
import { hasSavedState } from './saved';
import { readMeta } from './snapshot-meta';
import { removeMade, type MadeThing } from './undo';
import type { SnapshotRecord } from '../../shared/snapshot';
import { checkDomainName } from './validate';

/** One copy the clone makes: a volume of one pool into a new volume of the same or another pool. */
interface Copy {
  vdev: string;
  from: VolumeInfo;
  /** The format the source's config declares (what qemu-img reads it as), and the copy's. */
  format: 'raw' | 'qcow2';
  toFormat: 'raw' | 'qcow2';
  toPool: PoolInfo;
  newName: string;
  /** Copy a qcow2 source as it was at this internal snapshot (its tag). */
  tag?: string;
  /** No copy: a qcow2 overlay reading the source. */
  linked?: boolean;
}

/** The plan with what running it needs. */
interface Plan {
  view: ClonePlanView;
  copies: Copy[];
}

/** The new volume's name: NEWNAME-VDEV, keeping a file's extension (a logical volume has none; a linked one is qcow2). */
function copyName(newName: string, vdev: string, from: VolumeInfo, to: PoolInfo, linked: boolean): string {
  if (to.def.kind === 'lvm') return `${newName}-${vdev}`;
  if (linked) return `${newName}-${vdev}.qcow2`;
  const ext = /\.(img|raw|qcow2)$/i.exec(from.name)?.[0] ?? (from.format === 'qcow2' ? '.qcow2' : '.img');
  return `${newName}-${vdev}${ext}`;
}

/** Why a disk is shared rather than copied (read-only, a CD, an empty drive), or null when it is copied. */
function sharedWhy(d: DiskSpec): string | null {
  if (d.devtype === 'cdrom') return 'a CD drive: the clone gets the same medium';
  if (d.target === undefined || d.target === '') return 'an empty drive';
  if (d.access === 'ro') return 'read-only: both domains may read it';
  return null;
}

/** Space each target pool needs for the copies against what it has free. */
function spaceProblems(copies: readonly Copy[]): ConfigProblem[] {
  const need = new Map<string, { pool: PoolInfo; bytes: number }>();
  for (const c of copies) {
    // A sparse file copy takes about what the original holds; a plain logical volume its whole size.
    const plain = c.toPool.def.kind === 'lvm' && c.toPool.thinPool === null;
    const e = need.get(c.toPool.def.name) ?? { pool: c.toPool, bytes: 0 };
    // A new overlay is its header and tables: a few hundred KiB until the clone writes.
    e.bytes += c.linked === true ? 1024 ** 2 : plain ? c.from.virtualBytes : c.from.allocatedBytes;
    need.set(c.toPool.def.name, e);
  }
  const gib = (n: number): string => (n / 1024 ** 3).toFixed(2);
  return [...need.values()]
    .filter((e) => e.pool.freeBytes !== null && e.bytes > e.pool.freeBytes)
    .map((e) => ({ field: 'pool', message: `The copies need about ${gib(e.bytes)} GiB in ${e.pool.def.name}, which has ${gib(e.pool.freeBytes ?? 0)} GiB free` }));
}

/** The clone's config: new name and UUID, a new MAC on every interface, the copies' paths, no fixed VNC display. */
function clonedConfig(src: DomainConfig, newName: string, disks: readonly CloneDisk[], copies: readonly Copy[], id: { uuid: string; macs: string[] }): DomainConfig {
  const formatOf = new Map(copies.map((c) => [c.vdev, c.toFormat]));
  const cfg: DomainConfig = {
    ...src,
    name: newName,
    uuid: id.uuid,
    // A copy into a logical volume is raw whatever the original was.
    disks: src.disks.map((d, i) => ({ ...d, target: disks[i]?.to ?? d.target, ...(formatOf.has(d.vdev) ? { format: formatOf.get(d.vdev) } : {}) })),
    vifs: src.vifs.map((v, i) => ({ ...v, mac: id.macs[i] ?? randomXenMac() })),
  };
  // Two domains cannot hold one VNC display: the clone takes a free one.
  delete cfg.vncdisplay;
  if (cfg.vfb) cfg.vfb = cfg.vfb.map((s) => s.split(',').filter((kv) => !/^vncdisplay=/.test(kv.trim())).join(','));
  return cfg;
}

/** Works out a clone without changing anything: what is copied where, the exact config, and what stops it. */
async function plan(ctx: OpsContext, a: CloneArgs): Promise<Plan> {
  const name = checkDomainName(a.name);
  const newName = checkDomainName(a.newName, 'newName');
  const problems: ConfigProblem[] = [];
  const [rows, entries, overview, snap] = await Promise.all([listRows(ctx), scanConfigs(ctx), storageOverview(ctx), snapshotOf(ctx, name, a.snapshot)]);
  // A snapshot's LVM volumes are frozen and may be read while the domain runs; anything else would be copied mid-write.
  if (rows.some((r) => r.name === name) && (snap === null || snap.disks.some((d) => d.kind === 'qcow2'))) {
    throw new XenError('IN_USE', `${name} is running; shut it down before cloning it (its disks would be copied mid-write)`, { field: 'name' });
  }
  const src = modelToEdit(await readConfig(ctx, name));
  const configPath = joinPath(ctx.opts.configDir, `${newName}.cfg`);
  if (newName === name || rows.some((r) => r.name === newName) || pickConfig(entries, newName) !== null) problems.push({ field: 'newName', message: `There is already a domain called ${newName}` });
  else if ((await ctx.runner.fs.stat(configPath)) !== null) problems.push({ field: 'newName', message: `${configPath} already exists` });
  const chosen = a.pool === null ? null : (overview.pools.find((p) => p.def.name === a.pool) ?? null);
  if (a.pool !== null && chosen === null) problems.push({ field: 'pool', message: `There is no storage pool called ${a.pool}` });
  if (chosen?.problem) problems.push({ field: 'pool', message: `Pool ${chosen.def.name} cannot be used: ${chosen.problem}` });
  const disks: CloneDisk[] = [];
  const copies: Copy[] = [];
  src.disks.forEach((d, i) => {
    const why = sharedWhy(d);
    const taken = snap?.disks.find((x) => x.vdev === d.vdev);
    // From a snapshot: an LVM disk is read from its snapshot volume, a qcow2 one from its internal snapshot.
    const fromPath = taken?.kind === 'lvm' ? `/dev/${taken.vg}/${taken.lv}` : d.target;
    const from = why === null ? overview.volumes.find((v) => v.path === fromPath) : undefined;
    if (why === null && snap !== null && taken === undefined) problems.push({ field: `disks[${i}]`, message: `${d.vdev} is not in snapshot "${snap.name}" (added since): it cannot be cloned from it` });
    if (why !== null || from === undefined) {
      if (why === null) problems.push({ field: `disks[${i}].target`, message: `${d.target ?? ''} is in no storage pool: add its directory (or volume group) as a pool to copy it` });
      disks.push({ vdev: d.vdev, from: d.target ?? '', to: null, pool: null, bytes: 0, shared: why });
      return;
    }
    const toPool = chosen ?? overview.pools.find((p) => p.def.name === from.pool)!;
    const linked = a.linked === true;
    const newVol = copyName(newName, d.vdev, from, toPool, linked);
    const format = d.format ?? 'raw';
    if (format !== 'raw' && format !== 'qcow2') problems.push({ field: `disks[${i}].format`, message: `a ${format} disk cannot be copied: only raw and qcow2 are` });
    if (linked) problems.push(...linkProblems(from, toPool, i, d.vdev));
    const declared = format === 'qcow2' ? 'qcow2' : 'raw';
    const toFormat = linked ? 'qcow2' : toPool.def.kind === 'lvm' ? 'raw' : declared;
    copies.push({ vdev: d.vdev, from, format: declared, toFormat, toPool, newName: newVol, ...(taken?.kind === 'qcow2' ? { tag: taken.tag } : {}), ...(linked ? { linked } : {}) });
    disks.push({ vdev: d.vdev, from: from.path, to: volumePath(toPool.def, newVol), pool: toPool.def.name, bytes: from.virtualBytes, shared: null, ...(linked ? { linked } : {}) });
  });
  if (a.linked === true && snap !== null) problems.push({ field: 'linked', message: 'A linked clone reads the disks as they are now; a clone from a snapshot is a full copy' });
  problems.push(...spaceProblems(copies));
  const identity = a.identity ?? { uuid: randomUUID(), macs: src.vifs.map(() => randomXenMac()) };
  problems.push(...identityProblems(identity, src, entries), ...sharedProblems(src));
  if (await hasSavedState(ctx, newName)) problems.push({ field: 'newName', message: `A saved state of a domain called ${newName} is on the host; it would look like the clone's` });
  const cfg = clonedConfig(src, newName, disks, copies, identity);
  const v = validateDomainConfig(cfg);
  if (!v.ok) problems.push(...v.errors);
  return { view: { configPath, text: renderXlConfig(cfg), identity, disks, problems }, copies };
}

/** Why a disk cannot be the base of a linked clone: it must be an image file that reads no other, linked into a directory. */
function linkProblems(from: VolumeInfo, to: PoolInfo, i: number, vdev: string): ConfigProblem[] {
  const field = `disks[${i}]`;
  if (from.path.startsWith('/dev/')) return [{ field, message: `${vdev} is a logical volume: a linked clone needs image files (make a full clone)` }];
  if (from.backing !== null) return [{ field, message: `${vdev} (${from.path}) already reads another file (${from.backing}): a linked clone of a linked clone is not made (make a full clone)` }];
  if (to.def.kind === 'lvm') return [{ field: 'pool', message: `${to.def.name} is a volume group: a linked clone's disks are qcow2 files, so choose a directory pool` }];
  return [];
}

/** An identity sent back from a preview must fit the source (one MAC per interface) and be no other domain's. */
function identityProblems(id: { uuid: string; macs: string[] }, src: DomainConfig, entries: readonly ConfigEntry[]): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (id.macs.length !== src.vifs.length) out.push({ field: 'identity.macs', message: `needs ${src.vifs.length} MAC address(es), one per network interface` });
  const taken = new Map<string, string>();
  for (const e of entries) {
    if (e.config?.uuid) taken.set(e.config.uuid.toLowerCase(), e.name);
    for (const v of e.config?.vifs ?? []) if (v.mac) taken.set(v.mac.toLowerCase(), e.name);
  }
  const uuidOwner = taken.get(id.uuid.toLowerCase());
  if (uuidOwner !== undefined) out.push({ field: 'identity.uuid', message: `is the UUID of ${uuidOwner}` });
  id.macs.forEach((m, i) => {
    const owner = taken.get(m.toLowerCase());
    if (owner !== undefined) out.push({ field: `identity.macs.${i}`, message: `${m} is a MAC address of ${owner}` });
    else if (id.macs.findIndex((x) => x.toLowerCase() === m.toLowerCase()) !== i) out.push({ field: `identity.macs.${i}`, message: `${m} is given twice` });
    else if (!isUnicastMac(m)) out.push({ field: `identity.macs.${i}`, message: `${m} is not a unicast address` });
  });
  return out;
}

/**
 * Devices that hand the domain a host resource of its own (a host directory, a TPM, a passed-through device): a clone
 * would share it with the original, which the plan cannot show as a copy. They are refused, naming the option.
 */
const HOST_RESOURCES = ['p9', 'p9fs', 'vtpm', 'pci', 'usbdev', 'usbctrl', 'channel', 'dtdev', 'iomem', 'ioports', 'irqs'];

function sharedProblems(src: DomainConfig): ConfigProblem[] {
  return Object.keys(src.extraOptions ?? {})
    .filter((k) => HOST_RESOURCES.includes(k))
    .map((k) => ({ field: k, message: `gives the domain a host resource of its own; a clone would share it, so remove ${k} from the original's config first or clone it by hand` }));
}

/** The snapshot a clone copies from, or null for the disks as they are; an unknown id is refused by field. */
async function snapshotOf(ctx: OpsContext, name: string, id: string | undefined): Promise<SnapshotRecord | null> {
  if (id === undefined) return null;
  const rec = (await readMeta(ctx, name)).snapshots.find((r) => r.id === id);
  if (rec === undefined) throw new XenError('NOT_FOUND', `${name} has no snapshot ${id}`, { field: 'snapshot' });
  return rec;
}

/** What a clone would do, shown before it runs (nothing is changed). */
export async function clonePreview(ctx: OpsContext, a: CloneArgs): Promise<ClonePlanView> {
  return (await plan(ctx, a)).view;
}

/**
 * Clones a stopped domain: copies every disk it writes (sparse, with progress), then writes NEWNAME.cfg, never over
 * a file. The original is only read. A failure or a cancel (`signal`) removes exactly what this clone made, newest
 * first, and says what could not be removed.
 */
export async function cloneDomain(ctx: OpsContext, a: CloneArgs, progress: (message: string) => void = () => undefined, signal?: AbortSignal): Promise<CloneResult> {
  const names = [checkDomainName(a.name), checkDomainName(a.newName, 'newName')];
  return whileBusy(ctx, names, `it is being cloned as ${a.newName}`, () => cloneNow(ctx, a, progress, signal));
}

async function cloneNow(ctx: OpsContext, a: CloneArgs, progress: (message: string) => void, signal?: AbortSignal): Promise<CloneResult> {
  const { view, copies } = await plan(ctx, a);
  const first = view.problems[0];
  if (first) throw new XenError('INVALID_ARG', first.message, { field: first.field, problems: view.problems });
  const made: MadeThing[] = [];
  try {
    for (const [i, c] of copies.entries()) {
      const step = `${c.linked === true ? 'Linking' : 'Copying'} ${c.vdev} (${i + 1} of ${copies.length}) into ${c.toPool.def.name}`;
      progress(`${step}…`);
      const r = c.linked === true
        ? await createLinkedVolume(ctx, { pool: c.from.pool, name: c.from.name, newName: c.newName, toPool: c.toPool.def.name, from: c.format })
        : await cloneVolume(ctx, { pool: c.from.pool, name: c.from.name, newName: c.newName, toPool: c.toPool.def.name, from: c.format, ...(c.tag ? { snapshot: c.tag } : {}) }, (pct) => progress(`${step}: ${pct}%`), signal);
      made.push(c.toPool.def.kind === 'lvm' ? { path: r.path, lv: { vg: c.toPool.def.vg, name: c.newName } } : { path: r.path });
    }
    if (signal?.aborted) throw new XenError('ABORTED', 'Cancelled before the config was written', { field: 'name' });
    progress(`Writing ${view.configPath}…`);
    await ctx.runner.fs.writeFileExclusive(view.configPath, view.text);
    ctx.invalidate();
    return { name: a.newName, configPath: view.configPath, created: [...made.map((m) => m.path), view.configPath] };
  } catch (e) {
    const { removed, left } = await removeMade(ctx.runner, made);
    const err = e instanceof XenError ? e : new XenError('XL_FAILED', e instanceof Error ? e.message : String(e));
    // A copy or link that failed half-way says itself what it removed of its own and what it could not.
    const stepLeft = Array.isArray(err.detail['left']) ? (err.detail['left'] as typeof left) : [];
    const stepRemoved = Array.isArray(err.detail['removed']) ? (err.detail['removed'] as string[]) : [];
    throw new XenError(err.code, err.message, { ...err.detail, removed: [...stepRemoved, ...removed], left: [...stepLeft, ...left] });
  }
}
