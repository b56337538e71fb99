/** What the simulated hypervisor keeps about domains; plain JSON so it persists in the state file. */

/** Xen guest types. */
export type SimGuestType = 'pv' | 'pvh' | 'hvm';

/** on_poweroff / on_reboot / on_crash actions (xl.cfg). */
export type SimAction = 'destroy' | 'restart' | 'preserve' | 'rename-restart' | 'coredump-destroy' | 'coredump-restart' | 'soft-reset';

/** One virtual disk. */
export interface SimDisk {
  target: string;
  vdev: string;
  devid: number;
  format: string;
  readwrite: boolean;
  cdrom: boolean;
}

/** One virtual NIC. */
export interface SimNic {
  devid: number;
  mac: string;
  bridge: string;
  model?: string;
  ip?: string;
}

/** The parts of a domain's xl.cfg the simulator acts on. */
export interface SimDomainConfig {
  name: string;
  type: SimGuestType;
  uuid: string;
  memoryMiB: number;
  maxMemMiB: number;
  vcpus: number;
  maxVcpus: number;
  kernel?: string;
  ramdisk?: string;
  cmdline?: string;
  disks: SimDisk[];
  nics: SimNic[];
  vnc: boolean;
  vncListen: string;
  vncPasswd?: string;
  onPoweroff: SimAction;
  onReboot: SimAction;
  onCrash: SimAction;
}

/** Deterministic CPU load profile: each online vCPU is busy `base + amp*sin(2πt/period + phase)` of the time. */
export interface LoadProfile {
  base: number;
  amp: number;
  periodS: number;
  phase: number;
  /** Network and disk rates (KiB/s, sectors/s) while running. */
  netTxKps: number;
  netRxKps: number;
  rdReqPs: number;
  wrReqPs: number;
}

/** Where a domain is in its life; `rebuilding` is the reboot window listed with Mem 0 VCPUs 0 `--p---`. */
export type SimPhase = 'running' | 'paused' | 'shutdown' | 'crashed' | 'rebuilding';

/** A timed transition the host applies once the clock passes `at`. */
export interface SimPending {
  at: number;
  kind: 'halted' | 'cleanup' | 'rebuilt';
  /** Xen shutdown reason: 0 poweroff, 1 reboot, 2 suspend, 3 crash. */
  reason: number;
}

/** A live domain. Times are epoch ms from the host clock. */
export interface SimDomain {
  domid: number;
  config: SimDomainConfig;
  /** Current balloon target and what the guest actually holds, in KiB. */
  targetKiB: number;
  onlineVcpus: number;
  phase: SimPhase;
  /** Set once the guest has shut down (or crashed): the reason code. */
  shutdownReason: number | null;
  pending: SimPending | null;
  createdAt: number;
  /** CPU seconds accumulated up to `cpuSince`; accrual runs only while running. */
  cpuBase: number;
  cpuSince: number;
  load: LoadProfile;
  /** Hard affinity per vCPU ("all", "0-3"...). */
  affinity: string[];
  /** True until a console client attached once since boot (xenconsoled hands the buffered boot log to the first one). */
  consoleFresh: boolean;
  /** Pre-save uptime base so I/O counters keep growing after restore. */
  ioBaseS: number;
  /** A shutdown/reboot asked of a paused guest: it acts on it once unpaused (the reason code). */
  requestedShutdown?: number;
  /** credit2 weight and cap (defaults 256 / 0). */
  weight?: number;
  cap?: number;
}

/** The persisted state file. */
export interface SimState {
  version: 1;
  bootAt: number;
  nextDomid: number;
  totalMiB: number;
  dom0MiB: number;
  nrCpus: number;
  seeded: boolean;
  domains: SimDomain[];
}
