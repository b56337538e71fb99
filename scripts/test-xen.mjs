// `npm run test:xen`: the host suite against a real Xen 4.17 (QEMU/TCG dom0 built from test/xenhost/).
// Ensures the image (build or cache hit), boots it from its saved snapshot, runs `vitest --project xenhost`,
// always stops QEMU, and prints how long each phase took. Exits with the suite's exit code.
//
// With XENITH_TEST_HOST already set (a real dom0 over SSH), it skips the image and the VM and runs the suite.
// Extra arguments go to vitest (e.g. `npm run test:xen -- host-smoke`).
import { spawn } from 'node:child_process';
import { ensureImage, ensureSnapshot, startHost, stopHost, since } from '../test/xenhost/host.mjs';

const phases = [];
/** The running vitest, killed too when we are interrupted. */
let suiteChild;
function phase(name, seconds, note = '') {
  phases.push({ name, seconds, note });
  process.stderr.write(`[test:xen] ${name}: ${seconds}s${note ? ` (${note})` : ''}\n`);
}

function runSuite(env, extra) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['vitest', 'run', '--project', 'xenhost', ...extra], {
      stdio: 'inherit',
      env: { ...process.env, ...env },
    });
    suiteChild = child;
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function summary() {
  const width = Math.max(...phases.map((p) => p.name.length));
  process.stderr.write('\n[test:xen] phase timings\n');
  for (const p of phases) {
    process.stderr.write(`  ${p.name.padEnd(width)}  ${String(p.seconds).padStart(7)} s  ${p.note}\n`);
  }
}

async function main() {
  const extra = process.argv.slice(2);
  if (process.env.XENITH_TEST_HOST) {
    process.stderr.write(`[test:xen] using existing host ${process.env.XENITH_TEST_HOST} (no VM)\n`);
    const t0 = performance.now();
    const code = await runSuite({}, extra);
    phase('suite', since(t0), `exit ${code}`);
    summary();
    return code;
  }

  let t0 = performance.now();
  const img = await ensureImage();
  phase('image', since(t0), img.cached ? 'cache hit' : 'built');
  if (!img.cached) process.stderr.write(`[test:xen] build steps (name, seconds, rc):\n${img.timings}`);

  t0 = performance.now();
  const snap = await ensureSnapshot(img.dir);
  if (snap > 0) phase('first boot + savevm', snap);

  t0 = performance.now();
  const host = await startHost(img.dir);
  phase('boot (loadvm)', since(t0), `ssh port ${host.port}`);

  // One stop, however many paths ask for it (the suite ending and a signal can race); all wait for it.
  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      const ts = performance.now();
      await stopHost(host);
      phase('stop', since(ts));
    })();
    return stopping;
  };
  // Ctrl-C / kill: QEMU must not outlive the run.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`[test:xen] ${sig}: stopping the suite and QEMU\n`);
      if (suiteChild && suiteChild.exitCode === null) suiteChild.kill('SIGTERM');
      stop().finally(() => process.exit(130));
    });
  }

  let code = 1;
  try {
    t0 = performance.now();
    code = await runSuite(host.env, extra);
    phase('suite', since(t0), `exit ${code}`);
  } finally {
    await stop();
  }
  summary();
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`[test:xen] ${e instanceof Error ? e.message : String(e)}\n`);
    summary();
    process.exit(1);
  },
);
