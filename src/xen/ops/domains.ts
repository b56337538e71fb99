import type { DomainSummary, DomainType } from '../../shared/dto';
import type { DomainConfig } from '../../shared/domain-config';
import { parseXlListLong, summariseLongEntry } from '../parse/xl-list-long';
import { stateFromFlags } from '../parse/xl-list';
import { parseXlUptime } from '../parse/xl-uptime';
import { isXenError } from '../errors';
import { autostartEntriesIn, readAutostartDir } from './autostart';
import { pickConfig, scanConfigs, type ConfigEntry } from './configs';
import type { ListCache, OpsContext } from './context';
import { listRows, type ListRow } from './rows';
import { readSavedNames, savedStatePath } from './saved';

/** What `xl list -l` adds to a row: the facts `xl list` lacks. */
interface LongFacts {
  uuid: string | null;
  type: DomainType | null;
  maxVcpus: number;
  maxMemMiB: number;
  hasVnc: boolean;
}

/** Runs the expensive `xl list -l` and keeps, per domid, what `xl list` cannot tell. */
async function readLongFacts(ctx: OpsContext): Promise<Map<number, LongFacts>> {
  const out = await ctx.out('domains.listLong', {});
  const facts = new Map<number, LongFacts>();
  for (const entry of parseXlListLong(out)) {
    const s = summariseLongEntry(entry);
    // dom0's long entry has no max_vcpus (0 here): merging takes the larger of this and xl list's live figure.
    facts.set(s.domid, { uuid: s.uuid, type: s.type, maxVcpus: s.maxVcpus ?? 0, maxMemMiB: s.maxMemMiB ?? 0, hasVnc: s.hasVnc });
  }
  return facts;
}

/** What a list merges with `xl list`'s rows; the cheap list reuses it. */
type Facts = Omit<ListCache, 'domidKey'>;

function domidKey(rows: readonly ListRow[]): string {
  return rows
    .map((r) => r.domid)
    .sort((a, b) => a - b)
    .join(',');
}

function configVcpus(cfg: DomainConfig | null): { vcpus: number; maxVcpus: number } {
  const vcpus = cfg?.vcpus ?? 1;
  return { vcpus, maxVcpus: Math.max(vcpus, cfg?.maxvcpus ?? vcpus) };
}

function configMem(cfg: DomainConfig | null): { memoryMiB: number; maxMemMiB: number } {
  const memoryMiB = cfg?.memory ?? 128;
  return { memoryMiB, maxMemMiB: Math.max(memoryMiB, cfg?.maxmem ?? memoryMiB) };
}

function configHasVnc(cfg: DomainConfig | null): boolean {
  if (cfg === null) return false;
  return cfg.vnc === true || (cfg.vfb ?? []).some((v) => /(^|,)\s*vnc\s*=\s*1\s*(,|$)/.test(v));
}

/** A running domain's row: xl list's live figures, -l's fixed facts, and its config file when one names it. */
function runningSummary(row: ListRow, long: LongFacts | undefined, cfg: ConfigEntry | null, autostart: boolean, startedAt: number | undefined, now: number): DomainSummary {
  return {
    name: row.name,
    domid: row.domid,
    uuid: long?.uuid ?? null,
    type: long?.type ?? cfg?.config?.type ?? null,
    state: stateFromFlags(row.stateFlags),
    stateFlags: row.stateFlags,
    vcpus: row.vcpus,
    // A domain that appeared between the two calls has no long facts yet: show what is certain.
    maxVcpus: Math.max(row.vcpus, long?.maxVcpus ?? 0),
    memoryMiB: row.memMiB,
    maxMemMiB: Math.max(row.memMiB, long?.maxMemMiB ?? 0),
    cpuTimeS: row.cpuTimeS,
    uptimeS: startedAt === undefined ? null : Math.max(0, Math.round((now - startedAt) / 1000)),
    configPath: cfg?.path ?? null,
    autostart,
    hasVnc: long?.hasVnc ?? configHasVnc(cfg?.config ?? null),
    isDom0: row.domid === 0,
    savedFile: null,
  };
}

/** A domain that exists only as a config file, and the saved state Start would restore (null when none). */
function stoppedSummary(cfg: ConfigEntry, autostart: boolean, savedFile: string | null): DomainSummary {
  const c = cfg.config;
  return {
    name: cfg.name,
    domid: null,
    uuid: typeof c?.uuid === 'string' ? c.uuid : null,
    type: c?.type ?? null,
    state: 'stopped',
    stateFlags: '------',
    ...configVcpus(c),
    ...configMem(c),
    cpuTimeS: 0,
    uptimeS: null,
    configPath: cfg.path,
    autostart,
    hasVnc: configHasVnc(c),
    isDom0: false,
    savedFile,
  };
}

/** Reads configs and autostart entries, keyed by domain name (one config per name: NAME.cfg preferred). */
async function readConfigs(ctx: OpsContext): Promise<ListCache['configs']> {
  const entries = await scanConfigs(ctx);
  const auto = await readAutostartDir(ctx);
  const out: ListCache['configs'] = new Map();
  for (const name of new Set(entries.map((e) => e.name))) {
    const cfg = pickConfig(entries, name);
    if (cfg === null) continue;
    out.set(name, { entry: cfg, autostart: autostartEntriesIn(auto, cfg.path).length > 0 });
  }
  return out;
}

/**
 * When each running domain started, from one `xl uptime`. Uptime is a nicety: a failure here (an old xl, a parse
 * problem) leaves the column empty rather than failing the whole list.
 */
async function readStartTimes(ctx: OpsContext): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  try {
    const now = Date.now();
    for (const r of parseXlUptime(await ctx.out('domains.uptime', {}))) out.set(r.domid, now - r.uptimeS * 1000);
  } catch (e) {
    if (!isXenError(e)) throw e;
  }
  return out;
}

function merge(ctx: OpsContext, rows: readonly ListRow[], facts: Facts): DomainSummary[] {
  const { long, configs, startedAt, saved } = facts;
  const now = Date.now();
  const running = [...rows]
    .sort((a, b) => a.domid - b.domid)
    .map((r) => {
      const c = configs.get(r.name);
      return runningSummary(r, long.get(r.domid), c?.entry ?? null, c?.autostart ?? false, startedAt.get(r.domid), now);
    });
  const names = new Set(rows.map((r) => r.name));
  const stopped = [...configs.values()]
    .filter((c) => !names.has(c.entry.name))
    .map((c) => stoppedSummary(c.entry, c.autostart, saved.has(c.entry.name) ? savedStatePath(ctx, c.entry.name) : null))
    .sort((a, b) => a.name.localeCompare(b.name));
  return [...running, ...stopped];
}

/**
 * Every domain: running ones from `xl list` (state, memory, CPU time) merged with `xl list -l` (uuid, type, maxima),
 * plus the ones that exist only as `*.cfg` files in the config directory, with autostart from the autostart directory.
 */
export async function listDomains(ctx: OpsContext): Promise<DomainSummary[]> {
  // Independent reads, in parallel: over ssh each is a round trip, and xl list -l is the slow one.
  const gen = ctx.generation;
  const [rows, long, configs, startedAt, saved] = await Promise.all([listRows(ctx), readLongFacts(ctx), readConfigs(ctx), readStartTimes(ctx), readSavedNames(ctx)]);
  return remember(ctx, gen, rows, { long, configs, startedAt, saved });
}

async function fullList(ctx: OpsContext, gen: number, rows: readonly ListRow[]): Promise<DomainSummary[]> {
  const [long, configs, startedAt, saved] = await Promise.all([readLongFacts(ctx), readConfigs(ctx), readStartTimes(ctx), readSavedNames(ctx)]);
  return remember(ctx, gen, rows, { long, configs, startedAt, saved });
}

function remember(ctx: OpsContext, gen: number, rows: readonly ListRow[], facts: Facts): DomainSummary[] {
  // An operation that changed domains or configs while this list ran makes what it read stale: do not keep it.
  if (ctx.generation === gen) ctx.cache = { domidKey: domidKey(rows), ...facts };
  return merge(ctx, rows, facts);
}

/**
 * The domain list for a polling tick: only `xl list` runs; the long facts and config scan of the last full list are
 * reused unless the set of domids changed (a domain came, went or rebooted) or an operation invalidated them.
 */
export async function listDomainsCheap(ctx: OpsContext): Promise<DomainSummary[]> {
  const gen = ctx.generation;
  const rows = await listRows(ctx);
  const cache = ctx.cache;
  if (cache === null || cache.domidKey !== domidKey(rows)) return fullList(ctx, gen, rows);
  return merge(ctx, rows, cache);
}
