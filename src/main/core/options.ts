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
  /** Print the options and exit. */
  help: boolean;
  /** Demo host: forget its state and start from the seed again. */
  resetDemo: boolean;
}

/** Thrown for a bad command line; the message names the flag. */
export class UsageError extends Error {}

const SSH_TARGET = /^[A-Za-z0-9._-]+@[A-Za-z0-9.:_-]+$|^[A-Za-z0-9._-]+$/;

const portNumber = (v: string, min: number, message: string): number => {
  const p = Number(v);
  if (!Number.isInteger(p) || p < min || p > 65535) throw new UsageError(message);
  return p;
};

/** Each flag Xenith takes: switches ignore `take`, the others call it once for their value. */
const FLAGS: Record<string, (o: AppOptions, take: () => string) => void> = {
  '--help': (o) => void (o.help = true),
  '-h': (o) => void (o.help = true),
  '--reset-demo': (o) => void (o.resetDemo = true),
  '--web': (o) => void (o.web = true),
  '--demo': (o) => void (o.demo = true),
  '--open': (o) => void (o.open = true),
  '--host': (o, take) => void (o.sshTarget = take()),
  '--ssh-port': (o, take) => void (o.sshPort = portNumber(take(), 1, '--ssh-port must be a port number')),
  '--ssh-key': (o, take) => void (o.sshIdentity = take()),
  '--ssh-option': (o, take) => {
    const v = take();
    if (!/^[A-Za-z]+=[^\s\0]+$/.test(v)) throw new UsageError('--ssh-option must look like Key=Value');
    o.sshOptions.push(v);
  },
  '--listen': (o, take) => void (o.listen = take()),
  '--port': (o, take) => void (o.port = portNumber(take(), 0, '--port must be a port number (0 for any free port)')),
  '--demo-state': (o, take) => void (o.demoStateDir = take()),
};

/** The options the environment gives, before any flag. */
function optionsFromEnv(env: Record<string, string | undefined>): AppOptions {
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
    help: false,
    resetDemo: false,
  };
  const n = env['XENITH_DEMO_DOMAINS'];
  if (n !== undefined && n !== '') {
    const v = Number(n);
    if (!Number.isInteger(v) || v < 0 || v > 5000) throw new UsageError('XENITH_DEMO_DOMAINS must be a whole number from 0 to 5000');
    o.demoDomains = v;
  }
  return o;
}

/** Electron's and Chromium's own switches (and Node's inspector), which reach the app's argv and are not Xenith's. */
const PASS_THROUGH = [/^--(no-sandbox|enable-logging|disable-gpu|inspect(-brk)?|remote-debugging-port|ozone-platform(-hint)?|enable-features|disable-features|lang|user-data-dir|trace-warnings|disable-dev-shm-usage|enable-wayland-ime|v|vmodule)$/];

/** What `--help` prints: every option and environment variable, one line each. */
export function usageText(): string {
  return [
    'Usage: xenith [options]          (browser mode: npm run web -- [options])',
    '',
    'Which host:',
    '  --demo                 use the built-in demo host (the default when this machine has no Xen)',
    '  --host USER@HOST       manage a dom0 over SSH',
    '  --ssh-port N           SSH port (default 22)',
    '  --ssh-key FILE         SSH identity file',
    '  --ssh-option KEY=VALUE extra ssh option, repeatable (e.g. ProxyJump=bastion)',
    'Browser mode:',
    '  --web                  serve the UI to a browser instead of opening a window',
    '  --listen ADDRESS       address to listen on (default 127.0.0.1)',
    '  --port N               port (default: any free port)',
    '  --open                 open the page in the system browser',
    'Demo host:',
    '  --demo-state DIR       where the demo host keeps its state',
    '  --reset-demo           forget the demo host\'s state and start from its seed again',
    'Other:',
    '  -h, --help             print this and exit',
    '',
    'Environment: XENITH_HOST (as --host), XENITH_DEMO=1 (as --demo), XENITH_DEMO_STATE (as --demo-state),',
    '  XENITH_DEMO_DOMAINS=N (seed the demo host with N domains, 0-5000; kept apart from the default demo state),',
    '  XENITH_DATA_DIR (where Xenith keeps its data), XENITH_WEB_TOKEN (browser mode\'s token).',
  ].join('\n');
}

/** Parses argv (without the program names) and env into AppOptions. */
export function parseAppOptions(argv: readonly string[], env: Record<string, string | undefined>): AppOptions {
  const o = optionsFromEnv(env);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      i++;
      return v;
    };
    if (Object.hasOwn(FLAGS, flag)) FLAGS[flag]!(o, take);
    // Switches Electron and Chromium take pass through; any other option is a mistake worth saying so.
    else if (flag.startsWith('-') && !PASS_THROUGH.some((re) => re.test(flag))) throw new UsageError(`unknown option ${flag}\n\n${usageText()}`);
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
