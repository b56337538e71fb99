/** Plain, serialisable objects that cross IPC. No classes, no Dates: numbers are epoch ms, sizes say their unit. */

/** Xen's three guest types. */
export type DomainType = 'pv' | 'pvh' | 'hvm';

/** A domain's state in words; `stopped` means defined in a config file but not running. */
export type PowerState = 'running' | 'blocked' | 'paused' | 'shutdown' | 'crashed' | 'dying' | 'stopped';

/** One row of the domain list: running domains from `xl list -l`, merged with stopped ones from the config directory. */
export interface DomainSummary {
  name: string;
  /** null when stopped. */
  domid: number | null;
  uuid: string | null;
  type: DomainType | null;
  state: PowerState;
  /** xl's six state letters, e.g. "-b----"; "------" when stopped. */
  stateFlags: string;
  vcpus: number;
  maxVcpus: number;
  memoryMiB: number;
  maxMemMiB: number;
  /** Total CPU seconds so far (running only). */
  cpuTimeS: number;
  /** Seconds since the domain started, when known. */
  uptimeS: number | null;
  /** Absolute path of its config file on the host, when there is one. */
  configPath: string | null;
  autostart: boolean;
  hasVnc: boolean;
  isDom0: boolean;
  /**
   * A stopped domain's saved state: the file `xl save` left in the save directory as NAME.save (Xenith's Save
   * proposes that name). Start offers to restore it. Null when there is none, and always while the domain runs.
   */
  savedFile: string | null;
}

/** Which toolstack the app talks to. */
export type ToolstackKind = 'local' | 'broker' | 'ssh' | 'demo';

/** Facts about the host from `xl info`, plus what the app found around it. */
export interface HostInfo {
  hostname: string;
  xenVersion: string;
  /** dom0 kernel release. */
  release: string;
  machine: string;
  nrCpus: number;
  nrNodes: number;
  coresPerSocket: number;
  threadsPerCore: number;
  cpuMhz: number;
  totalMemMiB: number;
  freeMemMiB: number;
  /** Raw virt_caps words, e.g. ["pv","hvm","hap","shadow"]. */
  virtCaps: string[];
  /** Guest types this host can run, derived from virt_caps. */
  guestTypes: DomainType[];
  scheduler: string;
  xenCommandline: string;
  dom0MemMiB: number;
  bridges: string[];
}

/** Whether the host answers: not yet known, answering, or not answering at all (the app keeps retrying). */
export type ToolstackConnection = 'connecting' | 'connected' | 'unreachable';

/** Where the app is connected and whether it is healthy. */
export interface ToolstackStatus {
  kind: ToolstackKind;
  label: string;
  connection: ToolstackConnection;
  healthy: boolean;
  message: string;
}

/** One domain's figures for one stats tick. Rates are per second over the last interval. */
export interface DomainSample {
  name: string;
  domid: number;
  state: PowerState;
  stateFlags: string;
  /** CPU as a share of the whole host (0..100). */
  cpuHostPct: number;
  /** CPU as a share of the domain's own vCPUs (0..100). */
  cpuGuestPct: number;
  cpuTimeS: number;
  memKiB: number;
  maxMemKiB: number;
  vcpus: number;
  netRxBps: number;
  netTxBps: number;
  blkReadBps: number;
  blkWriteBps: number;
}

/** All domains' samples for one tick, plus the host's totals. */
export interface StatsBatch {
  /** Epoch ms of the tick. */
  t: number;
  host: { cpuPct: number; memUsedKiB: number; memTotalKiB: number };
  domains: DomainSample[];
}
