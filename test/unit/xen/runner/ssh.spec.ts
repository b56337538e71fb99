import { existsSync, readFileSync, readdirSync, statSync, writeFileSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XenError, isUnreachable } from '../../../../src/xen/errors';
import { createSshExecutor as makeSshExecutor, quoteForRemoteShell, type SshRunnerOptions } from '../../../../src/xen/runner/ssh';
import type { Executor } from '../../../../src/xen/runner/types';
import { ARGV_JSON_SCRIPT, makeTempDir, writeScript } from './fake-bin';

/**
 * A stand-in for ssh: logs its own argv (NUL-separated) and behaves like ssh's multiplexing. ControlMaster=yes with -N
 * is a master: it "logs in" (a short pause), then creates its ControlPath and stays until killed or `-O exit`.
 * ControlMaster=auto becomes a master too when no socket exists yet (so two at once both become one, as in real ssh).
 * Every master is counted in LOG.masters; a ControlMaster=no call with no socket to use (a second, direct connection)
 * in LOG.direct. Otherwise it does what sshd does with the words after the target: hands them, joined by spaces, to
 * `sh -c`. So quoting is tested against a real shell.
 */
function fakeSsh(dir: string): { bin: string; log: string } {
  const log = path.join(dir, 'ssh.log');
  const bin = writeScript(
    dir,
    'ssh',
    `#!/bin/sh
printf '%s\\0' "$@" >> "${log}"
printf '\\n' >> "${log}"
cp=''; mode=''; op=''; prev=''
for a in "$@"; do
  case "$prev$a" in
    -oControlPath=*) cp="\${a#ControlPath=}" ;;
    -oControlMaster=*) mode="\${a#ControlMaster=}" ;;
  esac
  [ "$prev" = "-O" ] && op="$a"
  prev="$a"
done
if [ "$op" = exit ]; then [ -f "$cp.pid" ] && kill "$(cat "$cp.pid")"; exit 0; fi
[ -n "$op" ] && exit 0
if [ "$mode" = yes ]; then
  echo $$ > "$cp.pid"
  echo master >> "${log}.masters"
  trap 'rm -f "$cp" "$cp.pid"; exit 0' TERM
  sleep 0.2; : > "$cp"
  while :; do sleep 1 & wait $!; done
fi
if [ ! -e "$cp" ]; then
  if [ "$mode" = auto ]; then sleep 0.2; echo master >> "${log}.masters"; : > "$cp"; else echo direct >> "${log}.direct"; fi
fi
while [ $# -gt 0 ]; do
  if [ "$1" = "--" ]; then shift; break; fi
  shift
done
exec sh -c "$*"
`,
  );
  return { bin, log };
}

/** How many lines `file` has (0 when absent). */
function count(file: string): number {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
}

// Every executor a test makes is closed after it, so no (fake) ssh master outlives the test.
const made: Executor[] = [];
function createSshExecutor(o: SshRunnerOptions): Executor {
  const x = makeSshExecutor(o);
  made.push(x);
  return x;
}
afterEach(async () => {
  await Promise.all(made.splice(0).map((x) => x.close()));
});

/** Resolves once `cond` holds (polled), or fails the test after `ms`. */
async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Each logged ssh call as its argv. */
function calls(log: string): string[][] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\0').slice(0, -1));
}

let dir: string;
let remoteBin: string;
let ssh: { bin: string; log: string };
let marks: string;
beforeAll(() => {
  dir = makeTempDir();
  remoteBin = makeTempDir();
  marks = makeTempDir();
  writeScript(remoteBin, 'xl', ARGV_JSON_SCRIPT);
  ssh = fakeSsh(dir);
});

describe('quoteForRemoteShell', () => {
  it('single-quotes every word and escapes quotes as \'\\\'\'', () => {
    expect(quoteForRemoteShell(['xl', 'list'])).toBe("'xl' 'list'");
    expect(quoteForRemoteShell(["it's", ''])).toBe("'it'\\''s' ''");
  });
});

describe('createSshExecutor', () => {
  it('builds the exact ssh argv: one master started first (keep-alive, -N), then each command through it', async () => {
    const control = makeTempDir();
    const r = createSshExecutor({
      target: 'root@dom0',
      port: 2222,
      identityFile: '/home/u/.ssh/id_ed25519',
      controlDir: control,
      extraOptions: ['StrictHostKeyChecking=accept-new'],
      sshBinary: ssh.bin,
      remoteBinDir: remoteBin,
    });
    const before = existsSync(ssh.log) ? calls(ssh.log).length : 0;
    const res = await r.run('xl', ['list', '-l']);
    expect(JSON.parse(res.stdout)).toEqual(['list', '-l']);
    const sock = readdirSync(control).find((f) => f.startsWith('m-') && !f.endsWith('.pid'));
    expect(sock).toMatch(/^m-[0-9a-f]{16}$/);
    const login = [
      '-o', 'ServerAliveInterval=3', '-o', 'ServerAliveCountMax=3', '-o', 'ConnectTimeout=10',
      '-p', '2222',
      '-i', '/home/u/.ssh/id_ed25519',
      '-o', 'StrictHostKeyChecking=accept-new',
    ];
    expect(calls(ssh.log).slice(before)).toEqual([
      ['-o', 'BatchMode=yes', '-o', 'ControlMaster=yes', '-o', `ControlPath=${control}/${sock}`, '-o', 'ControlPersist=no', ...login, '-N', 'root@dom0'],
      ['-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', `ControlPath=${control}/${sock}`, ...login, 'root@dom0', '--', `'${remoteBin}/xl' 'list' '-l'`],
    ]);
    await r.close();
    expect(calls(ssh.log).at(-1)).toEqual(['-o', 'BatchMode=yes', '-o', 'ControlMaster=no', '-o', `ControlPath=${control}/${sock}`, ...login, '-O', 'exit', 'root@dom0']);
    await waitFor(() => !existsSync(path.join(control, sock!)));
  });

  it('carries commands started together over exactly ONE master, and starts one again when it died', async () => {
    const d = makeTempDir();
    const own = fakeSsh(d);
    const sbin = makeTempDir();
    writeScript(sbin, 'xl', ARGV_JSON_SCRIPT);
    writeScript(sbin, 'xentop', '#!/bin/sh\necho frame1\nexec sleep 30\n');
    const r = createSshExecutor({ target: 'dom0', sshBinary: own.bin, remoteBinDir: sbin, controlDir: d });
    const h = r.stream('xentop', ['-b', '-d', '1']);
    const firstFrame = new Promise<void>((resolve) => h.stdout.once('data', () => resolve()));
    const outs = await Promise.all([1, 2, 3, 4, 5].map((i) => r.run('xl', ['list', String(i)])));
    expect(outs.map((o) => JSON.parse(o.stdout) as unknown)).toEqual([1, 2, 3, 4, 5].map((i) => ['list', String(i)]));
    await firstFrame;
    // The fake ssh logs its call as it starts; on a loaded machine the stream's line may land just after its output.
    await waitFor(() => calls(own.log).length >= 7);
    expect(count(`${own.log}.masters`)).toBe(1);
    expect(count(`${own.log}.direct`)).toBe(0);
    const modes = calls(own.log).map((c) => c[c.indexOf('-o') + 3]);
    expect(modes.filter((m) => m === 'ControlMaster=yes')).toHaveLength(1);
    expect(modes.filter((m) => m === 'ControlMaster=no')).toHaveLength(6);
    h.kill();
    // The connection dies (the host went away and keep-alive gave up): the next command brings up a new master first.
    const pidFile = readdirSync(d).find((f) => f.endsWith('.pid'))!;
    process.kill(Number(readFileSync(path.join(d, pidFile), 'utf8')), 'SIGTERM');
    await waitFor(() => !existsSync(path.join(d, pidFile)));
    await Promise.all([r.run('xl', ['info']), r.run('xl', ['info'])]);
    expect(count(`${own.log}.masters`)).toBe(2);
    expect(count(`${own.log}.direct`)).toBe(0);
    await r.close();
  });

  it('reports a lost connection (ssh exit 255) of the stats stream as the host being unreachable', async () => {
    const sbin = makeTempDir();
    writeScript(sbin, 'xentop', '#!/bin/sh\necho frame1\nexit 255\n');
    const r = createSshExecutor({ target: 'dom0', sshBinary: ssh.bin, remoteBinDir: sbin, controlDir: makeTempDir() });
    const h = r.stream('xentop', ['-b', '-d', '1']);
    h.stdout.resume();
    const err = await h.exited.then(() => null, (e: unknown) => e);
    expect(isUnreachable(err)).toBe(true);
    expect((err as Error).message).toMatch(/^Lost the connection to dom0/);
    await r.close();
  });

  it('says a host that cannot be reached is unreachable, in ssh\'s words', async () => {
    const d = makeTempDir();
    const dead = writeScript(d, 'ssh', '#!/bin/sh\necho "ssh: connect to host dom0 port 22: Connection timed out" >&2\nexit 255\n');
    const r = createSshExecutor({ target: 'dom0', sshBinary: dead, controlDir: d });
    const err = await r.run('xl', ['info']).then(() => null, (e: unknown) => e);
    expect(isUnreachable(err)).toBe(true);
    expect(err).toMatchObject({ code: 'XL_FAILED', message: 'ssh: connect to host dom0 port 22: Connection timed out' });
    await r.close();
  });

  it('delivers hostile values as one literal argument each through a real remote shell, running nothing', async () => {
    const r = createSshExecutor({ target: 'root@dom0', sshBinary: ssh.bin, remoteBinDir: remoteBin, controlDir: dir });
    const m = (n: string) => path.join(marks, n);
    const hostile = [
      `a;touch ${m('semi')}`,
      `a' ; touch ${m('quote')} ; '`,
      'two words',
      `x\ntouch ${m('newline')}`,
      `$(touch ${m('subst')})`,
      `\`touch ${m('backtick')}\``,
      `"$(touch ${m('dq')})"`,
      '*',
      '~root',
      '$HOME',
      `a|touch ${m('pipe')}`,
      `a&&touch ${m('and')}`,
      '',
      '\\',
      "'",
      "''",
    ];
    const res = await r.run('xl', hostile);
    expect(JSON.parse(res.stdout)).toEqual(hostile);
    expect(readdirSync(marks)).toEqual([]);
  });

  it('throws XL_FAILED with the remote stderr for a failing command, and ABSENT programs as XL_NOT_FOUND', async () => {
    const bad = makeTempDir();
    writeScript(bad, 'xl', '#!/bin/sh\necho "nosuch is an invalid domain identifier (rc=-6)" >&2\nexit 1\n');
    const r = createSshExecutor({ target: 'dom0', sshBinary: ssh.bin, remoteBinDir: bad, controlDir: dir });
    await expect(r.run('xl', ['list', 'nosuch'])).rejects.toMatchObject({
      code: 'XL_FAILED',
      message: 'nosuch is an invalid domain identifier (rc=-6)',
      detail: { argv: ['xl', 'list', 'nosuch'], exitCode: 1 },
    });
    const none = createSshExecutor({ target: 'dom0', sshBinary: ssh.bin, remoteBinDir: makeTempDir(), controlDir: dir });
    await expect(none.run('xl', ['info'])).rejects.toMatchObject({ code: 'XL_NOT_FOUND' });
  });

  it('maps ssh\'s own failure (exit 255) to PERMISSION when keys are refused', async () => {
    const d = makeTempDir();
    const deny = writeScript(d, 'ssh', '#!/bin/sh\necho "root@dom0: Permission denied (publickey)." >&2\nexit 255\n');
    const r = createSshExecutor({ target: 'root@dom0', sshBinary: deny, controlDir: d });
    await expect(r.run('xl', ['info'])).rejects.toMatchObject({ code: 'PERMISSION', message: 'root@dom0: Permission denied (publickey).' });
    await expect(r.fs.readFile('/etc/xen/a.cfg')).rejects.toMatchObject({ code: 'PERMISSION' });
  });

  it('times out through the ssh process', async () => {
    const slow = makeTempDir();
    writeScript(slow, 'xl', '#!/bin/sh\nexec sleep 20\n');
    const r = createSshExecutor({ target: 'dom0', sshBinary: ssh.bin, remoteBinDir: slow, controlDir: dir });
    await expect(r.run('xl', ['create', 'x'], { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT', detail: { argv: ['xl', 'create', 'x'] } });
  });

  it('refuses a target that ssh would read as an option, and bad programs', async () => {
    expect(() => createSshExecutor({ target: '-oProxyCommand=touch /tmp/x' })).toThrow(XenError);
    expect(() => createSshExecutor({ target: 'root@dom0', port: 0 })).toThrow(XenError);
    expect(() => createSshExecutor({ target: 'root@dom0', extraOptions: ['-F /tmp/cfg'] })).toThrow(XenError);
    const r = createSshExecutor({ target: 'dom0', sshBinary: ssh.bin, controlDir: dir });
    await expect(r.run('bash' as 'xl', ['-c', 'id'])).rejects.toMatchObject({ code: 'INVALID_ARG' });
  });

  it('runs xl on a pty with ssh -tt', async () => {
    const r = createSshExecutor({ target: 'dom0', sshBinary: ssh.bin, remoteBinDir: remoteBin, controlDir: dir });
    const t = r.pty('xl', ['console', 'x; y'], { cols: 100, rows: 30 });
    let out = '';
    t.onData((d) => (out += d));
    expect(await new Promise<number>((resolve) => t.onExit(resolve))).toBe(0);
    expect(JSON.parse(out.trim())).toEqual(['console', 'x; y']);
    const last = calls(ssh.log).filter((c) => c.includes('-tt')).at(-1);
    expect(last?.slice(-4)).toEqual(['-tt', 'dom0', '--', `'${remoteBin}/xl' 'console' 'x; y'`]);
  });

  it('streams a long-lived remote program', async () => {
    const sbin = makeTempDir();
    writeScript(sbin, 'xentop', '#!/bin/sh\necho frame1\necho frame2\nexec sleep 30\n');
    const r = createSshExecutor({ target: 'dom0', sshBinary: ssh.bin, remoteBinDir: sbin, controlDir: dir });
    const h = r.stream('xentop', ['-b', '-d', '1']);
    let text = '';
    await new Promise<void>((resolve) => h.stdout.on('data', (b: Buffer) => ((text += b.toString()), text.includes('frame2') && resolve())));
    h.kill();
    await h.exited;
    expect(text).toBe('frame1\nframe2\n');
  });
});

describe('ssh HostFs (fixed scripts run through the fake ssh and a real sh)', () => {
  const fsFor = () => createSshExecutor({ target: 'dom0', sshBinary: ssh.bin, controlDir: dir }).fs;

  it('writes exclusively with noclobber, never overwriting, and reads back hostile file names', async () => {
    const fs = fsFor();
    const d = makeTempDir();
    const p = path.join(d, "we'ird $(touch x) name;.cfg");
    await fs.writeFileExclusive(p, 'name="a"\n$(not expanded)\n');
    expect(readFileSync(p, 'utf8')).toBe('name="a"\n$(not expanded)\n');
    await expect(fs.writeFileExclusive(p, 'other')).rejects.toMatchObject({ code: 'EXISTS' });
    expect(await fs.readFile(p)).toBe('name="a"\n$(not expanded)\n');
    expect(await fs.list(d)).toEqual([path.basename(p)]);
    await expect(fs.readFile(path.join(d, 'none'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('replaces a file in place, keeping its mode and leaving no temp file', async () => {
    const fs = fsFor();
    const d = makeTempDir();
    const p = path.join(d, 'b.cfg');
    writeFileSync(p, 'old', { mode: 0o640 });
    await fs.replaceFile(p, 'new text');
    expect(readFileSync(p, 'utf8')).toBe('new text');
    expect(statSync(p).mode & 0o777).toBe(0o640);
    expect(readdirSync(d)).toEqual(['b.cfg']);
  });

  it('creates sparse images, stats them and symlinks, reads links, frees, removes, mkdirs', async () => {
    const fs = fsFor();
    const d = makeTempDir();
    const img = path.join(d, 'disk.img');
    await fs.createSparse(img, 512 * 1024 * 1024);
    await expect(fs.createSparse(img, 1)).rejects.toMatchObject({ code: 'EXISTS' });
    const st = await fs.stat(img);
    expect(st).toMatchObject({ size: 512 * 1024 * 1024, isFile: true, isSymlink: false, isDirectory: false });
    expect(st?.allocated).toBeLessThan(1024 * 1024);
    expect(Math.abs((st?.mtimeMs ?? 0) - statSync(img).mtimeMs)).toBeLessThan(1500);
    const link = path.join(d, 'auto.cfg');
    await fs.symlink(img, link);
    await expect(fs.symlink(img, link)).rejects.toMatchObject({ code: 'EXISTS' });
    expect(await fs.readlink(link)).toBe(img);
    expect(await fs.readlink(img)).toBeNull();
    expect(await fs.stat(link)).toMatchObject({ isSymlink: true, isFile: true, size: 512 * 1024 * 1024 });
    expect(await fs.stat(path.join(d, 'none'))).toBeNull();
    expect(await fs.stat(d)).toMatchObject({ isDirectory: true });
    expect(await fs.freeBytes(d)).toBeGreaterThan(0);
    await fs.remove(link);
    await expect(fs.remove(link)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await fs.mkdirp(path.join(d, 'a', 'b'));
    expect(existsSync(path.join(d, 'a', 'b'))).toBe(true);
  });

  it('will not write through a dangling symlink planted at the target', async () => {
    const fs = fsFor();
    const d = makeTempDir();
    const victim = path.join(d, 'victim');
    symlinkSync(victim, path.join(d, 'trap.cfg'));
    await expect(fs.writeFileExclusive(path.join(d, 'trap.cfg'), 'x')).rejects.toMatchObject({ code: 'EXISTS' });
    expect(existsSync(victim)).toBe(false);
  });
});

describe('image transfers over ssh', () => {
  it('streams an upload and a download through ONE ssh process each, the path a positional argument', async () => {
    const r = createSshExecutor({ target: 'root@dom0', controlDir: makeTempDir(), sshBinary: ssh.bin, remoteBinDir: remoteBin });
    await r.run('xl', ['list']);
    const host = makeTempDir('xenith-ssh-images-');
    // A name a shell would read as code, were it ever put into the script: it stays a file name.
    const p = path.join(host, "it's $(touch pwned); a.img");
    const data = Buffer.alloc(2 * 1024 * 1024 + 5, 9);
    const before = calls(ssh.log).length;
    await r.fs.writeStream(p, data.byteLength, (async function* () {
      for (let i = 0; i < data.byteLength; i += 100_000) yield data.subarray(i, i + 100_000);
    })());
    expect(readFileSync(p).equals(data)).toBe(true);
    const up = calls(ssh.log).slice(before);
    expect(up).toHaveLength(1);
    expect(up[0]).toContain('ControlMaster=no');
    expect(existsSync(path.join(host, 'pwned'))).toBe(false);
    const s = await r.fs.readStream(p);
    const got: Buffer[] = [];
    for await (const c of s.chunks) got.push(Buffer.from(c));
    expect(s.size).toBe(data.byteLength);
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(calls(ssh.log).slice(before)).toHaveLength(2);
    await expect(r.fs.writeStream(p, 1, (async function* () { yield Buffer.from('x'); })())).rejects.toMatchObject({ code: 'EXISTS' });
    expect(statSync(p).size).toBe(data.byteLength);
  });
});
