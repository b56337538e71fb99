import { existsSync } from 'node:fs';
import { createXenApi } from '../../xen/index';
import { createStatsService, type Runner, type StatsService } from '../../xen/index';
import type { StatsBatch, ToolstackStatus } from '../../shared/dto';
import { EventHub } from '../gateway/events';
import { HandlerRegistry } from '../gateway/registry';
import { registerHandlers } from '../ipc/index';
import { chooseToolstack, type AppOptions } from './options';
import { bundlePaths, createRunnerFor } from './runner-factory';
import type { Services } from './services';
import { DEFAULT_IMAGE_DIR } from '../../shared/storage';

/** The running app without its windows: the registry both transports call, the event hub, and the services. */
export interface AppCore {
  registry: HandlerRegistry;
  hub: EventHub;
  services: Services;
  status(): ToolstackStatus;
  close(): Promise<void>;
}

/** What the core needs from its embedder (Electron or the browser-mode server). */
export interface CoreEnv {
  dataDir: string;
  detachConsole: ((name: string, kind: 'text' | 'vnc') => void) | null;
  /** Origins the UI is served from, when known up front (Electron's app://xenith); a web server adds its own later. */
  clientOrigins?: string[];
  /** Folder of the bundled helper programs (broker, guest console); defaults to this bundle's folder. */
  bundleDir?: string;
}

/**
 * Key of the set of running domains and their states; a change means the list must be refetched. Running and blocked
 * count as one state: a guest flips between them every second, and the live samples already show it.
 */
export function domainSetKey(batch: StatsBatch): string {
  return batch.domains
    .map((d) => `${d.domid}:${d.name}:${d.state === 'blocked' ? 'running' : d.state}`)
    .sort()
    .join('|');
}

/** The toolstack's health as clients see it; a change is announced as app:status. */
function healthOf(runner: Runner, hub: EventHub): { status: () => ToolstackStatus; reportHealth: (ok: boolean, message: string) => void } {
  let health = { healthy: true, message: 'connecting' };
  const status = (): ToolstackStatus => ({ kind: runner.kind, label: runner.label, healthy: health.healthy, message: health.message });
  const reportHealth = (ok: boolean, message: string): void => {
    if (ok === health.healthy && (ok || message === health.message)) {
      health.message = message;
      return;
    }
    health = { healthy: ok, message };
    hub.emit('app:status', status());
  };
  return { status, reportHealth };
}

/**
 * One stats stream for all clients; it runs while anyone is connected. Changes in the set of running domains or their
 * states (also those made outside the app, with xl on a terminal) become domains:changed within one tick. Returns the
 * function that stops it for good.
 */
function bridgeStats(stats: StatsService, hub: EventHub, reportHealth: (ok: boolean, message: string) => void): () => void {
  let unsubscribe: (() => void) | null = null;
  let lastKey = '';
  const ensure = (): void => {
    if (hub.size > 0 && !unsubscribe) {
      unsubscribe = stats.subscribe((batch) => {
        hub.emit('stats:sample', batch);
        const key = domainSetKey(batch);
        if (key !== lastKey) {
          if (lastKey !== '') hub.emit('domains:changed', { reason: 'running domains changed', names: null });
          lastKey = key;
        }
        reportHealth(true, 'ok');
      });
    } else if (hub.size === 0 && unsubscribe) {
      unsubscribe();
      unsubscribe = null;
      lastKey = '';
    }
  };
  hub.onClientCount(ensure);
  return () => unsubscribe?.();
}

/** Selects the toolstack, builds the services and registers every handler. */
export async function createAppCore(options: AppOptions, env: CoreEnv): Promise<AppCore> {
  const choice = chooseToolstack(options, {
    hasXenCapabilities: existsSync('/proc/xen/capabilities'),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    hasPkexec: existsSync('/usr/bin/pkexec'),
  });
  const runner = createRunnerFor(choice, options, env.dataDir, bundlePaths(env.bundleDir ?? __dirname));
  const paths = { configDir: '/etc/xen', autoDir: '/etc/xen/auto', imageDir: DEFAULT_IMAGE_DIR };
  // XENITH_TIMEOUT_SCALE stretches command timeouts for very slow hosts (nested or emulated Xen, like the test host).
  const scale = Number(process.env['XENITH_TIMEOUT_SCALE'] ?? '1');
  const api = createXenApi(runner, {
    configDir: paths.configDir,
    autoDir: paths.autoDir,
    imageDirs: [paths.imageDir],
    ...(Number.isFinite(scale) && scale > 0 ? { timeoutScale: scale } : {}),
  });
  const hub = new EventHub();
  const closers: (() => Promise<void> | void)[] = [];

  const { status, reportHealth } = healthOf(runner, hub);
  const stats = createStatsService(runner, {
    intervalS: 1,
    onError: (e) => reportHealth(false, `stats: ${e instanceof Error ? e.message : String(e)}`),
  });
  const unsubscribeStats = bridgeStats(stats, hub, reportHealth);

  const services: Services = {
    runner,
    api,
    stats,
    hub,
    choice,
    paths,
    dataDir: env.dataDir,
    status,
    reportHealth,
    notifyChanged: (change) => hub.emit('domains:changed', change),
    clientOrigins: new Set(env.clientOrigins ?? []),
    detachConsole: env.detachConsole,
    onClose: (fn) => closers.push(fn),
  };
  const registry = new HandlerRegistry();
  registerHandlers(registry, services);

  return {
    registry,
    hub,
    services,
    status,
    async close() {
      unsubscribeStats();
      stats.stop();
      for (const fn of closers.reverse()) await fn();
      await runner.close();
    },
  };
}
