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
 * - Texts not captured from the real host (out-of-memory create, mem-max below target, vcpu-set above maxvcpus,
 *   rename clash, cd-insert on PV, block-attach clash) use libxl/xl wording with approximate source line numbers.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as nodePty from 'node-pty';
import { XenError } from '../errors';
import { commandFailure } from '../runner/xl-stderr';
import { commandRunner } from '../runner/command-runner';
import type { Executor, HostFs, PtyHandle, RunOptions, RunResult, Runner, StreamHandle, XenProgram } from '../runner/types';
import { hostPathToLocal, createSimFs } from './fs';
import { SimFailure, SimHost } from './host';
import type { SimDomain } from './model';
import { startRfbServer, type RfbServer } from './rfb-server';
import { hostSizing, seedHost } from './seed-host';
import { parseXentopArgs, runBrctl, runIp, runXenstore, XentopSampler } from './tools';
import { runXl } from './xl';

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

function defaultGuestPath(): string {
  try {
    return fileURLToPath(new URL('./console-guest.cjs', import.meta.url));
  } catch {
    // A CommonJS bundle has no import.meta.url: look beside the bundle (the build copies the file there).
    return path.join(__dirname, 'console-guest.cjs');
  }
}

/** Creates the demo host runner (kind 'demo', label 'demo host'). */
export function createDemoExecutor(opts: DemoRunnerOptions): DemoExecutor {
  const speed = opts.speed && opts.speed > 0 ? opts.speed : 1;
  const clock = opts.clock ?? Date.now;
  const rootDir = path.join(opts.stateDir, 'root');
  mkdirSync(rootDir, { recursive: true });
  const host = SimHost.open({ stateDir: opts.stateDir, clock, speed }, hostSizing(opts.seedDomains));
  const fs: HostFs = createSimFs(rootDir);
  const local = (p: string): string => hostPathToLocal(rootDir, p);
  if (!host.state.seeded) host.batch(() => seedHost(host, { local }, opts.seedDomains));

  let closed = false;
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  // VNC: one RFB server per running domain with vnc=1, keyed by domid (a reboot brings a new one, as with qemu).
  const vncServers = new Map<number, Promise<RfbServer | undefined>>();
  const startVnc = (d: SimDomain): void => {
    if (!d.config.vnc || vncServers.has(d.domid) || closed) return;
    const o: Parameters<typeof startRfbServer>[0] = { name: d.config.name, tickMs: 1000 / speed };
    if (d.config.vncPasswd) o.password = d.config.vncPasswd;
    vncServers.set(
      d.domid,
      startRfbServer(o).catch(() => undefined),
    );
  };
  const stopVnc = (domid: number): void => {
    const p = vncServers.get(domid);
    vncServers.delete(domid);
    void p?.then((s) => s?.close());
  };

  // Consoles attached per domid; they end when that domid goes away (reboot, shutdown, destroy).
  const consoles = new Map<number, Set<nodePty.IPty>>();
  const streams = new Set<() => void>();

  // VNC servers start when first needed (xenstore asked for the port, or a test asked), so a host seeded with
  // hundreds of HVM domains does not open hundreds of sockets; a domid that was serving keeps serving.
  const ensureVnc = (domid: number): void => {
    const d = host.state.domains.find((x) => x.domid === domid);
    if (d && d.phase !== 'rebuilding') startVnc(d);
  };
  host.on('gone', (domid: number) => {
    stopVnc(domid);
    for (const p of consoles.get(domid) ?? []) p.kill();
    consoles.delete(domid);
  });

  const ticker = setInterval(() => host.tick(), 100);
  ticker.unref();

  const xsExtras = (domid: number): { tty: string; vncPort?: number } => ({ tty: `/dev/pts/${(domid % 60) + 1}` });

  // Same error the local runner throws for a non-zero exit, so callers cannot tell the demo host apart.
  const fail = (argv: readonly string[], r: RunResult): never => {
    throw commandFailure(argv, r.exitCode, r.stderr);
  };

  const exec = async (program: XenProgram, args: readonly string[]): Promise<RunResult> => {
    try {
      switch (program) {
        case 'xl':
          if (args.find((a) => !a.startsWith('-')) === 'console') throw new XenError('UNSUPPORTED', 'xl console needs a terminal: use pty()', { argv: [program, ...args] });
          return await runXl({ host, fs, sleep }, args);
        case 'xentop': {
          const o = parseXentopArgs(args);
          const sampler = new XentopSampler(host, o.fullNames);
          let stdout = '';
          const n = o.iterations ?? 1;
          for (let k = 0; k < n; k++) {
            if (k > 0) await sleep(host.delay(o.delayS * 1000));
            stdout += sampler.frame();
          }
          return { stdout, stderr: '', exitCode: 0 };
        }
        case 'xenstore-read':
        case 'xenstore-ls':
        case 'xenstore-list': {
          // vnc-port is known once the RFB server listens; wait for it rather than answer "missing".
          const paths = args.filter((a) => !a.startsWith('-'));
          for (const p of paths.length ? paths : ['/']) {
            const m = /^\/local\/domain\/([0-9]+)/.exec(p);
            if (m?.[1] !== undefined) ensureVnc(Number(m[1]));
            else if (/^\/(local(\/domain)?)?\/?$/.test(p)) for (const d of host.state.domains) ensureVnc(d.domid);
          }
          const ports = new Map<number, number>();
          for (const [domid, p] of vncServers) {
            const s = await p;
            if (s) ports.set(domid, s.port);
          }
          const stdout = runXenstore(host, program, args, (domid) => {
            const x = xsExtras(domid);
            const port = ports.get(domid);
            return port !== undefined ? { ...x, vncPort: port } : x;
          });
          return { stdout, stderr: '', exitCode: 0 };
        }
        case 'ip':
          return { stdout: runIp(host, args), stderr: '', exitCode: 0 };
        case 'brctl':
          return { stdout: runBrctl(host, args), stderr: '', exitCode: 0 };
        default:
          return { stdout: '', stderr: `${program}: not available on the demo host\n`, exitCode: 127 };
      }
    } catch (e) {
      if (e instanceof SimFailure) return { stdout: e.stdout, stderr: e.stderr, exitCode: e.exitCode };
      throw e;
    }
  };

  const runner: DemoExecutor = {
    kind: 'demo',
    label: 'demo host',
    fs,
    async run(program: XenProgram, args: readonly string[], ro?: RunOptions & { allowFailure?: boolean }): Promise<RunResult> {
      const argv = [program, ...args];
      if (closed) throw new XenError('ABORTED', 'the demo host is closed', { argv });
      if (ro?.signal?.aborted) throw new XenError('ABORTED', `${program} aborted`, { argv });
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const guards: Promise<never>[] = [];
      if (ro?.timeoutMs !== undefined) {
        const ms = ro.timeoutMs;
        guards.push(
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new XenError('TIMEOUT', `${program} timed out after ${ms} ms`, { argv })), ms);
          }),
        );
      }
      if (ro?.signal) {
        const sig = ro.signal;
        guards.push(
          new Promise<never>((_, reject) => {
            onAbort = () => reject(new XenError('ABORTED', `${program} aborted`, { argv }));
            sig.addEventListener('abort', onAbort, { once: true });
          }),
        );
      }
      try {
        const r = await Promise.race([exec(program, args), ...guards]);
        if (r.exitCode !== 0 && !ro?.allowFailure) fail(argv, r);
        return r;
      } finally {
        if (timer) clearTimeout(timer);
        if (onAbort) ro?.signal?.removeEventListener('abort', onAbort);
      }
    },

    stream(program: XenProgram, args: readonly string[]): StreamHandle {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let resolveExit: (code: number | null) => void = () => undefined;
      const exited = new Promise<number | null>((r) => {
        resolveExit = r;
      });
      const stdout = new Readable({ read() {} });
      const finish = (code: number | null): void => {
        if (stopped) return;
        stopped = true;
        if (timer) clearTimeout(timer);
        streams.delete(kill);
        stdout.push(null);
        resolveExit(code);
      };
      const kill = (): void => finish(null);
      if (program !== 'xentop') {
        setImmediate(() => {
          stdout.push(`${program}: streaming is only available for xentop on the demo host\n`);
          finish(1);
        });
        return { stdout, exited, kill };
      }
      let o: ReturnType<typeof parseXentopArgs>;
      try {
        o = parseXentopArgs(args);
      } catch (e) {
        setImmediate(() => {
          if (e instanceof SimFailure) stdout.push(e.stderr);
          finish(1);
        });
        return { stdout, exited, kill };
      }
      const sampler = new XentopSampler(host, o.fullNames);
      let left = o.iterations ?? Infinity;
      const emit = (): void => {
        if (stopped) return;
        stdout.push(sampler.frame());
        left--;
        if (left <= 0) {
          finish(0);
          return;
        }
        timer = setTimeout(emit, host.delay(o.delayS * 1000));
      };
      streams.add(kill);
      setImmediate(emit);
      return { stdout, exited, kill };
    },

    pty(program: 'xl', args: readonly string[], size: { cols: number; rows: number }): PtyHandle {
      if (closed) throw new XenError('ABORTED', 'the demo host is closed', { argv: [program, ...args] });
      if (args[0] !== 'console') throw new XenError('UNSUPPORTED', `the demo host only runs "xl console" on a pty`, { argv: [program, ...args] });
      host.tick();
      const rest = args.slice(1);
      let ident: string | undefined;
      let consoleType: string | undefined;
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i] ?? '';
        if (a === '-t') consoleType = rest[++i];
        else if (a === '-n') i++;
        else if (!a.startsWith('-')) ident = a;
      }
      const d = ident === undefined ? undefined : host.find(ident);
      const payload: Record<string, unknown> = { speed, heartbeatS: opts.consoleHeartbeatS ?? 30 };
      if (ident === undefined) payload['fail'] = "'xl console' requires at least 1 argument.";
      else if (!d) payload['fail'] = `${ident} is an invalid domain identifier (rc=-6)`;
      else if (d === 'dom0') payload['fail'] = 'xl console: the demo host has no dom0 console';
      else if (d.phase === 'rebuilding' || d.phase === 'shutdown' || d.phase === 'crashed') payload['fail'] = `Unable to attach console`;
      else {
        Object.assign(payload, {
          name: d.config.name,
          domid: d.domid,
          type: consoleType === 'serial' ? 'hvm' : d.config.type,
          memMiB: Math.floor(d.targetKiB / 1024),
          vcpus: d.onlineVcpus,
          cmdline: d.config.cmdline,
          fresh: d.consoleFresh,
          uptimeS: host.uptimeOf(d),
        });
        d.consoleFresh = false;
        host.persist();
      }
      const guest = opts.consoleGuestPath ?? defaultGuestPath();
      if (!existsSync(guest)) throw new XenError('NOT_FOUND', `demo console program not found at ${guest}`, { path: guest });
      const p = nodePty.spawn(process.execPath, [guest, JSON.stringify(payload)], {
        name: 'xterm-256color',
        cols: size.cols,
        rows: size.rows,
        cwd: opts.stateDir,
        // ELECTRON_RUN_AS_NODE lets Electron's own binary run the script as plain Node.
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', TERM: 'xterm-256color' },
      });
      if (d && d !== 'dom0' && !payload['fail']) {
        const set = consoles.get(d.domid) ?? new Set<nodePty.IPty>();
        set.add(p);
        consoles.set(d.domid, set);
        p.onExit(() => set.delete(p));
      }
      return {
        onData: (cb) => {
          const sub = p.onData(cb);
          return () => sub.dispose();
        },
        onExit: (cb) => {
          const sub = p.onExit((e) => cb(e.exitCode));
          return () => sub.dispose();
        },
        write: (data) => p.write(data),
        resize: (cols, rows) => p.resize(cols, rows),
        pause: () => p.pause(),
        resume: () => p.resume(),
        kill: () => p.kill(),
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      clearInterval(ticker);
      for (const k of [...streams]) k();
      for (const set of consoles.values()) for (const p of set) p.kill();
      consoles.clear();
      const servers = await Promise.all(vncServers.values());
      vncServers.clear();
      await Promise.all(servers.map((s) => (s ? s.close() : Promise.resolve())));
      host.removeAllListeners();
      host.persist();
    },

    sim: {
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
        ensureVnc(d.domid);
        return vncServers.get(d.domid);
      },
      tick: () => host.tick(),
    },
  };
  return runner;
}
