// Refreshes test/fixtures/ from a running Xen host: each file's first line is `$ <command line>`,
// the rest the command's output verbatim (what test/fixtures/load.ts `loadFixture` expects).
//
//   XENITH_TEST_HOST=root@127.0.0.1 XENITH_TEST_PORT=PORT XENITH_TEST_KEY=KEY node scripts/capture-fixtures.mjs [--out DIR] [file...]
//   node scripts/capture-fixtures.mjs --boot      boot the QEMU test host for the capture, then stop it
//
// Only files for the commands below are (re)written; other fixtures are left alone. A command that exits
// non-zero is reported and its fixture is not written, unless it is listed in `allowFail`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Fixture file name -> command line run in dom0 (names match the captures the parsers are tested on). */
export const FIXTURES = {
  'xl-info.txt': 'xl info',
  'xl-list.txt': 'xl list',
  'xl-list-l.json': 'xl list -l',
  'xl-list-v.txt': 'xl list -v',
  'xl-vcpu-list.txt': 'xl vcpu-list',
  'xl-uptime.txt': 'xl uptime',
  'xl-dmesg.txt': 'xl dmesg',
  'xentop-b.txt': 'xentop -b -i 2 -d 1',
  'xl-network-list-0.txt': 'xl network-list 0',
  'xl-block-list-0.txt': 'xl block-list 0',
  'xl-sched-credit2.txt': 'xl sched-credit2',
  'xenstore-ls-local-domain-0.txt': 'xenstore-ls -f /local/domain/0',
  'ip-j-s-d-link-show.txt': 'ip -j -s -d link show',
  'ip-j-neigh-show.txt': 'ip -j neigh show',
};

function sshArgs(env) {
  const args = ['-p', env.XENITH_TEST_PORT ?? '22', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15'];
  // One connection for all commands: a new ssh session costs ~2 s against the TCG host, a reused one ~0.4 s.
  args.push('-o', 'ControlMaster=auto', '-o', `ControlPath=${join(tmpdir(), 'xenith-capture-%C')}`, '-o', 'ControlPersist=30');
  if (env.XENITH_TEST_KEY) args.push('-i', env.XENITH_TEST_KEY, '-o', 'IdentitiesOnly=yes');
  if (env.XENITH_TEST_HOST.endsWith('@127.0.0.1')) {
    args.push('-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR');
  }
  args.push(env.XENITH_TEST_HOST);
  return args;
}

/** Captures the selected fixtures into `outDir`; returns the number of failures. */
export function capture(env, outDir, names = Object.keys(FIXTURES)) {
  mkdirSync(outDir, { recursive: true });
  let failures = 0;
  for (const name of names) {
    const command = FIXTURES[name];
    if (!command) {
      process.stderr.write(`unknown fixture ${name}\n`);
      failures++;
      continue;
    }
    const t0 = performance.now();
    const r = spawnSync('ssh', [...sshArgs(env), command], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    if (r.status !== 0) {
      process.stderr.write(`FAIL ${name}: \`${command}\` exit ${r.status ?? r.signal} (${secs}s): ${(r.stderr ?? '').trim()}\n`);
      failures++;
      continue;
    }
    writeFileSync(join(outDir, name), `$ ${command}\n${r.stdout}`);
    process.stderr.write(`ok   ${name}  (${secs}s, ${r.stdout.length} bytes)\n`);
  }
  spawnSync('ssh', ['-O', 'exit', ...sshArgs(env)], { stdio: 'ignore', timeout: 15_000 });
  return failures;
}

async function main(argv) {
  let outDir = join(REPO, 'test', 'fixtures');
  let boot = false;
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') outDir = resolve(argv[++i] ?? '.');
    else if (a === '--boot') boot = true;
    else names.push(a);
  }
  if (!boot) {
    if (!process.env.XENITH_TEST_HOST) {
      process.stderr.write('set XENITH_TEST_HOST (and XENITH_TEST_PORT, XENITH_TEST_KEY) or pass --boot\n');
      return 2;
    }
    return capture(process.env, outDir, names.length ? names : undefined) ? 1 : 0;
  }
  const { ensureImage, ensureSnapshot, startHost, stopHost } = await import('../test/xenhost/host.mjs');
  const img = await ensureImage();
  await ensureSnapshot(img.dir);
  const host = await startHost(img.dir);
  try {
    return capture({ ...process.env, ...host.env }, outDir, names.length ? names : undefined) ? 1 : 0;
  } finally {
    await stopHost(host);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
