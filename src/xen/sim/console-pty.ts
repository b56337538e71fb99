import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as nodePty from 'node-pty';
import { XenError } from '../errors';
import type { PtyHandle } from '../runner/types';
import type { SimHost } from './host';

/** What the demo host's consoles need. */
export interface ConsoleDeps {
  readonly host: SimHost;
  readonly speed: number;
  readonly stateDir: string;
  readonly heartbeatS: number;
  readonly guestPath: string | undefined;
  /** Consoles attached per domid; they end when that domid goes away (reboot, shutdown, destroy). */
  readonly consoles: Map<number, Set<nodePty.IPty>>;
}

function defaultGuestPath(): string {
  try {
    return fileURLToPath(new URL('./console-guest.cjs', import.meta.url));
  } catch {
    // A CommonJS bundle has no import.meta.url: look beside the bundle (the build copies the file there).
    return path.join(__dirname, 'console-guest.cjs');
  }
}

/** `xl console [-t TYPE] [-n N] DOMAIN`'s words to the guest program: who it is, or why xl would refuse. */
function consolePayload(c: ConsoleDeps, args: readonly string[]): { payload: Record<string, unknown>; domid: number | null } {
  const rest = args.slice(1);
  let ident: string | undefined;
  let consoleType: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] ?? '';
    if (a === '-t') consoleType = rest[++i];
    else if (a === '-n') i++;
    else if (!a.startsWith('-')) ident = a;
  }
  const d = ident === undefined ? undefined : c.host.find(ident);
  const payload: Record<string, unknown> = { speed: c.speed, heartbeatS: c.heartbeatS };
  if (ident === undefined) payload['fail'] = "'xl console' requires at least 1 argument.";
  else if (!d) payload['fail'] = `${ident} is an invalid domain identifier (rc=-6)`;
  else if (d === 'dom0') payload['fail'] = 'xl console: the demo host has no dom0 console';
  else if (d.phase === 'rebuilding' || d.phase === 'shutdown' || d.phase === 'crashed') payload['fail'] = `Unable to attach console`;
  if (payload['fail'] !== undefined || !d || d === 'dom0') return { payload, domid: null };
  Object.assign(payload, {
    name: d.config.name,
    domid: d.domid,
    type: consoleType === 'serial' ? 'hvm' : d.config.type,
    memMiB: Math.floor(d.targetKiB / 1024),
    vcpus: d.onlineVcpus,
    cmdline: d.config.cmdline,
    fresh: d.consoleFresh,
    uptimeS: c.host.uptimeOf(d),
  });
  d.consoleFresh = false;
  c.host.persist();
  return { payload, domid: d.domid };
}

/** `xl console` on the demo host: the guest program (console-guest.cjs) on a real pty. */
export function simConsole(c: ConsoleDeps, program: 'xl', args: readonly string[], size: { cols: number; rows: number }): PtyHandle {
  if (args[0] !== 'console') throw new XenError('UNSUPPORTED', `the demo host only runs "xl console" on a pty`, { argv: [program, ...args] });
  c.host.tick();
  const { payload, domid } = consolePayload(c, args);
  const guest = c.guestPath ?? defaultGuestPath();
  if (!existsSync(guest)) throw new XenError('NOT_FOUND', `demo console program not found at ${guest}`, { path: guest });
  const p = nodePty.spawn(process.execPath, [guest, JSON.stringify(payload)], {
    name: 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    cwd: c.stateDir,
    // ELECTRON_RUN_AS_NODE lets Electron's own binary run the script as plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', TERM: 'xterm-256color' },
  });
  if (domid !== null) {
    const set = c.consoles.get(domid) ?? new Set<nodePty.IPty>();
    set.add(p);
    c.consoles.set(domid, set);
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
}
