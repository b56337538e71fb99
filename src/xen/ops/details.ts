import { posix } from 'node:path';
import type { DirListing, DomainDetails, NicInfo, VcpuInfo } from '../../shared/contract-types';
import type { ConfigProblem, DomainConfig } from '../../shared/domain-config';
import type { DomainSummary } from '../../shared/dto';
import { isXenError, XenError } from '../errors';
import { readConfig } from './configs';
import type { OpsContext } from './context';
import { mergeDisks } from './details-disks';
import { maybe, problemsOf, xenstoreRead } from './details-read';
import { blockList, networkList } from './devices';
import { listDomainsCheap } from './domains';
import { consoleInfo, hostInfo } from './host';
import { schedCredit2, vcpuList } from './memory-cpu';

// What the details tabs and the file chooser read from the host: the toolstack's view of one domain merged with its
// config, and one directory listing. Every read goes through the operations context (runner, scaled timeouts).

type NetRow = Awaited<ReturnType<typeof networkList>>[number];

/** Config interfaces merged with the backend's, by MAC. */
async function mergeNics(ctx: OpsContext, domid: number | null, cfg: DomainConfig | null, rows: NetRow[] | null, problems: ConfigProblem[]): Promise<NicInfo[]> {
  const out: NicInfo[] = [];
  const live = new Map<string, NetRow>();
  for (const r of rows ?? []) live.set(r.mac.toLowerCase(), r);
  for (const [i, v] of (cfg?.vifs ?? []).entries()) {
    const mac = (v.mac ?? '').toLowerCase();
    const row = mac ? live.get(mac) : undefined;
    const mine = problemsOf(problems, `vifs[${i}]`);
    // A mac the config spells wrong is not one assigned at boot: say so, the row's problem says why.
    const noMac = problems.some((p) => p.field === `vifs[${i}].mac`) ? '(not valid in the config)' : '(assigned at boot)';
    out.push({
      devid: row?.devid ?? null,
      mac: mac || noMac,
      bridge: v.bridge ?? null,
      model: v.model ?? null,
      vifName: v.vifname ?? (row && domid !== null ? `vif${domid}.${row.devid}` : null),
      inConfig: true,
      attached: row !== undefined,
      problems: mine,
    });
    if (mac) live.delete(mac);
  }
  for (const [mac, row] of live) {
    out.push({
      devid: row.devid,
      mac,
      bridge: await xenstoreRead(ctx, `${row.backendPath}/bridge`),
      model: null,
      vifName: domid !== null ? `vif${domid}.${row.devid}` : null,
      inConfig: false,
      attached: true,
      problems: [],
    });
  }
  return out;
}

function vcpuWords(r: { online: boolean; running: boolean; blocked: boolean }): string {
  if (!r.online) return 'offline';
  if (r.running) return 'running';
  if (r.blocked) return 'blocked';
  return 'runnable';
}

/** The host's CPU count, read at most once a minute per API (xl info costs a round trip on a remote host). */
async function hostCpus(ctx: OpsContext): Promise<number> {
  const cached = ctx.hostCpus;
  if (cached && Date.now() - cached.at < 60_000) return cached.n;
  const info = await maybe(hostInfo(ctx));
  const n = info?.nrCpus ?? cached?.n ?? 0;
  ctx.hostCpus = { at: Date.now(), n };
  return n;
}

/** Everything the details tabs show beyond the list row, for one domain. */
export async function domainDetails(ctx: OpsContext, name: string): Promise<DomainDetails> {
  const list: DomainSummary[] = await listDomainsCheap(ctx);
  const d = list.find((x) => x.name === name);
  if (!d) throw new XenError('NOT_FOUND', `There is no domain called ${name}`, { field: 'name' });
  let cfg: DomainConfig | null = null;
  let problems: ConfigProblem[] = [];
  try {
    ({ config: cfg, problems } = await readConfig(ctx, name));
  } catch (e) {
    if (!isXenError(e, 'NOT_FOUND')) throw e;
  }
  const running = d.domid !== null;
  const [blocks, nets, vcpus, sched, cons, cpus] = await Promise.all([
    running ? maybe(blockList(ctx, name)) : null,
    running ? maybe(networkList(ctx, name)) : null,
    running ? maybe(vcpuList(ctx, name)) : null,
    running ? maybe(schedCredit2(ctx, name)) : null,
    running && d.domid !== null ? maybe(consoleInfo(ctx, d.domid)) : null,
    hostCpus(ctx),
  ]);
  const mySched = sched?.flatMap((p) => p.domains).find((x) => x.name === name) ?? null;
  const vcpuInfo: VcpuInfo[] = (vcpus ?? [])
    .filter((v) => v.name === name)
    .map((v) => ({ vcpu: v.vcpu, cpu: v.cpu, state: vcpuWords(v), timeS: v.timeS, affinityHard: v.hardAffinity, affinitySoft: v.softAffinity }));
  return {
    name,
    domid: d.domid,
    type: d.type,
    state: d.state,
    vcpus: vcpuInfo,
    maxVcpus: d.maxVcpus,
    sched: mySched ? { weight: mySched.weight, cap: mySched.cap } : null,
    disks: await mergeDisks(ctx, cfg, blocks, problems),
    nics: await mergeNics(ctx, d.domid, cfg, nets, problems),
    vnc: cons?.vncPort ? { port: cons.vncPort, listen: cons.vncListen ?? '127.0.0.1' } : null,
    consoleTty: cons?.tty ?? null,
    hostCpus: cpus,
    configProblems: problems,
  };
}

const IMAGE_RE = /\.(img|raw|qcow2?|vhdx?|vmdk|qed|disk)$/i;
const ISO_RE = /\.iso$/i;
const MAX_ENTRIES = 5000;

/** One directory of the host for the file chooser, filtered by kind; directories are always listed. */
export async function listDir(ctx: OpsContext, dir: string, filter: 'any' | 'iso' | 'image' | 'kernel' | 'dir'): Promise<DirListing> {
  const names = (await ctx.runner.fs.list(dir)).filter((n) => !n.startsWith('.')).slice(0, MAX_ENTRIES);
  const entries: DirListing['entries'] = [];
  for (const n of names) {
    const path = dir === '/' ? `/${n}` : `${dir}/${n}`;
    const st = await maybe(ctx.runner.fs.stat(path));
    if (!st) continue;
    const kind = st.isDirectory ? 'dir' : st.isBlockDevice ? 'block' : st.isFile ? 'file' : null;
    if (kind === null) continue;
    if (kind !== 'dir') {
      if (filter === 'dir') continue;
      if (filter === 'iso' && !ISO_RE.test(n)) continue;
      if (filter === 'image' && kind === 'file' && !IMAGE_RE.test(n)) continue;
      if (filter === 'kernel' && kind !== 'file') continue;
    }
    entries.push({ name: n, path, kind, sizeBytes: st.size });
  }
  entries.sort((a, b) => (a.kind === 'dir') !== (b.kind === 'dir') ? (a.kind === 'dir' ? -1 : 1) : a.name.localeCompare(b.name));
  return {
    dir,
    parent: dir === '/' ? null : posix.dirname(dir),
    entries,
    freeBytes: await maybe(ctx.runner.fs.freeBytes(dir)),
  };
}
