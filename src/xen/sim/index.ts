/**
 * The demo host: a simulated Xen 4.17 dom0 behind the ordinary Runner interface.
 *
 * Choices worth knowing:
 * - Output is byte-for-byte xl/xentop format (checked against the captures in test/unit/xen/sim).
 * - Time is a clock function; CPU time is a closed-form integral of each domain's load profile, so it needs no timer
 *   and survives restarts. Timed transitions (shutdown, reboot, crash handling) are applied lazily on each call and
 *   by a 100 ms unref'd ticker. `speed` divides every delay so tests run fast.
 * - Consoles are real ptys (node-pty) running src/xen/sim/console-guest.cjs with the current Node (plain JS, because a
 *   node 20 child cannot run .ts); the bundled build passes `consoleGuestPath`.
 * - VNC: a real RFB 3.8 server (127.0.0.1, random port) per running HVM domain with vnc=1, started the first time
 *   xenstore is asked about that domain; VNC auth (vncpasswd) uses a small DES in des.ts because Node's OpenSSL 3
 *   lacks des-ecb.
 * - A file named `unreachable` in the state directory makes the host stop answering while it exists: every command
 *   and the xentop stream fail as over a lost ssh connection (detail.unreachable), so the app's "Cannot reach" status
 *   and its recovery can be shown (and tested) without a real host to freeze.
 * - Texts not captured from the real host (out-of-memory create, mem-max below target, vcpu-set above maxvcpus,
 *   rename clash, cd-insert on PV, block-attach clash) use libxl/xl wording with approximate source line numbers.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type * as nodePty from 'node-pty';
import { XenError } from '../errors';
import { commandFailure } from '../runner/xl-stderr';
import { commandRunner } from '../runner/command-runner';
import type { Executor, HostFs, PtyHandle, RunOptions, RunResult, Runner, XenProgram } from '../runner/types';
import { simConsole, type ConsoleDeps } from './console-pty';
import { simExec, withGuards, type SimTools } from './exec';
import { hostPathToLocal, createSimFs } from './fs';
import { SimHost } from './host';
import type { RfbServer } from './rfb-server';
import { hostSizing, seedBootFiles, seedHost } from './seed-host';
import { SimStorage } from './storage';
import { simConvert } from './storage-tools';
import { simStream } from './stream';
import { VncPool } from './vnc-pool';

/** Options for the demo host. */
export interface DemoRunnerOptions {
  /** Where configs, images, save files and the state file live; survives restarts. */
  stateDir: string;
  /** How many domains to create on first start; default: a handful of PV/PVH/HVM domains. */
  seedDomains?: number;
  /** Epoch ms; tests pass a fake clock. */
  clock?: () => number;
  /** Divides every simulated delay (1 = real time). */
  speed?: number;
  /** Absolute path of console-guest.cjs; default: next to this module. */
  consoleGuestPath?: string;
  /** Seconds between the guest console's heartbeat lines (default 30, divided by speed). */
  consoleHeartbeatS?: number;
}

/** Controls for tests and the demo UI that no real Xen offers. */
export interface SimControl {
  readonly host: SimHost;
  /** Crashes a running domain (by name or domid); on_crash decides what follows. */
  crash(ident: string): void;
  /** The RFB server of a domain (by name or domid) once it is listening. */
  vnc(ident: string): Promise<RfbServer | undefined>;
  /** Applies due transitions now. */
  tick(): void;
}

/** The demo host's executor (it answers argv as xl would), plus its simulation controls. */
export interface DemoExecutor extends Executor {
  readonly kind: 'demo';
  readonly sim: SimControl;
}

/** The Runner for the demo host: commands from the table, answered by the simulator; plus its controls. */
export interface DemoRunner extends Runner {
  readonly kind: 'demo';
  readonly sim: SimControl;
}

/** The demo host as the app uses it. */
export function createDemoRunner(opts: DemoRunnerOptions): DemoRunner {
  const x = createDemoExecutor(opts);
  return { ...commandRunner(x), kind: 'demo', sim: x.sim };
}

/** Creates the demo host runner (kind 'demo', label 'demo host'). */
export function createDemoExecutor(opts: DemoRunnerOptions): DemoExecutor {
  const speed = opts.speed && opts.speed > 0 ? opts.speed : 1;
  const rootDir = path.join(opts.stateDir, 'root');
  mkdirSync(rootDir, { recursive: true });
  const host = SimHost.open({ stateDir: opts.stateDir, clock: opts.clock ?? Date.now, speed }, hostSizing(opts.seedDomains));
  const fs: HostFs = createSimFs(rootDir, { speed });
  const local = (p: string): string => hostPathToLocal(rootDir, p);
  if (!host.state.seeded) host.batch(() => seedHost(host, { local }, opts.seedDomains));
  seedBootFiles(local);

  let closed = false;
  const vnc = new VncPool(host, speed);
  const consoles = new Map<number, Set<nodePty.IPty>>();
  const streams = new Set<() => void>();
  const storage = new SimStorage(path.join(opts.stateDir, 'storage.json'));
  const tools: SimTools = { host, fs, vnc, storage, local, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
  const consoleDeps: ConsoleDeps = { host, speed, stateDir: opts.stateDir, heartbeatS: opts.consoleHeartbeatS ?? 30, guestPath: opts.consoleGuestPath, consoles };
  host.on('gone', (domid: number) => {
    vnc.stop(domid);
    for (const p of consoles.get(domid) ?? []) p.kill();
    consoles.delete(domid);
  });
  const ticker = setInterval(() => host.tick(), 100);
  ticker.unref();
  const isClosed = (argv: readonly string[]): void => {
    if (closed) throw new XenError('ABORTED', 'the demo host is closed', { argv });
    const down = unreachable(opts.stateDir);
    if (down) throw down;
  };

  return {
    kind: 'demo',
    label: 'demo host',
    fs,
    async run(program: XenProgram, args: readonly string[], ro?: RunOptions & { allowFailure?: boolean }): Promise<RunResult> {
      isClosed([program, ...args]);
      const r = await withGuards(program, args, ro, () => simExec(tools, program, args));
      // Same error the local runner throws for a non-zero exit, so callers cannot tell the demo host apart.
      if (r.exitCode !== 0 && !ro?.allowFailure) throw commandFailure([program, ...args], r.exitCode, r.stderr);
      return r;
    },
    stream: (program, args) => simStream(host, streams, program, args, { convert: (a) => simConvert(tools, a), down: () => unreachable(opts.stateDir) }),
    pty(program: 'xl', args: readonly string[], size: { cols: number; rows: number }): PtyHandle {
      isClosed([program, ...args]);
      return simConsole(consoleDeps, program, args, size);
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      for (const k of [...streams]) k();
      for (const set of consoles.values()) for (const p of set) p.kill();
      consoles.clear();
      await vnc.close();
      host.removeAllListeners();
      host.persist();
    },
    sim: simControl(host, vnc),
  };
}

/** The failure of a demo host told to stop answering (an `unreachable` file in its state directory), else null. */
function unreachable(stateDir: string): XenError | null {
  if (!existsSync(path.join(stateDir, 'unreachable'))) return null;
  return new XenError('XL_FAILED', 'Lost the connection to demo host: it does not answer', { via: 'demo', unreachable: true });
}

/** The controls no real Xen offers: crash a domain, reach its VNC server, apply due transitions. */
function simControl(host: SimHost, vnc: VncPool): SimControl {
  return {
    host,
    crash(ident: string): void {
      host.tick();
      const d = host.find(ident);
      if (!d || d === 'dom0') throw new XenError('NOT_FOUND', `${ident} is an invalid domain identifier (rc=-6)`, { field: 'domain' });
      host.crash(d);
    },
    async vnc(ident: string): Promise<RfbServer | undefined> {
      const d = host.find(ident);
      if (!d || d === 'dom0') return undefined;
      vnc.ensure(d.domid);
      return vnc.get(d.domid);
    },
    tick: () => host.tick(),
  };
}
