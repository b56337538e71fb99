import { existsSync } from 'node:fs';
import { createXenApi } from '../../xen/index';
import { createStatsService, type StatsService } from '../../xen/index';
import { bridgeStats, createHealth } from './health';
import type { ToolstackStatus } from '../../shared/dto';
import { EventHub } from '../gateway/events';
import { HandlerRegistry } from '../gateway/registry';
import { registerHandlers } from '../ipc/index';
import { chooseToolstack, type AppOptions } from './options';
import { bundlePaths, createRunnerFor, historyDirFor } from './runner-factory';
import { openHistoryStore, type HistoryStore } from '../history/history-store';
import type { Services } from './services';
import { DEFAULT_IMAGE_DIR } from '../../shared/storage';
import { openTaskRecorder } from '../tasks/recorder';
import { TransferEnds } from '../transfer/ends';
import type { FileDialogs } from '../transfer/dialogs';

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
  /** Electron only: main's native file dialogs for image upload and download. */
  fileDialogs?: FileDialogs;
  /** Folder of the bundled helper programs (broker, guest console); defaults to this bundle's folder. */
  bundleDir?: string;
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

  const health = createHealth(runner, hub);
  const status = (): ToolstackStatus => health.status();
  const stats = createStatsService(runner, { intervalS: 1, onError: (e) => health.reportFailure('stats', e) });
  const unsubscribeStats = bridgeStats(stats, hub, health);
  const { history, unsubscribeHistory } = await startHistory(stats, historyDirFor(choice, options, env.dataDir));
  const tasks = await openTaskRecorder(env.dataDir, (r) => hub.emit('task:update', r), () => status().label);

  const services: Services = {
    runner,
    api,
    stats,
    history,
    hub,
    choice,
    paths,
    dataDir: env.dataDir,
    status,
    reportHealth: (ok, message) => health.reportHealth(ok, message),
    reportFailure: (what, e) => health.reportFailure(what, e),
    notifyChanged: (change) => hub.emit('domains:changed', change),
    clientOrigins: new Set(env.clientOrigins ?? []),
    detachConsole: env.detachConsole,
    tasks, transfers: new TransferEnds(), fileDialogs: env.fileDialogs ?? null,
    onClose: (fn) => closers.push(fn),
  };
  const registry = new HandlerRegistry();
  registerHandlers(registry, services);
  registry.observe(tasks);

  return {
    registry,
    hub,
    services,
    status,
    async close() {
      unsubscribeStats();
      unsubscribeHistory();
      stats.stop();
      await history.close();
      for (const fn of closers.reverse()) await fn();
      await runner.close();
      await tasks.flush();
    },
  };
}

/** Opens the host's graph history and feeds it from main's own stats subscription, so it grows with no window open. */
async function startHistory(stats: StatsService, dir: string): Promise<{ history: HistoryStore; unsubscribeHistory: () => void }> {
  const history = await openHistoryStore(dir, {
    onError: (e) => console.error(`xenith: graph history: ${e instanceof Error ? e.message : String(e)}`),
  });
  if (history.problem) console.error(`xenith: ${history.problem}`);
  return { history, unsubscribeHistory: stats.subscribe((b) => history.ingest(b)) };
}
