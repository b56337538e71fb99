// Boots and stops the Xen 4.17 test host under QEMU (TCG), per ../shared/xen/TESTHOST.md.
// Plain ESM JavaScript so that scripts/test-xen.mjs can import it on Node 20 without a TS loader.
//
// CLI (for working by hand):
//   node test/xenhost/host.mjs image          build or reuse the image, print its cache dir
//   node test/xenhost/host.mjs start          boot (snapshot when present), print env lines, leave it running
//   node test/xenhost/host.mjs stop RUNDIR    stop a host started with `start`
import { spawn, spawnSync } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync, constants, renameSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SNAPSHOT = 'ready';

/** Seconds elapsed since `t0` (from performance.now()), one decimal. */
export function since(t0) {
  return Math.round((performance.now() - t0) / 100) / 10;
}

function log(msg) {
  process.stderr.write(`[xenhost ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A positive number of seconds from env var `name`, else `fallback`. */
function envSeconds(name, fallback) {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * Runs `fn` while holding an exclusive flock(1) on `lockFile`, so that parallel `npm run test:xen` runs do
 * not build the same image or take the same first-boot snapshot twice. The lock is held by a `cat` under
 * flock that exits when its stdin closes, so it is released even if this process dies.
 */
export async function withLock(lockFile, fn) {
  mkdirSync(dirname(lockFile), { recursive: true });
  const holder = spawn('flock', ['-x', lockFile, '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((res, rej) => {
    let waited = false;
    const timer = setTimeout(() => {
      waited = true;
      log(`waiting for ${lockFile} (another run is building or booting)`);
    }, 2000);
    holder.stdout.once('data', () => {
      clearTimeout(timer);
      if (waited) log(`got ${lockFile}`);
      res();
    });
    holder.once('error', rej);
    holder.once('exit', (code) => rej(new Error(`flock ${lockFile} exited ${code}`)));
  });
  try {
    return await fn();
  } finally {
    holder.removeAllListeners('exit');
    holder.stdin.end();
  }
}

/** Builds the image or reuses the cached one; resolves to {dir, cached, seconds, timings}. */
export async function ensureImage() {
  const t0 = performance.now();
  const where = spawnSync('bash', [join(HERE, 'build-image.sh'), '--print-dir'], { encoding: 'utf8' });
  const expected = where.stdout.trim();
  if (!expected) throw new Error(`build-image.sh --print-dir failed: ${where.stderr}`);
  return withLock(`${expected}.lock`, () => buildImage(t0, expected));
}

async function buildImage(t0, expected) {
  const cached = existsSync(join(expected, 'READY'));
  const out = await new Promise((res, rej) => {
    const child = spawn('bash', [join(HERE, 'build-image.sh')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', rej);
    child.on('exit', (code) => (code === 0 ? res(stdout) : rej(new Error(`build-image.sh failed (exit ${code})`))));
  });
  const dir = out.trim().split('\n').pop();
  if (!dir || !existsSync(join(dir, 'READY'))) throw new Error(`build-image.sh printed no image dir: ${out}`);
  const timings = readFileSync(join(dir, 'timings.tsv'), 'utf8');
  return { dir, cached, seconds: since(t0), timings };
}

/** A free TCP port on 127.0.0.1 (there is a small race until QEMU binds it; fine for a test host). */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => res(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** ssh argv (without the remote command) for the test host. */
export function sshArgs({ port, key }) {
  return [
    '-i', key, '-p', String(port),
    '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
    // A throwaway VM on loopback whose host key changes with every image build.
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
    '-o', 'ConnectTimeout=10',
    'root@127.0.0.1',
  ];
}

/** Runs a remote command once; resolves to {code, stdout, stderr}. */
export function ssh(host, command, timeoutMs = 30_000) {
  return new Promise((res) => {
    const child = spawn('ssh', [...sshArgs(host), command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Polls `xl info` over ssh until it answers or `timeoutMs` passes; resolves to the seconds waited. */
export async function waitForXl(host, timeoutMs, qemu) {
  const t0 = performance.now();
  let last = '';
  while (performance.now() - t0 < timeoutMs) {
    if (qemu && qemu.exitCode !== null) throw new Error(`QEMU exited (${qemu.exitCode}) while waiting for ssh`);
    const r = await ssh(host, 'xl info >/dev/null && echo XL-OK', 15_000);
    if (r.code === 0 && r.stdout.includes('XL-OK')) return since(t0);
    last = (r.stderr || r.stdout).trim();
    await sleep(2000);
  }
  throw new Error(`xl info did not answer over ssh within ${timeoutMs / 1000}s (last: ${last})`);
}

/** Sends one HMP command on the monitor socket and resolves to its output. */
export function monitor(sock, command, timeoutMs = 120_000) {
  return new Promise((res, rej) => {
    const conn = createConnection(sock);
    let buf = '';
    let sent = false;
    const timer = setTimeout(() => {
      conn.destroy();
      rej(new Error(`monitor command "${command}" timed out`));
    }, timeoutMs);
    conn.on('data', (d) => {
      buf += d.toString();
      if (!sent && buf.includes('(qemu) ')) {
        sent = true;
        buf = '';
        conn.write(`${command}\n`);
      } else if (sent && (buf.includes('(qemu) ') || command === 'quit')) {
        clearTimeout(timer);
        conn.end();
        // Drop the echoed command line (HMP echoes with cursor escapes) and the prompt.
        res(buf.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split(/\r?\n/).slice(1).join('\n').replace('(qemu) ', '').trim());
      }
    });
    conn.on('error', (e) => {
      clearTimeout(timer);
      // quit closes the socket under us: that is success.
      if (command === 'quit') res('');
      else rej(e);
    });
    conn.on('close', () => {
      clearTimeout(timer);
      if (command === 'quit') res('');
    });
  });
}

/** Size of dom0's second, empty disk (/dev/vdb), which storage tests turn into an LVM volume group. */
const SPARE_SIZE = '4G';

function qemuArgs({ dir, disk, spare, port, runDir, loadvm }) {
  const args = [
    '-name', 'xenith-testhost',
    '-accel', 'tcg,thread=multi', '-cpu', 'qemu64,+svm', '-m', '3072', '-smp', '2',
    '-kernel', join(dir, 'xen'),
    '-append', 'dom0_mem=1024M,max:1024M dom0_max_vcpus=2 console=com1 com1=115200,8n1 noreboot',
    // Only this multiboot module list is split on commas: no doubled commas anywhere (TESTHOST pitfalls).
    '-initrd', `${join(dir, 'vmlinuz')} root=/dev/vda rw console=hvc0 earlyprintk=xen net.ifnames=0 nomodeset,${join(dir, 'initrd.img')}`,
    '-drive', `file=${disk},if=virtio,format=qcow2,cache=unsafe`,
    // The spare disk is in the snapshot too (loadvm needs every writable drive to hold it).
    '-drive', `file=${spare},if=virtio,format=qcow2,cache=unsafe`,
    '-netdev', `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${port}-:22`,
    '-device', 'virtio-net-pci,netdev=n0',
    '-serial', `file:${join(runDir, 'serial.log')}`,
    '-monitor', `unix:${join(runDir, 'monitor.sock')},server,nowait`,
    '-display', 'none', '-no-reboot',
    '-pidfile', join(runDir, 'qemu.pid'),
  ];
  if (loadvm) args.push('-loadvm', loadvm);
  return args;
}

/**
 * Niceness for QEMU (XENITH_TESTHOST_NICE; default -5 as root, else 0). Xen's hotplug scripts have a fixed
 * 40 s timeout in libxl, and on a 2-core machine shared with other jobs a TCG dom0 at equal priority
 * reaches it; a small boost keeps xl create with disk+vif within it.
 */
function niceness() {
  const v = Number(process.env.XENITH_TESTHOST_NICE);
  if (process.env.XENITH_TESTHOST_NICE && Number.isInteger(v)) return v;
  return process.getuid?.() === 0 ? -5 : 0;
}

function launch(opts) {
  const out = join(opts.runDir, 'qemu.log');
  writeFileSync(out, '');
  // nice(1) execs QEMU, so every QEMU thread inherits the niceness and the pid stays the same.
  const child = spawn('nice', ['-n', String(niceness()), 'qemu-system-x86_64', ...qemuArgs(opts)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.on('data', (d) => writeFileSync(out, d, { flag: 'a' }));
  return child;
}

function waitExit(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((res) => {
    const timer = setTimeout(() => res(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      res(true);
    });
  });
}

/**
 * First boot: boots the raw image through a qcow2 overlay, waits for `xl info`, and saves the
 * running machine as internal snapshot `ready` in <dir>/ready.qcow2. Resolves to the seconds taken.
 * The boot takes 77-112 s on an idle 2-core machine but over 4 min when other jobs share the cores,
 * hence the generous default (XENITH_TESTHOST_BOOT_TIMEOUT_S); it happens once per image.
 */
export async function makeSnapshot(dir, { bootTimeoutMs = envSeconds('XENITH_TESTHOST_BOOT_TIMEOUT_S', 600) * 1000 } = {}) {
  const t0 = performance.now();
  const runDir = join(dir, 'snapshot-run');
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const tmp = join(dir, 'ready.qcow2.tmp');
  rmSync(tmp, { force: true });
  const img = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', join(dir, 'disk.img'), '-F', 'raw', tmp], { encoding: 'utf8' });
  if (img.status !== 0) throw new Error(`qemu-img create failed: ${img.stderr}`);
  const spareTmp = join(dir, 'ready-spare.qcow2.tmp');
  const sp = spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', spareTmp, SPARE_SIZE], { encoding: 'utf8' });
  if (sp.status !== 0) throw new Error(`qemu-img create (spare disk) failed: ${sp.stderr}`);
  const port = await freePort();
  const host = { port, key: join(dir, 'id_ed25519') };
  const child = launch({ dir, disk: tmp, spare: spareTmp, port, runDir });
  try {
    log(`first boot (TCG), serial log at ${join(runDir, 'serial.log')}`);
    const waited = await waitForXl(host, bootTimeoutMs, child);
    log(`xl info answered after ${waited}s; letting boot jobs finish`);
    const t1 = performance.now();
    const state = await ssh(host, 'timeout 120 systemctl is-system-running --wait; sync', 150_000);
    log(`system ${state.stdout.trim() || 'state unknown'} after ${since(t1)}s more; savevm ${SNAPSHOT}`);
    const saved = await monitor(join(runDir, 'monitor.sock'), `savevm ${SNAPSHOT}`);
    if (saved) log(`savevm said: ${saved}`);
    const info = await monitor(join(runDir, 'monitor.sock'), 'info snapshots');
    if (!info.includes(SNAPSHOT)) throw new Error(`snapshot missing after savevm: ${info}`);
    await monitor(join(runDir, 'monitor.sock'), 'quit');
    await waitExit(child, 30_000);
    renameSync(spareTmp, join(dir, 'ready-spare.qcow2'));
    renameSync(tmp, join(dir, 'ready.qcow2'));
    rmSync(runDir, { recursive: true, force: true });
    return since(t0);
  } catch (e) {
    child.kill('SIGKILL');
    log(`first boot failed; serial log kept at ${join(runDir, 'serial.log')}`);
    throw e;
  }
}

/** Takes the first-boot snapshot unless <dir>/ready.qcow2 exists; resolves to the seconds taken, or 0. */
export async function ensureSnapshot(dir) {
  return withLock(join(dir, 'snapshot.lock'), async () => (existsSync(join(dir, 'ready.qcow2')) ? 0 : makeSnapshot(dir)));
}

/**
 * Starts a host from the `ready` snapshot on a private copy of ready.qcow2, so the cached snapshot is
 * never written (an internal snapshot is not visible through a qcow2 backing chain, hence a copy,
 * reflinked where the filesystem can). Resolves to a handle with env for the suite.
 */
export async function startHost(dir, { resumeTimeoutMs = envSeconds('XENITH_TESTHOST_RESUME_TIMEOUT_S', 120) * 1000 } = {}) {
  if (!existsSync(join(dir, 'ready.qcow2'))) throw new Error('no ready.qcow2: call makeSnapshot first');
  mkdirSync(join(dir, 'runs'), { recursive: true });
  pruneRuns(dir);
  const runDir = await mkdtemp(join(dir, 'runs', 'run-'));
  const disk = join(runDir, 'disk.qcow2');
  copyFileSync(join(dir, 'ready.qcow2'), disk, constants.COPYFILE_FICLONE);
  const spare = join(runDir, 'spare.qcow2');
  copyFileSync(join(dir, 'ready-spare.qcow2'), spare, constants.COPYFILE_FICLONE);
  const port = await freePort();
  const key = join(dir, 'id_ed25519');
  const host = { port, key };
  const child = launch({ dir, disk, spare, port, runDir, loadvm: SNAPSHOT });
  const handle = {
    dir, runDir, port, key, child,
    env: {
      XENITH_TEST_HOST: 'root@127.0.0.1',
      XENITH_TEST_PORT: String(port),
      XENITH_TEST_KEY: key,
      // QEMU's monitor (HMP): host specs freeze and thaw the whole host with `stop` / `cont` on it.
      XENITH_TEST_MONITOR: join(runDir, 'monitor.sock'),
    },
  };
  writeFileSync(join(runDir, 'env'), Object.entries(handle.env).map(([k, v]) => `${k}=${v}\n`).join(''));
  try {
    await waitForXl(host, resumeTimeoutMs, child);
    // dom0's clock resumes at the snapshot time.
    const now = Math.floor(Date.now() / 1000);
    const r = await ssh(host, `date -u -s @${now} >/dev/null && date -u +%s`);
    if (r.code !== 0) log(`could not set dom0 clock: ${r.stderr.trim()}`);
  } catch (e) {
    await stopHost(handle, { mode: 'kill' });
    throw e;
  }
  return handle;
}

/**
 * Removes run directories left by runs that died without stopping (SIGKILL, a crash): no live QEMU from
 * their pidfile and older than 10 minutes, so a run that is just starting is never touched.
 */
function pruneRuns(dir) {
  const runs = join(dir, 'runs');
  for (const name of readdirSync(runs)) {
    const runDir = join(runs, name);
    const pid = pidFromFile(runDir);
    const ageMs = Date.now() - statSync(runDir).mtimeMs;
    if ((pid === undefined || !alive(pid)) && ageMs > 10 * 60_000) {
      log(`removing stale ${runDir}`);
      rmSync(runDir, { recursive: true, force: true });
    }
  }
}

function pidFromFile(runDir) {
  try {
    const pid = Number(readFileSync(join(runDir, 'qemu.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the host and removes its run directory. mode 'quit' (default: the disk is a throwaway copy, so a
 * clean guest shutdown buys nothing) asks QEMU to quit on the monitor; 'poweroff' runs `systemctl poweroff`
 * over ssh and waits up to 40 s. Either way the pidfile's QEMU is killed if still there.
 */
export async function stopHost(handle, { mode = process.env.XENITH_TESTHOST_STOP || 'quit', keepRunDir = false } = {}) {
  const { runDir } = handle;
  const pid = pidFromFile(runDir) ?? handle.child?.pid;
  const gone = async (ms) => {
    const t0 = performance.now();
    while (pid && alive(pid) && performance.now() - t0 < ms) await sleep(250);
    return !pid || !alive(pid);
  };
  try {
    if (mode === 'poweroff' && handle.port) {
      await ssh({ port: handle.port, key: handle.key }, 'systemctl poweroff', 15_000);
      await gone(40_000);
    } else if (mode === 'quit') {
      await monitor(join(runDir, 'monitor.sock'), 'quit', 10_000).catch(() => undefined);
      await gone(10_000);
    }
  } finally {
    if (pid && alive(pid)) {
      process.kill(pid, 'SIGTERM');
      if (!(await gone(5000)) && alive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (!keepRunDir) {
      // Keep the logs of the last run next to the image for post-mortems; drop the big disk copy.
      const last = join(handle.dir, 'last-run');
      rmSync(last, { recursive: true, force: true });
      mkdirSync(last, { recursive: true });
      for (const f of ['serial.log', 'qemu.log']) {
        if (existsSync(join(runDir, f))) copyFileSync(join(runDir, f), join(last, f));
      }
      rmSync(runDir, { recursive: true, force: true });
    }
  }
}

async function main(argv) {
  const [cmd, arg] = argv;
  if (cmd === 'image') {
    const img = await ensureImage();
    process.stdout.write(`${img.dir}\n`);
  } else if (cmd === 'start') {
    const img = await ensureImage();
    await ensureSnapshot(img.dir);
    const h = await startHost(img.dir);
    h.child.unref();
    h.child.stderr.destroy();
    process.stdout.write(`XENITH_TEST_RUNDIR=${h.runDir}\n${Object.entries(h.env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  } else if (cmd === 'stop' && arg) {
    const runDir = resolve(arg);
    const env = Object.fromEntries(readFileSync(join(runDir, 'env'), 'utf8').trim().split('\n').map((l) => l.split('=')));
    await stopHost({ dir: resolve(runDir, '..', '..'), runDir, port: Number(env.XENITH_TEST_PORT), key: env.XENITH_TEST_KEY });
  } else {
    process.stderr.write('usage: host.mjs image | start | stop RUNDIR\n');
    process.exitCode = 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((e) => {
    log(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
