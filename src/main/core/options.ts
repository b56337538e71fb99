/** How the app was asked to run, from its command line and environment. */
export interface AppOptions {
  /** Serve the UI in a browser instead of opening a window. */
  web: boolean;
  /** Force the built-in demo host. */
  demo: boolean;
  /** Manage a remote host over SSH: user@host. */
  sshTarget: string | null;
  sshPort: number | null;
  sshIdentity: string | null;
  /** Extra ssh options, each KEY=VALUE (--ssh-option, repeatable). */
  sshOptions: string[];
  /** Browser mode: address to listen on (loopback unless explicitly given). */
  listen: string;
  port: number;
  /** Demo host: how many domains to seed. */
  demoDomains: number | null;
  /** Demo host: where its state lives. */
  demoStateDir: string | null;
  /** Open the browser-mode URL in the system browser. */
  open: boolean;
}

/** Thrown for a bad command line; the message names the flag. */
export class UsageError extends Error {}

const SSH_TARGET = /^[A-Za-z0-9._-]+@[A-Za-z0-9.:_-]+$|^[A-Za-z0-9._-]+$/;

/** Parses argv (without the program names) and env into AppOptions. */
export function parseAppOptions(argv: readonly string[], env: Record<string, string | undefined>): AppOptions {
  const o: AppOptions = {
    web: false,
    demo: env['XENITH_DEMO'] === '1',
    sshTarget: env['XENITH_HOST'] ?? null,
    sshPort: null,
    sshIdentity: null,
    sshOptions: [],
    listen: '127.0.0.1',
    port: 0,
    demoDomains: null,
    demoStateDir: env['XENITH_DEMO_STATE'] ?? null,
    open: false,
  };
  const n = env['XENITH_DEMO_DOMAINS'];
  if (n !== undefined && n !== '') {
    const v = Number(n);
    if (!Number.isInteger(v) || v < 0 || v > 5000) throw new UsageError('XENITH_DEMO_DOMAINS must be a whole number from 0 to 5000');
    o.demoDomains = v;
  }
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '--web':
        o.web = true;
        break;
      case '--demo':
        o.demo = true;
        break;
      case '--open':
        o.open = true;
        break;
      case '--host':
        o.sshTarget = take();
        break;
      case '--ssh-port': {
        const p = Number(take());
        if (!Number.isInteger(p) || p < 1 || p > 65535) throw new UsageError('--ssh-port must be a port number');
        o.sshPort = p;
        break;
      }
      case '--ssh-key':
        o.sshIdentity = take();
        break;
      case '--ssh-option': {
        const v = take();
        if (!/^[A-Za-z]+=[^\s\0]+$/.test(v)) throw new UsageError('--ssh-option must look like Key=Value');
        o.sshOptions.push(v);
        break;
      }
      case '--listen':
        o.listen = take();
        break;
      case '--port': {
        const p = Number(take());
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new UsageError('--port must be a port number (0 for any free port)');
        o.port = p;
        break;
      }
      case '--demo-state':
        o.demoStateDir = take();
        break;
      default:
        // Electron and Chromium add their own switches; ignore anything that is not ours.
        break;
    }
  }
  if (o.sshTarget !== null && !SSH_TARGET.test(o.sshTarget)) throw new UsageError('--host must look like user@host');
  if (o.sshTarget !== null && o.demo) throw new UsageError('--host and --demo cannot be used together');
  return o;
}

/** Facts about this machine that decide which toolstack to use. */
export interface MachineFacts {
  hasXenCapabilities: boolean;
  isRoot: boolean;
  hasPkexec: boolean;
}

/** Which toolstack the app connects to. */
export type ToolstackChoice =
  | { kind: 'demo'; reason: string }
  | { kind: 'ssh'; target: string; port: number | null; identity: string | null; options?: string[] }
  | { kind: 'local'; reason: string }
  | { kind: 'broker'; reason: string };

/** Local Xen when present (/proc/xen/capabilities), the demo host otherwise; --demo and --host override. */
export function chooseToolstack(o: AppOptions, m: MachineFacts): ToolstackChoice {
  if (o.demo) return { kind: 'demo', reason: 'asked for with --demo' };
  if (o.sshTarget) return { kind: 'ssh', target: o.sshTarget, port: o.sshPort, identity: o.sshIdentity, options: o.sshOptions };
  if (!m.hasXenCapabilities) return { kind: 'demo', reason: 'no Xen on this machine' };
  if (m.isRoot) return { kind: 'local', reason: 'running as root in dom0' };
  return { kind: 'broker', reason: 'xl needs root: using the privileged broker' };
}
