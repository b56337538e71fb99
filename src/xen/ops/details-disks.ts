import type { DiskInfo } from '../../shared/contract-types';
import type { ConfigProblem, DiskSpec, DomainConfig } from '../../shared/domain-config';
import { mediumFromParams } from '../parse/vbd-params';
import type { OpsContext } from './context';
import { maybe, problemsOf, XENBUS, xenstoreRead } from './details-read';
import type { blockList } from './devices';

// The Disks tab's rows: the config's disks merged with what the backend has attached. A running CD drive's medium is
// the backend's own (xl cd-insert / cd-eject change the drive, never the config file), so the row tells both.

type BlockRow = Awaited<ReturnType<typeof blockList>>[number];

async function sizes(ctx: OpsContext, target: string): Promise<{ sizeBytes: number | null; allocatedBytes: number | null }> {
  if (!target.startsWith('/')) return { sizeBytes: null, allocatedBytes: null };
  const st = await maybe(ctx.runner.fs.stat(target));
  if (!st) return { sizeBytes: null, allocatedBytes: null };
  return { sizeBytes: st.size, allocatedBytes: st.isFile ? st.allocated : null };
}

/** What an attached device's backend holds (its xenstore `params`, format prefix dropped); null when unreadable. */
async function backendMedium(ctx: OpsContext, row: BlockRow): Promise<string | null> {
  const params = await xenstoreRead(ctx, `${row.backendPath}/params`);
  return params === null ? null : mediumFromParams(params);
}

/** One config disk, with the live medium when it is a CD drive of the running domain. */
async function configDisk(ctx: OpsContext, d: DiskSpec, i: number, row: BlockRow | undefined, problems: ConfigProblem[]): Promise<DiskInfo> {
  const devtype = d.devtype ?? 'disk';
  const medium = row !== undefined && devtype === 'cdrom' ? await backendMedium(ctx, row) : null;
  return {
    vdev: d.vdev,
    target: d.target,
    medium,
    format: d.format,
    access: d.access,
    devtype,
    ...(await sizes(ctx, medium ?? d.target)),
    backendState: row ? (XENBUS[row.state] ?? String(row.state)) : null,
    inConfig: true,
    attached: row !== undefined,
    problems: problemsOf(problems, `disks[${i}]`),
  };
}

/** A device attached now but not in the config: everything it is comes from the backend's xenstore keys. */
async function attachedOnly(ctx: OpsContext, vdev: string, row: BlockRow): Promise<DiskInfo> {
  const [target, mode, devtype] = await Promise.all([
    backendMedium(ctx, row),
    xenstoreRead(ctx, `${row.backendPath}/mode`),
    xenstoreRead(ctx, `${row.backendPath}/device-type`),
  ]);
  const cdrom = devtype === 'cdrom';
  return {
    vdev,
    target: target ?? '',
    medium: cdrom ? target : null,
    format: 'raw',
    access: mode === 'r' ? 'ro' : 'rw',
    devtype: cdrom ? 'cdrom' : 'disk',
    ...(await sizes(ctx, target ?? '')),
    backendState: XENBUS[row.state] ?? String(row.state),
    inConfig: false,
    attached: true,
    problems: [],
  };
}

/** Config disks merged with what the backend has attached; attached-only devices read their target from xenstore. */
export async function mergeDisks(ctx: OpsContext, cfg: DomainConfig | null, rows: BlockRow[] | null, problems: ConfigProblem[]): Promise<DiskInfo[]> {
  const attached = new Map<string, BlockRow>();
  for (const r of rows ?? []) if (r.vdevName) attached.set(r.vdevName, r);
  const disks = cfg?.disks ?? [];
  const inConfig = new Set(disks.map((d) => d.vdev));
  const extra = [...attached].filter(([vdev]) => !inConfig.has(vdev));
  return Promise.all([...disks.map((d, i) => configDisk(ctx, d, i, attached.get(d.vdev), problems)), ...extra.map(([vdev, row]) => attachedOnly(ctx, vdev, row))]);
}
