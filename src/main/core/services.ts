import type { Runner } from '../../xen/index';
import type { XenApi } from '../../xen/index';
import type { StatsService } from '../../xen/index';
import type { ToolstackStatus } from '../../shared/dto';
import type { DomainsChanged } from '../../shared/contract';
import type { EventHub } from '../gateway/events';
import type { HistoryStore } from '../history/history-store';
import type { ToolstackChoice } from './options';
import type { TaskRecorder } from '../tasks/recorder';
import type { TransferEnds } from '../transfer/ends';
import type { FileDialogs } from '../transfer/dialogs';

/** Host paths the app works with. */
export interface HostPaths {
  configDir: string;
  autoDir: string;
  imageDir: string;
}

/** What every handler group gets: the toolstack API and the app's shared services. */
export interface Services {
  runner: Runner;
  api: XenApi;
  stats: StatsService;
  /** Stats history on disk, fed every tick whether or not a window is open. */
  history: HistoryStore;
  hub: EventHub;
  choice: ToolstackChoice;
  paths: HostPaths;
  dataDir: string;
  status(): ToolstackStatus;
  /** Marks the toolstack healthy or not after a call; pushes app:status when it changes. */
  reportHealth(ok: boolean, message: string): void;
  /** Marks the toolstack failed after a call (`what`: the area); an unreachable host makes the status say so. */
  reportFailure(what: string, e: unknown): void;
  /** Tells every client to refetch the domain list. */
  notifyChanged(change: DomainsChanged): void;
  /**
   * Origins our own UI is served from: app://xenith in Electron, the browser-mode server's origin once it listens.
   * The VNC proxy accepts WebSocket connections only from these.
   */
  clientOrigins: Set<string>;
  /** Electron only: opens a console in its own window. */
  detachConsole: ((name: string, kind: 'text' | 'vnc') => void) | null;
  /** The task log: what Xenith did for whom (tasks:list reads it; the registry feeds it). */
  tasks: TaskRecorder;
  /** Image transfers in flight: each job's source or sink, its cancel, browser mode's tickets. */
  transfers: TransferEnds;
  /** Electron only: main's native open and save dialogs for image transfers. */
  fileDialogs: FileDialogs | null;
  /** Cleanups run on close, in reverse order. */
  onClose(fn: () => Promise<void> | void): void;
}
