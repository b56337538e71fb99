import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadAt, cpuSecondsBetween, loadProfileFor } from './load';
import type { SimDomain, SimDomainConfig, SimState } from './model';
import type { DomRow } from './format';

/** An xl-style failure: the text xl prints on stderr and its exit code. */
export class SimFailure extends Error {
  constructor(
    readonly stderr: string,
    readonly exitCode: number,
    readonly stdout = '',
  ) {
    super(stderr.trim());
  }
}

/** Options for the simulated hypervisor. */
export interface SimHostOptions {
  stateDir: string;
  clock: () => number;
  /** Divides every simulated delay (shutdown, reboot, xentop interval); 1 = real time. */
  speed: number;
}

/** Delays of the simulated lifecycle, ms of real time at speed 1. */
export const DELAYS = { halt: 300, cleanup: 1200, crashCleanup: 1000, rebuild: 1500, vcpuSettle: 1000 } as const;

/** Xen's shutdown reason codes. */
export const REASON = { poweroff: 0, reboot: 1, suspend: 2, crash: 3 } as const;

/** What domain 0 looks like to the printers. */
export const DOM0_UUID = '00000000-0000-0000-0000-000000000000';

/** Events: 'gone' (domid) when a domid stops existing; 'up' (SimDomain) when a domain starts running on a new domid. */
export class SimHost extends EventEmitter {
  private readonly statePath: string;
  // dom0 mostly idles (backends, xenstored), so it gets a fixed light profile rather than a random one.
  private readonly dom0Load = { ...loadProfileFor('Domain-0'), base: 0.04, amp: 0.02 };

  private constructor(
    readonly opts: SimHostOptions,
    readonly state: SimState,
  ) {
    super();
    this.statePath = path.join(opts.stateDir, 'sim-state.json');
  }

  /** Loads `<stateDir>/sim-state.json` or starts an empty host (seeding is the caller's job). */
  static open(opts: SimHostOptions, sizing: { totalMiB: number; dom0MiB: number; nrCpus: number }): SimHost {
    mkdirSync(opts.stateDir, { recursive: true });
    const p = path.join(opts.stateDir, 'sim-state.json');
    let state: SimState | null = null;
    if (existsSync(p)) {
      try {
        const raw = JSON.parse(readFileSync(p, 'utf8')) as SimState;
        if (raw.version === 1 && Array.isArray(raw.domains)) state = raw;
      } catch {
        // A torn or foreign state file: start a fresh host rather than refuse to start the demo.
        state = null;
      }
    }
    const fresh: SimState = { version: 1, bootAt: opts.clock() - 3 * 86400_000 - 4200_000, nextDomid: 1, seeded: false, domains: [], ...sizing };
    const host = new SimHost(opts, state ?? fresh);
    host.tick();
    return host;
  }

  /** Current host time, ms. */
  now(): number {
    return this.opts.clock();
  }

  /** A simulated delay in real ms. */
  delay(ms: number): number {
    return ms / this.opts.speed;
  }

  private batching = 0;

  /** Runs `fn` with state writes held back, then writes once (seeding hundreds of domains). */
  batch<T>(fn: () => T): T {
    this.batching++;
    try {
      return fn();
    } finally {
      this.batching--;
      this.persist();
    }
  }

  /** Writes the state file atomically. */
  persist(): void {
    if (this.batching > 0) return;
    const tmp = `${this.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state));
    renameSync(tmp, this.statePath);
  }

  /** Applies every due transition (halts, cleanups, rebuilds); cheap when nothing is due. */
  tick(): void {
    const now = this.now();
    let changed = false;
    for (let guard = 0; guard < 1000; guard++) {
      const due = this.state.domains.find((d) => d.pending !== null && d.pending.at <= now);
      if (!due || !due.pending) break;
      const p = due.pending;
      due.pending = null;
      changed = true;
      this.applyPending(due, p.kind, p.reason, p.at);
    }
    if (changed) this.persist();
  }

  private applyPending(d: SimDomain, kind: 'halted' | 'cleanup' | 'rebuilt', reason: number, at: number): void {
    if (kind === 'halted') {
      this.settle(d, at);
      d.phase = 'shutdown';
      d.shutdownReason = reason;
      d.pending = { at: at + this.delay(reason === REASON.reboot ? 200 : DELAYS.cleanup), kind: 'cleanup', reason };
      return;
    }
    if (kind === 'cleanup') {
      const action = reason === REASON.crash ? d.config.onCrash : reason === REASON.reboot ? d.config.onReboot : d.config.onPoweroff;
      if (action === 'preserve') return;
      if (action === 'restart' || action === 'rename-restart' || action === 'coredump-restart' || action === 'soft-reset') {
        this.restartOnNewDomid(d, at);
        return;
      }
      this.remove(d);
      return;
    }
    // rebuilt: the fresh domain starts running.
    d.phase = 'running';
    d.createdAt = at;
    d.cpuSince = at;
    d.consoleFresh = true;
    this.emit('up', d);
  }

  private restartOnNewDomid(d: SimDomain, at: number): void {
    const old = d.domid;
    d.domid = this.state.nextDomid++;
    d.phase = 'rebuilding';
    d.shutdownReason = null;
    d.cpuBase = 0;
    d.cpuSince = at;
    d.ioBaseS = 0;
    d.createdAt = at;
    d.onlineVcpus = d.config.vcpus;
    d.pending = { at: at + this.delay(DELAYS.rebuild), kind: 'rebuilt', reason: 0 };
    this.emit('gone', old);
  }

  /** Removes a domain at once (destroy). */
  remove(d: SimDomain): void {
    this.state.domains = this.state.domains.filter((x) => x !== d);
    this.emit('gone', d.domid);
  }

  /** Folds CPU burnt so far into cpuBase so a phase or vCPU change starts a new accrual segment. */
  settle(d: SimDomain, at = this.now()): void {
    d.cpuBase = this.cpuOf(d, at);
    d.cpuSince = at;
  }

  /** CPU seconds a domain has used by `at`. */
  cpuOf(d: SimDomain, at = this.now()): number {
    if (d.phase !== 'running') return d.cpuBase;
    return d.cpuBase + d.onlineVcpus * cpuSecondsBetween(d.load, d.cpuSince, at);
  }

  /** dom0's memory in KiB. */
  dom0KiB(): number {
    return this.state.dom0MiB * 1024;
  }

  /** Free host memory in MiB, as `xl info` reports it. */
  freeMiB(): number {
    const xenMiB = 64 + Math.floor(this.state.totalMiB / 512);
    const usedKiB = this.state.domains.reduce((a, d) => a + d.targetKiB + 1024, this.dom0KiB());
    return Math.max(0, this.state.totalMiB - xenMiB - Math.ceil(usedKiB / 1024));
  }

  /** Finds a domain by name or domid string, as xl's domain identifiers work. Domain-0 is `'dom0'`. */
  find(ident: string): SimDomain | 'dom0' | undefined {
    if (ident === 'Domain-0' || ident === '0') return 'dom0';
    if (/^[0-9]+$/.test(ident)) return this.state.domains.find((d) => d.domid === Number(ident));
    return this.state.domains.find((d) => d.config.name === ident);
  }

  /** Same as find() but throws xl's own "invalid domain identifier" failure. */
  resolve(ident: string): SimDomain | 'dom0' {
    const d = this.find(ident);
    if (!d) throw new SimFailure(`${ident} is an invalid domain identifier (rc=-6)\n`, 1);
    return d;
  }

  /** Like resolve() but refuses dom0 for operations only domUs support. */
  resolveDomU(ident: string, what: string): SimDomain {
    const d = this.resolve(ident);
    if (d === 'dom0') throw new SimFailure(`libxl: error: ${what}: cannot operate on domain 0\n`, 1);
    return d;
  }

  /** Starts a new domain from a config; throws xl's failures for duplicate names and exhausted memory. */
  createDomain(config: SimDomainConfig, opts: { paused: boolean; cpuS?: number; uptimeS?: number; consoleFresh?: boolean; missingDisk?: string }): SimDomain {
    const now = this.now();
    const domid = this.state.nextDomid++;
    const lib = (where: string, msg: string): string => `libxl: error: ${where}: Domain ${domid}:${msg}\n`;
    const destroyTail =
      lib('libxl_domain.c:1183:libxl__destroy_domid', 'Non-existant domain') +
      lib('libxl_domain.c:1137:domain_destroy_callback', 'Unable to destroy guest') +
      lib('libxl_domain.c:1064:domain_destroy_cb', 'Destruction of domain failed');
    if (config.name === 'Domain-0' || this.state.domains.some((d) => d.config.name === config.name)) {
      this.persist();
      throw new SimFailure(
        lib('libxl_domain.c:81:libxl__domain_rename', `Domain with name "${config.name}" already exists.`) +
          lib('libxl_create.c:1296:initiate_domain_create', 'cannot make domain: -6') +
          destroyTail,
        3,
      );
    }
    if (config.memoryMiB + 1 > this.freeMiB()) {
      // Xen 4.17 wording of an allocation failure with autoballoon off (dom0_mem set); see the note in index.ts.
      this.persist();
      throw new SimFailure(
        "xc: error: panic: xg_dom_boot.c:119: xc_dom_boot_mem_init: can't allocate low memory for domain: Out of memory\n" +
          'libxl: error: libxl_dom.c:581:libxl__build_dom: xc_dom_boot_mem_init failed: Cannot allocate memory\n' +
          lib('libxl_create.c:1720:domcreate_rebuild_done', 'cannot (re-)build domain: -3') +
          destroyTail,
        3,
      );
    }
    if (opts.missingDisk !== undefined) {
      // The block hotplug script fails on a missing backing file; libxl then tears the half-built domain down.
      this.persist();
      throw new SimFailure(
        `libxl: error: libxl_exec.c:117:libxl_report_child_exitstatus: /etc/xen/scripts/block add [${4000 + domid}] exited with error status 1\n` +
          `libxl: error: libxl_device.c:1286:device_hotplug_child_death_cb: script: File ${opts.missingDisk} is not readable or does not exist\n` +
          lib('libxl_create.c:1862:domcreate_attach_devices', 'unable to add disk devices'),
        3,
      );
    }
    const d: SimDomain = {
      domid,
      config,
      targetKiB: config.memoryMiB * 1024,
      onlineVcpus: config.vcpus,
      phase: opts.paused ? 'paused' : 'running',
      shutdownReason: null,
      pending: null,
      createdAt: now - (opts.uptimeS ?? 0) * 1000,
      cpuBase: opts.cpuS ?? 0,
      cpuSince: now,
      load: loadProfileFor(config.name),
      affinity: Array.from({ length: config.maxVcpus }, () => 'all'),
      consoleFresh: opts.consoleFresh ?? true,
      ioBaseS: 0,
    };
    this.state.domains.push(d);
    this.persist();
    this.emit('up', d);
    return d;
  }

  /** Asks the guest to shut down (reason poweroff) or reboot; it halts after a moment. */
  requestShutdown(d: SimDomain, reason: number): void {
    if (d.phase === 'shutdown' || d.phase === 'crashed' || d.phase === 'rebuilding') return;
    if (d.pending) return;
    if (d.phase === 'paused') {
      // The request sits in xenstore (control/shutdown); a paused guest cannot see it until it runs again.
      d.requestedShutdown = reason;
      this.persist();
      return;
    }
    d.pending = { at: this.now() + this.delay(DELAYS.halt), kind: 'halted', reason };
    this.persist();
  }

  /** Unpauses a domain; a shutdown asked while paused now proceeds. */
  unpause(d: SimDomain): void {
    if (d.phase !== 'paused') return;
    this.settle(d);
    d.phase = 'running';
    const reason = d.requestedShutdown;
    delete d.requestedShutdown;
    if (reason !== undefined) d.pending = { at: this.now() + this.delay(DELAYS.halt), kind: 'halted', reason };
    this.persist();
  }

  /** Crashes a domain now; on_crash decides what follows. */
  crash(d: SimDomain): void {
    const now = this.now();
    this.settle(d, now);
    d.phase = 'crashed';
    d.shutdownReason = REASON.crash;
    d.pending = { at: now + this.delay(DELAYS.crashCleanup), kind: 'cleanup', reason: REASON.crash };
    this.persist();
  }

  /** xl state letters (r,b,p,s,c,d) at `now`. */
  flagsOf(d: SimDomain, now = this.now()): string {
    switch (d.phase) {
      case 'running':
        return loadAt(d.load, now) > 0.5 ? 'r-----' : '-b----';
      case 'paused':
      case 'rebuilding':
        return '--p---';
      case 'shutdown':
        return '--ps--';
      case 'crashed':
        return '--p-c-';
    }
  }

  /** Seconds since the domain (re)started. */
  uptimeOf(d: SimDomain, now = this.now()): number {
    return Math.max(0, (now - d.createdAt) / 1000);
  }

  /** Every domain (dom0 first, then by domid) as the printers see it now. */
  rows(): DomRow[] {
    const now = this.now();
    const dom0Cpu = 2 * cpuSecondsBetween(this.dom0Load, this.state.bootAt, now);
    const upS = (now - this.state.bootAt) / 1000;
    const rows: DomRow[] = [
      {
        name: 'Domain-0',
        domid: 0,
        uuid: DOM0_UUID,
        memKiB: this.dom0KiB(),
        hvMaxKiB: this.dom0KiB(),
        vcpus: 2,
        flags: 'r-----',
        cpuS: dom0Cpu,
        shutdownReason: null,
        uptimeS: upS,
        nets: 0,
        vbds: 0,
        netTxK: 0,
        netRxK: 0,
        vbdRd: 0,
        vbdWr: 0,
        vbdRsect: 0,
        vbdWsect: 0,
      },
    ];
    const sorted = [...this.state.domains].sort((a, b) => a.domid - b.domid);
    for (const d of sorted) rows.push(this.rowOf(d, now));
    return rows;
  }

  /** One domain's printer row. */
  rowOf(d: SimDomain, now = this.now()): DomRow {
    const rebuilding = d.phase === 'rebuilding';
    const justCreated = now - d.createdAt < this.delay(DELAYS.vcpuSettle) && d.phase === 'running';
    const ioS = d.ioBaseS + (d.phase === 'rebuilding' ? 0 : this.uptimeOf(d, now));
    return {
      name: d.config.name,
      domid: d.domid,
      uuid: d.config.uuid,
      memKiB: rebuilding ? 0 : d.targetKiB,
      hvMaxKiB: rebuilding ? 0 : d.targetKiB + 1024,
      // Right after create xl list briefly shows maxvcpus (seen on the real host).
      vcpus: rebuilding ? 0 : justCreated ? d.config.maxVcpus : d.onlineVcpus,
      flags: this.flagsOf(d, now),
      cpuS: this.cpuOf(d, now),
      shutdownReason: d.shutdownReason,
      uptimeS: this.uptimeOf(d, now),
      nets: d.config.nics.length,
      vbds: d.config.disks.length,
      netTxK: d.config.nics.length ? d.load.netTxKps * ioS : 0,
      netRxK: d.config.nics.length ? d.load.netRxKps * ioS : 0,
      vbdRd: d.config.disks.length ? d.load.rdReqPs * ioS : 0,
      vbdWr: d.config.disks.length ? d.load.wrReqPs * ioS : 0,
      vbdRsect: d.config.disks.length ? d.load.rdReqPs * ioS * 8 : 0,
      vbdWsect: d.config.disks.length ? d.load.wrReqPs * ioS * 8 : 0,
    };
  }
}
