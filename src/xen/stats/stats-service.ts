import type { StatsBatch } from '../../shared/dto';
import { XenError } from '../errors';
import { XentopStreamParser, type XentopFrame } from '../parse/xentop';
import type { Runner } from '../runner/types';
import { createBatchBuilder } from './batch-builder';
import { readDomids, readHostFacts, type HostFacts } from './host-facts';
import { XentopSupervisor, type Backoff } from './xentop-supervisor';

/** How a dead xentop is restarted: the delay doubles from initialMs to maxMs and resets after a healthy run. */
export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** A stream that lived this long counts as healthy: the next failure starts again from initialMs. */
  healthyMs?: number;
}

/** Options of the stats service; only intervalS is usually given, the rest is found on the host. */
export interface StatsServiceOptions {
  /** Seconds between xentop frames (`-d`). */
  intervalS?: number;
  /** Host physical CPUs; default: `xl info` nr_cpus, read once. */
  hostCpus?: number | (() => number | undefined);
  /** Host memory in KiB; default: `xl info` total_memory, read once. */
  hostMemKiB?: number | (() => number | undefined);
  /** Domid by name; default: an `xl list` whenever a name without a known domid (or a reboot) shows up. */
  domidOf?: (name: string) => number | undefined;
  /** Epoch ms clock (tests). */
  now?: () => number;
  backoff?: BackoffOptions;
  /** Pass `-f` so xentop prints full names instead of cutting them at 10 characters (default true). */
  fullNames?: boolean;
  /** Told about every failure (xentop died, a bad line, xl info/list failed); the service keeps going. */
  onError?: (err: unknown) => void;
}

/** Live per-domain figures from one long-lived `xentop -b`, shared by every subscriber. */
export interface StatsService {
  /** Receives a batch per xentop frame; the stream starts with the first subscriber and stops after the last. */
  subscribe(cb: (batch: StatsBatch) => void): () => void;
  /** The most recent batch, or null before the first one. */
  latest(): StatsBatch | null;
  /** Drops every subscriber and kills xentop. */
  stop(): void;
}

const DOMID_REFRESH_GAP_MS = 5_000;
const DOMID_RETRY_AFTER_FAILURE_MS = 30_000;

function getter(v: number | (() => number | undefined) | undefined): (() => number | undefined) | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'function' ? v : () => v;
}

/** xentop's -d goes through atoi(): anything but a whole number of seconds would silently become something else. */
function checkedIntervalS(intervalS: number): number {
  if (!(intervalS >= 1 && Number.isInteger(intervalS))) {
    throw new XenError('INVALID_ARG', `intervalS must be a whole number of seconds >= 1, got ${intervalS}`, { field: 'intervalS' });
  }
  return intervalS;
}

/** Default restarts: soon, then at most every 5 s, so a host back after a long outage shows again within seconds. */
function backoffOf(b: BackoffOptions | undefined): Backoff {
  return { initialMs: b?.initialMs ?? 500, maxMs: b?.maxMs ?? 5_000, healthyMs: b?.healthyMs ?? 60_000 };
}

/** Hands `batch` to every subscriber; one broken subscriber must not starve the others. */
function deliver(batch: StatsBatch, subscribers: ReadonlySet<(b: StatsBatch) => void>, report: (e: unknown) => void): void {
  for (const cb of subscribers) {
    try {
      cb(batch);
    } catch (e) {
      report(e);
    }
  }
}

/** Host CPUs and memory: the ones given in the options, else `xl info`'s, read once (ensure) and kept. */
interface HostFactsSource {
  hostCpus: () => number | undefined;
  hostMemKiB: () => number | undefined;
  ensure(): void;
}

function createHostFactsSource(runner: Runner, options: StatsServiceOptions, report: (e: unknown) => void): HostFactsSource {
  let facts: HostFacts | null = null;
  let inFlight = false;
  return {
    hostCpus: getter(options.hostCpus) ?? (() => facts?.cpus),
    hostMemKiB: getter(options.hostMemKiB) ?? (() => facts?.memKiB),
    ensure() {
      if (facts !== null || inFlight) return;
      if (options.hostCpus !== undefined && options.hostMemKiB !== undefined) return;
      inFlight = true;
      void readHostFacts(runner).then(
        (f) => {
          facts = f;
        },
        report,
      ).finally(() => {
        inFlight = false;
      });
    },
  };
}

/** Domids by name from `xl list`, looked up again (at most every few seconds) when the builder meets a stale one. */
interface DomidLookup {
  domidOf: (name: string) => number | undefined;
  /** Forgets the domid of a domain that left: one of that name started later has another. */
  forget(name: string): void;
  refresh(): void;
  /** Drops a refresh waiting for its gap to pass. */
  cancel(): void;
}

/** What the domid lookup shares with its service. */
interface DomidLookupContext {
  runner: Runner;
  now: () => number;
  report: (e: unknown) => void;
  /** True while someone listens: a deferred refresh is skipped otherwise. */
  wanted: () => boolean;
}

function createDomidLookup(ctx: DomidLookupContext): DomidLookup {
  let domids = new Map<string, number>();
  let inFlight = false;
  let again = false;
  let nextAt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function refresh(): void {
    if (inFlight) {
      again = true;
      return;
    }
    const wait = nextAt - ctx.now();
    if (wait > 0) {
      // Too soon after the last lookup: do it once the gap is over rather than forget (a reboot is flagged only once).
      timer ??= setTimeout(() => {
        timer = null;
        if (ctx.wanted()) refresh();
      }, wait);
      return;
    }
    inFlight = true;
    void readDomids(ctx.runner).then(
      (map) => {
        domids = map;
        nextAt = ctx.now() + DOMID_REFRESH_GAP_MS;
      },
      (e: unknown) => {
        ctx.report(e);
        nextAt = ctx.now() + DOMID_RETRY_AFTER_FAILURE_MS;
      },
    ).finally(() => {
      inFlight = false;
      if (again) {
        again = false;
        refresh();
      }
    });
  }

  return {
    domidOf: (name) => (name === 'Domain-0' ? 0 : domids.get(name)),
    forget: (name) => void domids.delete(name),
    refresh,
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Creates the stats service for `runner`: one xentop process, parsed as a stream, restarted with backoff if it dies. */
export function createStatsService(runner: Runner, options: StatsServiceOptions = {}): StatsService {
  const intervalS = checkedIntervalS(options.intervalS ?? 1);
  const now = options.now ?? Date.now;
  const report = (e: unknown): void => options.onError?.(e);
  const subscribers = new Set<(b: StatsBatch) => void>();
  const wanted = (): boolean => subscribers.size > 0;
  const facts = createHostFactsSource(runner, options, report);
  const domids = createDomidLookup({ runner, now, report, wanted });
  const domidOf = options.domidOf ?? domids.domidOf;
  const builder = createBatchBuilder({ intervalS, hostCpus: facts.hostCpus, hostMemKiB: facts.hostMemKiB, domidOf, onGone: (name) => domids.forget(name) });
  let latestBatch: StatsBatch | null = null;

  const onFrame = (frame: XentopFrame): void => {
    const batch = builder.build(frame, frame.at ?? now());
    if (builder.domidsStale && options.domidOf === undefined) domids.refresh();
    if (batch === null) return;
    latestBatch = batch;
    deliver(batch, subscribers, report);
  };
  const parser = new XentopStreamParser({ onFrame, onError: report, clock: now });
  const xentop = new XentopSupervisor({
    runner,
    args: { delayS: intervalS, fullNames: options.fullNames ?? true },
    now,
    backoff: backoffOf(options.backoff),
    report,
    wanted,
    onStart: () => {
      parser.reset();
      builder.reset();
      facts.ensure();
    },
    sink: parser,
  });

  const halt = (): void => {
    domids.cancel();
    xentop.halt();
    parser.reset();
    builder.reset();
  };

  return {
    subscribe(cb) {
      // Wrapped so the same function subscribed twice still counts (and unsubscribes) twice.
      const entry = (b: StatsBatch): void => cb(b);
      subscribers.add(entry);
      if (subscribers.size === 1) xentop.start();
      let done = false;
      return () => {
        if (done) return;
        done = true;
        subscribers.delete(entry);
        if (subscribers.size === 0) halt();
      };
    },
    latest: () => latestBatch,
    stop() {
      subscribers.clear();
      halt();
    },
  };
}
