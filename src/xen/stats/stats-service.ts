import { StringDecoder } from 'node:string_decoder';
import type { StatsBatch } from '../../shared/dto';
import { XenError, isXenError } from '../errors';
import { XentopStreamParser, type XentopFrame } from '../parse/xentop';
import type { Runner, StreamHandle } from '../runner/types';
import { createBatchBuilder } from './batch-builder';
import { readDomids, readHostFacts, type HostFacts } from './host-facts';

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

/** Creates the stats service for `runner`: one xentop process, parsed as a stream, restarted with backoff if it dies. */
export function createStatsService(runner: Runner, options: StatsServiceOptions = {}): StatsService {
  const intervalS = options.intervalS ?? 1;
  if (!(intervalS >= 1 && Number.isInteger(intervalS))) {
    // xentop's -d goes through atoi(): anything but a whole number of seconds would silently become something else.
    throw new XenError('INVALID_ARG', `intervalS must be a whole number of seconds >= 1, got ${intervalS}`, { field: 'intervalS' });
  }
  const now = options.now ?? Date.now;
  const initialMs = options.backoff?.initialMs ?? 500;
  const maxMs = options.backoff?.maxMs ?? 30_000;
  const healthyMs = options.backoff?.healthyMs ?? 60_000;
  const xentop = { delayS: intervalS, fullNames: options.fullNames ?? true };
  const report = (e: unknown): void => options.onError?.(e);

  let facts: HostFacts | null = null;
  let factsInFlight = false;
  const hostCpus = getter(options.hostCpus) ?? (() => facts?.cpus);
  const hostMemKiB = getter(options.hostMemKiB) ?? (() => facts?.memKiB);

  let domids = new Map<string, number>();
  let domidsInFlight = false;
  let domidsAgain = false;
  let domidsNextAt = 0;
  let domidTimer: ReturnType<typeof setTimeout> | null = null;
  const domidOf = options.domidOf ?? ((name: string) => (name === 'Domain-0' ? 0 : domids.get(name)));

  const subscribers = new Set<(b: StatsBatch) => void>();
  const builder = createBatchBuilder({ intervalS, hostCpus, hostMemKiB, domidOf });
  const parser = new XentopStreamParser({ onFrame, onError: report, clock: now });

  let latestBatch: StatsBatch | null = null;
  let handle: StreamHandle | null = null;
  let generation = 0;
  let startedAt = 0;
  let failures = 0;
  let restartTimer: ReturnType<typeof setTimeout> | null = null;

  function onFrame(frame: XentopFrame): void {
    const batch = builder.build(frame, frame.at ?? now());
    if (builder.domidsStale && options.domidOf === undefined) refreshDomids();
    if (batch === null) return;
    latestBatch = batch;
    for (const cb of subscribers) {
      try {
        cb(batch);
      } catch (e) {
        // One broken subscriber must not starve the others.
        report(e);
      }
    }
  }

  function refreshDomids(): void {
    if (domidsInFlight) {
      domidsAgain = true;
      return;
    }
    const wait = domidsNextAt - now();
    if (wait > 0) {
      // Too soon after the last lookup: do it once the gap is over rather than forget (a reboot is flagged only once).
      domidTimer ??= setTimeout(() => {
        domidTimer = null;
        if (subscribers.size > 0) refreshDomids();
      }, wait);
      return;
    }
    domidsInFlight = true;
    void readDomids(runner).then(
      (map) => {
        domids = map;
        domidsNextAt = now() + DOMID_REFRESH_GAP_MS;
      },
      (e: unknown) => {
        report(e);
        domidsNextAt = now() + DOMID_RETRY_AFTER_FAILURE_MS;
      },
    ).finally(() => {
      domidsInFlight = false;
      if (domidsAgain) {
        domidsAgain = false;
        refreshDomids();
      }
    });
  }

  function ensureHostFacts(): void {
    if (facts !== null || factsInFlight) return;
    if (options.hostCpus !== undefined && options.hostMemKiB !== undefined) return;
    factsInFlight = true;
    void readHostFacts(runner).then(
      (f) => {
        facts = f;
      },
      report,
    ).finally(() => {
      factsInFlight = false;
    });
  }

  function start(): void {
    const gen = ++generation;
    startedAt = now();
    parser.reset();
    builder.reset();
    ensureHostFacts();
    let h: StreamHandle;
    try {
      h = runner.stream('stats.xentop', xentop);
    } catch (e) {
      report(e);
      scheduleRestart();
      return;
    }
    handle = h;
    const decoder = new StringDecoder('utf8');
    h.stdout.on('data', (chunk: Buffer | string) => {
      if (gen !== generation) return;
      parser.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    });
    h.stdout.on('error', (e: Error) => {
      if (gen === generation) report(e);
    });
    const died = (why: unknown): void => {
      if (gen !== generation) return; // we killed it, or it was replaced
      handle = null;
      report(why);
      scheduleRestart();
    };
    void h.exited.then(
      (code) => died(new XenError('XL_FAILED', `xentop exited (code ${code ?? 'signal'})`, { op: 'stats.xentop', exitCode: code })),
      (e: unknown) => died(isXenError(e) ? e : new XenError('XL_FAILED', `xentop failed: ${String(e)}`, { op: 'stats.xentop' })),
    );
  }

  function scheduleRestart(): void {
    if (subscribers.size === 0 || restartTimer !== null) return;
    if (now() - startedAt >= healthyMs) failures = 0;
    const delay = Math.min(initialMs * 2 ** failures, maxMs);
    failures++;
    const gen = generation;
    restartTimer = setTimeout(() => {
      restartTimer = null;
      if (gen === generation && subscribers.size > 0) start();
    }, delay);
  }

  function halt(): void {
    generation++;
    if (restartTimer !== null) clearTimeout(restartTimer);
    restartTimer = null;
    if (domidTimer !== null) clearTimeout(domidTimer);
    domidTimer = null;
    const h = handle;
    handle = null;
    h?.kill();
    parser.reset();
    builder.reset();
    failures = 0;
  }

  return {
    subscribe(cb) {
      // Wrapped so the same function subscribed twice still counts (and unsubscribes) twice.
      const entry = (b: StatsBatch): void => cb(b);
      subscribers.add(entry);
      if (subscribers.size === 1) start();
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
