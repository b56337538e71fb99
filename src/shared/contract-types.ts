import type { DomainType, PowerState } from './dto';
import type { DomainConfig } from './domain-config';

/** Result and event payload types of the IPC contract that are not plain DTOs. */

/** One vCPU of a running domain (`xl vcpu-list`). */
export interface VcpuInfo {
  vcpu: number;
  cpu: number | null;
  state: string;
  timeS: number;
  affinityHard: string;
  affinitySoft: string;
}

/** One disk as the host sees it: from the config and, when running, `xl block-list`. */
export interface DiskInfo {
  vdev: string;
  /** The config's target ('' for an empty CD drive); for a device attached now only, the backend's. */
  target: string;
  /**
   * A running domain's CD drive: the medium in it now, as the backend holds it ('' when empty). xl cd-insert and
   * cd-eject change the drive, never the config file, so this may differ from `target`, which is what the next start
   * inserts. Null for a disk, a stopped domain, or when the backend could not be read.
   */
  medium: string | null;
  format: string;
  access: 'rw' | 'ro';
  devtype: 'disk' | 'cdrom';
  /** Bytes on the host when the target is a file we can stat. */
  sizeBytes: number | null;
  allocatedBytes: number | null;
  /** Backend state from block-list when running. */
  backendState: string | null;
  inConfig: boolean;
  attached: boolean;
  /** What is wrong with this disk's entry in the config ("Disk 2: ..."), in words naming the field; empty when nothing. */
  problems: string[];
}

/** One network interface: from the config and, when running, `xl network-list`. */
export interface NicInfo {
  devid: number | null;
  mac: string;
  bridge: string | null;
  model: string | null;
  vifName: string | null;
  inConfig: boolean;
  attached: boolean;
  /** What is wrong with this interface's entry in the config ("Network interface 1 MAC address: ..."); empty when nothing. */
  problems: string[];
}

/** Everything the details view shows beyond the list row. */
export interface DomainDetails {
  name: string;
  domid: number | null;
  type: DomainType | null;
  state: PowerState;
  vcpus: VcpuInfo[];
  maxVcpus: number;
  sched: { weight: number; cap: number } | null;
  disks: DiskInfo[];
  nics: NicInfo[];
  vnc: { port: number; listen: string } | null;
  consoleTty: string | null;
  hostCpus: number;
  /** The config's problems, each naming its field: values xl's reading left out and rules kept values break. */
  configProblems: { field: string; message: string }[];
}

/**
 * A domain's config file: where, what, the model with every value that fits it (null when the text is no xl config)
 * and the problems, each naming its field (a value left out of the model, or a rule a kept value breaks).
 */
export interface DomainConfigView {
  path: string;
  text: string;
  config: DomainConfig | null;
  problems: { field: string; message: string }[];
}

/** What xl's own dry run (`xl create -n`) said about a config. */
export interface XlDryRunReport {
  /** False when xl was not asked (no xl on the host, the text does not parse yet, root's policy refused it). */
  ran: boolean;
  /** What xl warns about and still accepts (directives it ignores, vif items it skips), one line each. */
  warnings: string[];
  /** Why xl refuses the config, when it does. */
  errors: string[];
  /** Why xl was not asked, in words; null when it was. */
  note: string | null;
}

/** Outcome of checking config text. */
export interface ConfigCheck {
  /** True when neither Xenith's checks nor xl's dry run found a problem (xl's warnings do not count). */
  ok: boolean;
  problems: { field: string; message: string; line?: number }[];
  /** Unified diff against the saved file. */
  diff: string;
  /** xl's own dry run of the same text, beside Xenith's checks. */
  xl: XlDryRunReport;
}

/** One step of deleting a domain and whether it worked. */
export interface DeleteStep {
  what: 'config' | 'autostart' | 'disk';
  path: string;
  ok: boolean;
  message?: string;
}

/** What deleting a domain did, step by step. */
export interface DeleteReport {
  steps: DeleteStep[];
}

/** One domain's outcome in a bulk action. */
export interface BulkResult {
  name: string;
  ok: boolean;
  error?: { code: string; message: string; detail?: Record<string, unknown> };
}

/** A directory for the file chooser. */
export interface DirListing {
  dir: string;
  parent: string | null;
  entries: { name: string; path: string; kind: 'dir' | 'file' | 'block'; sizeBytes: number }[];
  freeBytes: number | null;
}

/** A console session handed to the renderer. */
export interface ConsoleOpenResult {
  id: string;
  /** Bytes main sends before it waits for an ack (high watermark). */
  highWatermark: number;
}

/** A console's state changes: the process exited, the domain is rebooting, it reconnected. */
export interface ConsoleStatusEvent {
  id: string;
  state: 'connected' | 'disconnected' | 'reconnecting' | 'closed';
  message: string;
}

/** A graphical console: where noVNC connects. */
export interface VncOpenResult {
  id: string;
  /** ws://127.0.0.1:PORT/TOKEN */
  url: string;
  password: string | null;
}

/** Progress of a long job (wizard create, save, restore). */
export interface JobProgress {
  jobId: string;
  phase: string;
  state: 'running' | 'done' | 'failed';
  message: string;
  /** Transfers: bytes moved so far of the whole, and the rate over the last second or so (bytes/s). */
  bytes?: { done: number; total: number; rate: number };
}

/** A preset the wizard offers. */
export interface OsPreset {
  id: 'debian' | 'ubuntu' | 'fedora' | 'alpine' | 'windows' | 'other';
  label: string;
  memoryMiB: number;
  diskGiB: number;
  vcpus: number;
  viridian: boolean;
}

/** What the wizard needs to know about the host. */
export interface WizardOptions {
  /** Each guest type: whether virt_caps allows it, and a sentence saying why (or why not). */
  guestTypes: { type: DomainType; available: boolean; reason: string }[];
  bridges: string[];
  hostCpus: number;
  freeMemMiB: number;
  totalMemMiB: number;
  imageDir: string;
  /** Free bytes where imageDir lives; null when it cannot be read (the directory is missing). */
  imageDirFreeBytes: number | null;
  configDir: string;
  qemuImg: boolean;
  presets: OsPreset[];
  usedNames: string[];
  usedMacs: string[];
  suggestedMac: string;
  /** Storage pools new disks may go in: a directory of files, or an LVM group (`dir` is then /dev/VG). */
  pools: { name: string; kind: 'dir' | 'lvm'; dir: string; freeBytes: number | null; thin: boolean }[];
}

/** The wizard's preview: the exact text it would write, or the fields that are wrong. */
export interface WizardPreview {
  ok: boolean;
  configPath: string;
  text: string;
  problems: { field: string; message: string }[];
  warnings: string[];
  /** xl's own dry run of `text` (not run until the text is valid). */
  xl: XlDryRunReport;
}

/** What the wizard did. */
export interface WizardResult {
  name: string;
  configPath: string;
  /** Files this run made (images, config, autostart link). */
  created: string[];
  started: boolean;
}
