import type { PoolDef, PoolInfo, StorageOverview, VolumeInfo, VolumeUser } from '../../shared/storage';
import type { OpsContext } from '../ops/context';
import { diskUses, type DiskUser } from '../ops/disk-use';
import { declaredBase } from './image-header';
import type { ImageProbe } from '../runner/types';
import { readPools } from './pools';
import { isVolumeLv, parseDf, parseFindmnt, parseLvs, parseVgs, type DfRow, type LvRow, type VgRow } from './reports';


type DirPool = Extract<PoolDef, { kind: 'dir' | 'nfs' }>;
type LvmPool = Extract<PoolDef, { kind: 'lvm' }>;

/** What the host says about the pools: one df for every directory, one probe per directory, one vgs and one lvs. */
interface HostReports {
  df: Map<string, DfRow>;
  probes: Map<string, ImageProbe[] | Error>;
  vgs: VgRow[] | Error | null;
  lvs: LvRow[] | Error | null;
  /** Mount points of NFS filesystems now (null when there are no NFS pools, or findmnt could not say). */
  nfsMounted: Set<string> | null;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

async function readReports(ctx: OpsContext, pools: readonly PoolDef[]): Promise<HostReports> {
  const dirs = pools.filter((p): p is DirPool => p.kind !== 'lvm').map((p) => p.path);
  const hasLvm = pools.some((p) => p.kind === 'lvm');
  const hasNfs = pools.some((p) => p.kind === 'nfs');
  // df exits 1 when one path is missing and still reports the rest.
  const dfRun = dirs.length > 0 ? ctx.run('storage.df', { paths: dirs.slice(0, 48) }, { allowFailure: true }).then((r) => r.stdout) : Promise.resolve('');
  const [df, probes, vgs, lvs, nfsMounted] = await Promise.all([
    dfRun,
    Promise.all(dirs.map((d) => ctx.runner.fs.probeImages(d).then((x) => [d, x] as const, (e: unknown) => [d, asError(e)] as const))),
    hasLvm ? ctx.out('lvm.vgs', {}).then(parseVgs, asError) : null,
    hasLvm ? ctx.out('lvm.lvs', {}).then(parseLvs, asError) : null,
    hasNfs ? nfsMountPoints(ctx).catch(() => null) : null,
  ]);
  const probeMap = new Map<string, ImageProbe[] | Error>(probes);
  // df reports the paths it could read, in order: those are the directories that exist (their probe worked).
  const present = dirs.filter((d) => !(probeMap.get(d) instanceof Error));
  const rows = parseDf(df);
  const dfMap = new Map<string, DfRow>(rows.length === present.length ? present.map((d, i) => [d, rows[i]!]) : []);
  return { df: dfMap, probes: probeMap, vgs, lvs, nfsMounted };
}

/** Who uses `path`: one entry per domain and device, running when the running domain has it (its config usually too). */
function usersOf(uses: Map<string, DiskUser[]>, path: string): VolumeUser[] {
  const out = new Map<string, VolumeUser>();
  for (const u of uses.get(path) ?? []) {
    const key = `${u.domain}\n${u.vdev}`;
    const prev = out.get(key);
    out.set(key, {
      domain: u.domain,
      vdev: u.vdev,
      access: prev?.access === 'rw' ? 'rw' : u.access,
      cdrom: u.cdrom === true || prev?.cdrom === true,
      running: u.running || prev?.running === true,
    });
  }
  return [...out.values()];
}

function dirPool(p: DirPool, r: HostReports, uses: Map<string, DiskUser[]>): { info: PoolInfo; volumes: VolumeInfo[] } {
  const mounted = p.kind === 'nfs' ? (r.nfsMounted?.has(p.path) ?? false) : null;
  // An unmounted NFS pool's mount point is an empty local directory: nothing of it is the pool's.
  if (mounted === false) {
    const why = r.nfsMounted === null ? 'whether it is mounted is unknown' : `${p.kind === 'nfs' ? `${p.server}:${p.export}` : ''} is not mounted at ${p.path}`;
    return { info: { def: p, path: p.path, capacityBytes: null, allocationBytes: null, freeBytes: null, thinPool: null, volumeCount: 0, problem: why, mounted }, volumes: [] };
  }
  const probe = r.probes.get(p.path);
  const files = Array.isArray(probe) ? probe : [];
  const volumes = files.map((f) => {
    const base = declaredBase(f);
    return {
      pool: p.name,
      name: f.name,
      path: `${p.path}/${f.name}`,
      format: f.format,
      virtualBytes: f.virtualBytes,
      allocatedBytes: f.allocated,
      backing: f.backing,
      ...(base === null ? {} : { linkedTo: base }),
      users: usersOf(uses, `${p.path}/${f.name}`),
    };
  });
  const df = r.df.get(p.path);
  const problem = probe instanceof Error ? probe.message : df === undefined ? `${p.path} could not be measured` : null;
  const info: PoolInfo = {
    def: p,
    path: p.path,
    capacityBytes: df?.sizeBytes ?? null,
    allocationBytes: df ? df.sizeBytes - df.availBytes : null,
    freeBytes: df?.availBytes ?? null,
    thinPool: null,
    volumeCount: volumes.length,
    problem,
    mounted,
  };
  return { info, volumes };
}

function lvmPool(p: LvmPool, r: HostReports, uses: Map<string, DiskUser[]>): { info: PoolInfo; volumes: VolumeInfo[] } {
  const vgs = Array.isArray(r.vgs) ? r.vgs : [];
  const lvs = Array.isArray(r.lvs) ? r.lvs.filter((l) => l.vg === p.vg) : [];
  const vg = vgs.find((v) => v.name === p.vg);
  const volumes = lvs.filter(isVolumeLv).map((l) => ({
    pool: p.name,
    name: l.name,
    path: `/dev/${p.vg}/${l.name}`,
    format: 'lv' as const,
    virtualBytes: l.sizeBytes,
    allocatedBytes: l.sizeBytes,
    backing: l.pool === '' ? null : `thin pool ${l.pool}`,
    users: usersOf(uses, `/dev/${p.vg}/${l.name}`),
  }));
  const err = r.vgs instanceof Error ? r.vgs : r.lvs instanceof Error ? r.lvs : null;
  const info: PoolInfo = {
    def: p,
    path: `/dev/${p.vg}`,
    capacityBytes: vg?.sizeBytes ?? null,
    allocationBytes: vg ? vg.sizeBytes - vg.freeBytes : null,
    freeBytes: vg?.freeBytes ?? null,
    thinPool: lvs.find((l) => l.attr.startsWith('t'))?.name ?? null,
    volumeCount: volumes.length,
    problem: err !== null ? err.message : vg === undefined ? `There is no volume group ${p.vg} on this host` : null,
    mounted: null,
  };
  return { info, volumes };
}

/** Every pool, how full it is, its volumes and their users: a fixed number of commands whatever the volume count. */
export async function storageOverview(ctx: OpsContext): Promise<StorageOverview> {
  const pools = await readPools(ctx);
  const [r, uses] = await Promise.all([readReports(ctx, pools), diskUses(ctx)]);
  const parts = pools.map((p) => (p.kind === 'lvm' ? lvmPool(p, r, uses) : dirPool(p, r, uses)));
  return { pools: parts.map((x) => x.info), volumes: parts.flatMap((x) => x.volumes) };
}

/** Where new disks may go, for the wizard: directory pools, and each LVM pool's group with its free space and volumes. */
export interface PoolTargets {
  readonly dirs: { pool: string; path: string }[];
  readonly lvm: { pool: string; vg: string; freeBytes: number | null; thinPool: string | null; volumes: string[] }[];
}

/** The pools as places for new disks: the pools file, plus one vgs and one lvs when there are LVM pools. */
export async function poolTargets(ctx: OpsContext): Promise<PoolTargets> {
  const pools = await readPools(ctx);
  const lvmPools = pools.filter((p): p is LvmPool => p.kind === 'lvm');
  const [vgs, lvs] = lvmPools.length > 0 ? await Promise.all([ctx.out('lvm.vgs', {}).then(parseVgs), ctx.out('lvm.lvs', {}).then(parseLvs)]) : [[], []];
  return {
    dirs: pools.filter((p): p is DirPool => p.kind !== 'lvm').map((p) => ({ pool: p.name, path: p.path })),
    lvm: lvmPools.map((p) => {
      const vg = vgs.find((v) => v.name === p.vg);
      const mine = lvs.filter((l) => l.vg === p.vg);
      return { pool: p.name, vg: p.vg, freeBytes: vg?.freeBytes ?? null, thinPool: mine.find((l) => l.attr.startsWith('t'))?.name ?? null, volumes: mine.map((l) => l.name) };
    }),
  };
}

/** Where NFS filesystems are mounted now (findmnt exits 1, printing nothing, when there are none). */
export async function nfsMountPoints(ctx: OpsContext): Promise<Set<string>> {
  const r = await ctx.run('nfs.mounts', {}, { allowFailure: true });
  if (r.exitCode !== 0 && r.stdout.trim() === '') return new Set();
  return new Set(parseFindmnt(r.stdout).map((m) => m.target));
}

/** The LVM pool and volume name a new disk at /dev/VG/NAME stands for, or null when the path is a file. */
export function lvmTarget(path: string, targets: PoolTargets): { pool: string; vg: string; name: string; thin: boolean; freeBytes: number | null; exists: boolean } | null {
  const m = /^\/dev\/([^/]+)\/([^/]+)$/.exec(path);
  const l = m ? targets.lvm.find((x) => x.vg === m[1]) : undefined;
  if (!m || !l) return null;
  return { pool: l.pool, vg: l.vg, name: m[2]!, thin: l.thinPool !== null, freeBytes: l.freeBytes, exists: l.volumes.includes(m[2]!) };
}
