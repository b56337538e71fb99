// Helpers for the host suite: where the Xen host is, running commands on it over one reused ssh
// connection, and cleaning up domains the tests created. Kept apart from the specs so that the suite can
// later switch to src/xen's SSH runner (createSshRunner({target, port, identityFile})) in one place.
import { spawn } from 'node:child_process';
import { describe } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the suite's Xen host is, from XENITH_TEST_HOST / XENITH_TEST_PORT / XENITH_TEST_KEY. */
export interface TestHost {
  /** ssh destination, e.g. root@127.0.0.1 or root@dom0 */
  target: string;
  port: number;
  /** identity file; undefined means ssh's defaults/agent */
  identityFile: string | undefined;
  /** dom0 directory holding the busybox guest's vmlinuz and initrd.gz */
  guestDir: string;
  /** bridge the test guest's vif joins */
  bridge: string;
}

/** The configured test host, or undefined when the suite should skip (no XENITH_TEST_HOST). */
export function testHost(env: NodeJS.ProcessEnv = process.env): TestHost | undefined {
  const target = env.XENITH_TEST_HOST;
  if (!target) return undefined;
  return {
    target,
    port: Number(env.XENITH_TEST_PORT ?? 22),
    identityFile: env.XENITH_TEST_KEY || undefined,
    guestDir: env.XENITH_TEST_GUEST_DIR ?? '/var/lib/xenith-test',
    bridge: env.XENITH_TEST_BRIDGE ?? 'xenbr0',
  };
}

// Stands in when no host is configured: the suite body is still collected, but every test is skipped.
const NO_HOST: TestHost = { target: 'unset', port: 22, identityFile: undefined, guestDir: '/nonexistent', bridge: 'none' };

/** A describe block that receives the test host, skipped (with its tests listed) when XENITH_TEST_HOST is unset. */
export function describeHost(name: string, body: (host: TestHost) => void): void {
  const host = testHost();
  describe.skipIf(!host)(name, () => body(host ?? NO_HOST));
}

/** Result of one remote command. */
export interface RemoteResult {
  code: number;
  stdout: string;
  stderr: string;
  /** true when the local timeout killed ssh */
  timedOut: boolean;
}

/** Quotes one argument for the remote POSIX shell (ssh joins its argv into a single command line). */
export function shQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * ssh argv up to and including the destination. A ControlMaster connection is shared by every command
 * (a new connection costs ~2 s under TCG, a reused one ~0.4 s).
 */
export function sshBaseArgs(host: TestHost): string[] {
  const args = [
    '-p', String(host.port),
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=15',
    '-o', 'ControlMaster=auto',
    // %C hashes host/port/user, keeping the socket path short and distinct per host.
    '-o', `ControlPath=${join(tmpdir(), 'xenith-ssh-%C')}`,
    '-o', 'ControlPersist=120',
    '-o', 'ServerAliveInterval=15',
  ];
  if (host.identityFile) args.push('-i', host.identityFile, '-o', 'IdentitiesOnly=yes');
  if (host.target.endsWith('@127.0.0.1')) {
    // The QEMU test host: a throwaway VM whose host key changes with each image build.
    args.push('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR');
  }
  args.push(host.target);
  return args;
}

/** Options for {@link remote}. */
export interface RemoteOptions {
  timeoutMs?: number;
  /** written to the remote command's stdin */
  input?: string;
}

/** Runs argv on the host (each element quoted), resolving with its exit code and output; never rejects. */
export function remote(host: TestHost, argv: string[], opts: RemoteOptions = {}): Promise<RemoteResult> {
  const { timeoutMs = 60_000, input } = opts;
  return new Promise((resolve) => {
    const child = spawn('ssh', [...sshBaseArgs(host), '--', argv.map(shQuote).join(' ')], {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (input !== undefined) child.stdin?.end(input);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, timedOut });
    });
  });
}

/** Like {@link remote} but rejects unless the command exits 0, naming the command and its stderr. */
export async function remoteOk(host: TestHost, argv: string[], opts: RemoteOptions = {}): Promise<string> {
  const r = await remote(host, argv, opts);
  if (r.code !== 0 || r.timedOut) {
    throw new Error(`${argv.join(' ')} -> ${r.timedOut ? 'timed out' : `exit ${r.code}`}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/**
 * Collects a remote command's stdout until `until` matches it or `timeoutMs` passes, then kills ssh.
 * For commands that never exit by themselves (`xl console` without a tty streams forever).
 */
export function remoteCollect(host: TestHost, argv: string[], until: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('ssh', [...sshBaseArgs(host), '--', argv.map(shQuote).join(' ')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const finish = (): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(out);
    };
    const timer = setTimeout(finish, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) finish();
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `xl list NAME` until it succeeds (`present`) or fails (`!present`); rejects after `timeoutMs`. */
export async function waitForDomain(host: TestHost, name: string, present: boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const r = await remote(host, ['xl', 'list', name], { timeoutMs: 20_000 });
    if ((r.code === 0) === present) return;
    await sleep(1000);
  }
  throw new Error(`domain ${name} still ${present ? 'absent' : 'present'} after ${timeoutMs / 1000}s`);
}

/** Destroys a test domain if it exists and waits until its name is gone (xl create of the same name fails until then). */
export async function destroyIfPresent(host: TestHost, name: string): Promise<void> {
  const r = await remote(host, ['xl', 'list', name], { timeoutMs: 20_000 });
  if (r.code !== 0) return;
  // Destroying a domain with devices runs the hotplug scripts' offline half: slow under TCG.
  await remote(host, ['xl', 'destroy', name], { timeoutMs: 180_000 });
  await waitForDomain(host, name, false, 120_000);
}

/** Closes the shared ssh connection (call from afterAll). */
export async function closeConnection(host: TestHost): Promise<void> {
  await new Promise<void>((resolve) => {
    const child = spawn('ssh', ['-O', 'exit', ...sshBaseArgs(host)], { stdio: 'ignore' });
    child.on('close', () => resolve());
    child.on('error', () => resolve());
  });
}

/** Parses `key : value` lines of `xl info` (enough for the smoke test; src/xen has the real parser). */
export function infoField(xlInfo: string, key: string): string | undefined {
  for (const line of xlInfo.split('\n')) {
    const m = /^(\S+)\s*:\s?(.*)$/.exec(line);
    if (m && m[1] === key) return m[2]?.trim();
  }
  return undefined;
}

/** Devices of the busybox test guest; none by default (xl create then skips the slow hotplug scripts). */
export interface TestGuestDevices {
  /** dom0 path of a (sparse) file attached as xvda */
  disk?: string;
  /** add a vif on the host's bridge */
  vif?: boolean;
}

/** xl.cfg text for the busybox PV test guest (captures/test1.cfg with this host's paths). */
export function testGuestConfig(host: TestHost, name: string, devices: TestGuestDevices = {}): string {
  const lines = [
    `name = "${name}"`,
    'type = "pv"',
    `kernel = "${host.guestDir}/vmlinuz"`,
    `ramdisk = "${host.guestDir}/initrd.gz"`,
    'extra = "console=hvc0 quiet"',
    'memory = 128',
    'maxmem = 256',
    'vcpus = 1',
    'maxvcpus = 2',
  ];
  if (devices.disk) lines.push(`disk = [ 'file:${devices.disk},xvda,w' ]`);
  if (devices.vif) lines.push(`vif = [ 'bridge=${host.bridge}' ]`);
  lines.push('on_poweroff = "destroy"', 'on_reboot = "restart"', 'on_crash = "destroy"', '');
  return lines.join('\n');
}
