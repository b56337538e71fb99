import type { DomainType } from '../../shared/dto';
import type { ConfigEntry } from './configs';
import { DEFAULT_TIMEOUTS } from '../command';
import { COMMANDS, type CommandArgs, type CommandName } from '../commands/table';
import type { RunResult, Runner } from '../runner/types';
import { POOLS_FILE } from '../storage/pools-file';
import { DEFAULT_IMAGE_DIR, DEFAULT_SAVE_DIR } from '../../shared/storage';

/** Where configs live on the host and how long long-running operations may take. */
export interface XenApiOptions {
  /** Directory of domain config files (`*.cfg`). */
  configDir?: string;
  /** Directory whose entries (symlinks or copies) name the domains xendomains starts at boot. */
  autoDir?: string;
  /** Directories the app creates and offers disk images in (the first is the default pool when no pools file exists). */
  imageDirs?: string[];
  /** Where Save writes by default and a domain's saved state (NAME.save) is looked for (DEFAULT_SAVE_DIR). */
  saveDir?: string;
  /** The storage pools file (POOLS_FILE); tests point it elsewhere. */
  poolsFile?: string;
  /** How often shutdown polls `xl list` while waiting for a domain to disappear. */
  pollIntervalMs?: number;
  /** How long shutdown waits for a domain to disappear before TIMEOUT. */
  shutdownTimeoutMs?: number;
  /**
   * Multiplies every command timeout. 1 on real hardware; a host emulated under QEMU/TCG (the test host) is one to
   * two orders of magnitude slower, and its tests say so here rather than the product's timeouts growing for it.
   */
  timeoutScale?: number;
}

/** The options with every default filled in. */
export type ResolvedOptions = Required<XenApiOptions>;

/** Resolves the defaults: the Debian layout of xen-utils. */
export function resolveOptions(o: XenApiOptions = {}): ResolvedOptions {
  return {
    configDir: stripSlash(o.configDir ?? '/etc/xen'),
    autoDir: stripSlash(o.autoDir ?? '/etc/xen/auto'),
    imageDirs: (o.imageDirs ?? [DEFAULT_IMAGE_DIR]).map(stripSlash),
    saveDir: stripSlash(o.saveDir ?? DEFAULT_SAVE_DIR),
    poolsFile: o.poolsFile ?? POOLS_FILE,
    pollIntervalMs: o.pollIntervalMs ?? 500,
    shutdownTimeoutMs: o.shutdownTimeoutMs ?? 120_000,
    timeoutScale: o.timeoutScale !== undefined && o.timeoutScale > 0 ? o.timeoutScale : 1,
  };
}

function stripSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** What listDomains remembers so listDomainsCheap can skip `xl list -l` and the config scan. */
export interface ListCache {
  /** The domids the long facts were read for, sorted and joined. */
  domidKey: string;
  /** Per domid, what `xl list -l` adds to `xl list`. */
  long: Map<number, { uuid: string | null; type: DomainType | null; maxVcpus: number; maxMemMiB: number; hasVnc: boolean }>;
  /** Per domain name, its config file and whether it autostarts. */
  configs: Map<string, { entry: ConfigEntry; autostart: boolean }>;
  /** The names with a saved state (NAME.save in the save directory). */
  saved: ReadonlySet<string>;
  /** Per domid, when it started (epoch ms, from `xl uptime`), so a cheap list still shows a live uptime. */
  startedAt: Map<number, number>;
}

/** Shared by every operation of one API instance. */
export interface OpsContext {
  readonly runner: Runner;
  readonly opts: ResolvedOptions;
  /**
   * Runs a command from the table; non-zero exits throw XL_FAILED with xl's own stderr (the runner's job). Without a
   * timeout the command's class gives one; either way it is scaled by timeoutScale.
   */
  run<K extends CommandName>(op: K, args: CommandArgs<K>, o?: { timeoutMs?: number; allowFailure?: boolean }): Promise<RunResult>;
  /** Runs a command and returns its stdout. */
  out<K extends CommandName>(op: K, args: CommandArgs<K>, timeoutMs?: number): Promise<string>;
  cache: ListCache | null;
  /** The host's CPU count and when it was read (details show it; it does not change while the host runs). */
  hostCpus: { at: number; n: number } | null;
  /** Bumped by invalidate, so a list that started before a change does not store what it read. */
  generation: number;
  /** Forget cached list data after anything that changes the set of domains or configs. */
  invalidate(): void;
  /**
   * Domains a long operation of this API holds (a clone copying its disks, a snapshot between save and restore), with
   * what it is doing in words: every client of the app shares the API, so another client's Start waits its turn.
   */
  readonly busy: Map<string, string>;
  sleep(ms: number): Promise<void>;
}

/** Builds the context one API instance shares. */
export function createContext(runner: Runner, options: XenApiOptions = {}): OpsContext {
  const opts = resolveOptions(options);
  const scaled = (ms: number) => Math.round(ms * opts.timeoutScale);
  const ctx: OpsContext = {
    runner,
    opts,
    run: (op, args, o = {}) =>
      runner.run(op, args, { timeoutMs: scaled(o.timeoutMs ?? DEFAULT_TIMEOUTS[COMMANDS[op].cls]), ...(o.allowFailure === true ? { allowFailure: true } : {}) }),
    out: async (op, args, timeoutMs) => (await ctx.run(op, args, timeoutMs !== undefined ? { timeoutMs } : {})).stdout,
    cache: null,
    hostCpus: null,
    generation: 0,
    busy: new Map(),
    invalidate: () => {
      ctx.cache = null;
      ctx.generation += 1;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
  return ctx;
}
