import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { brokerLaunchCommand, createBrokerRunner } from '../../../../src/xen/runner/broker-client';
import { ARGV_JSON_SCRIPT, makeTempDir, writeScript } from './fake-bin';

const repo = path.resolve(__dirname, '../../../..');
let out: string;
let fixture: string;
let mainBundle: string;
let bin: string;
let etc: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  out = makeTempDir('xenith-broker-bundle-');
  // Bundled like scripts/build.mjs does for dist/main/broker.cjs; node-pty stays external and is found via NODE_PATH.
  const common: BuildOptions = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['node-pty'], logLevel: 'error' };
  await build({ ...common, entryPoints: [path.join(repo, 'test/unit/xen/broker/fixture-broker.ts')], outfile: path.join(out, 'fixture.cjs') });
  await build({ ...common, entryPoints: [path.join(repo, 'src/xen/broker/main.ts')], outfile: path.join(out, 'broker.cjs') });
  fixture = path.join(out, 'fixture.cjs');
  mainBundle = path.join(out, 'broker.cjs');
  bin = makeTempDir();
  writeScript(bin, 'xl', ARGV_JSON_SCRIPT);
  writeScript(bin, 'xentop', '#!/bin/sh\necho "frame $*"\nexec sleep 30\n');
  etc = makeTempDir('xenith-etc-');
  writeFileSync(path.join(etc, 'a.cfg'), 'name="a"\n');
  env = {
    ...process.env,
    NODE_PATH: path.join(repo, 'node_modules'),
    XENITH_FIXTURE: JSON.stringify({ binDir: bin, roots: [etc] }),
  };
}, 30_000);

describe('createBrokerRunner against a real broker process', () => {
  it('runs operations, files, streams and terminals through the broker, which builds each argv', async () => {
    const r = createBrokerRunner({ command: [process.execPath, fixture], env });
    expect(r.kind).toBe('broker');
    const res = await r.run('domain.list', { dom: 'a' });
    expect(JSON.parse(res.stdout)).toEqual(['list', 'a']);
    // Refused on this side too, before anything is sent, with the field named.
    await expect(r.run('domain.list', { dom: "a'b; $(touch x)" })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'dom' } });
    expect(await r.fs.readFile(path.join(etc, 'a.cfg'))).toBe('name="a"\n');
    // The broker writes the canonical form of what it checked.
    await r.fs.replaceFile(path.join(etc, 'a.cfg'), 'name="b" # renamed\n');
    expect(readFileSync(path.join(etc, 'a.cfg'), 'utf8')).toBe('name = "b"\n');
    await expect(r.fs.readFile('/etc/passwd')).rejects.toMatchObject({ code: 'PERMISSION' });
    await expect(r.run('domain.migrate' as 'domain.list', { dom: 'a' })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'op' } });
    // A config with a second statement on a line cannot reach root as text: the broker gets values and renders them.
    await r.fs.writeFileExclusive(path.join(etc, 'c.cfg'), 'name = "c"\nmemory = 256\n');
    expect(readFileSync(path.join(etc, 'c.cfg'), 'utf8')).toBe('name = "c"\nmemory = 256\n');
    await expect(r.fs.writeFileExclusive(path.join(etc, 'd.cfg'), 'name = "d"; bootloader = "/tmp/evil"\n')).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'bootloader' } });
    expect(await r.fs.stat(path.join(etc, 'none'))).toBeNull();

    const s = r.stream('stats.xentop', { delayS: 1, fullNames: false });
    let text = '';
    await new Promise<void>((resolve) => s.stdout.on('data', (b: Buffer) => ((text += b.toString()), resolve())));
    s.kill();
    expect(await s.exited).toBeNull();
    expect(text).toBe('frame -b -d 1\n');

    const t = r.pty('console.open', { dom: 'a' }, { cols: 80, rows: 24 });
    let screen = '';
    t.onData((d) => (screen += d));
    expect(await new Promise<number>((resolve) => t.onExit(resolve))).toBe(0);
    expect(JSON.parse(screen.trim())).toEqual(['console', 'a']);
    await r.close();
    await expect(r.run('domains.list', {})).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('cancels a run through the broker when the signal fires', async () => {
    const slow = makeTempDir();
    writeScript(slow, 'xl', '#!/bin/sh\nexec sleep 20\n');
    const r = createBrokerRunner({ command: [process.execPath, fixture], env: { ...env, XENITH_FIXTURE: JSON.stringify({ binDir: slow, roots: [etc] }) } });
    const ac = new AbortController();
    const p = r.run('domain.pause', { dom: 'a' }, { signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(r.run('domains.list', {}, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await r.close();
  });

  it('starts the broker again once after it dies, and gives up after the second death', async () => {
    const r = createBrokerRunner({ command: [process.execPath, fixture], env });
    expect((await r.run('domains.list', {})).exitCode).toBe(0);
    await expect(r.run('domain.list', { dom: 'crash-me' })).rejects.toMatchObject({ code: 'XL_FAILED', message: 'The privileged helper stopped' });
    expect((await r.run('domains.list', {})).exitCode).toBe(0);
    await expect(r.run('domain.list', { dom: 'crash-me' })).rejects.toMatchObject({ code: 'XL_FAILED' });
    await expect(r.run('domains.list', {})).rejects.toMatchObject({ code: 'XL_FAILED', detail: { exitCode: 3 } });
    await r.close();
  });

  it('reports a refused pkexec dialog as PERMISSION and a missing launcher as XL_NOT_FOUND', async () => {
    const d = makeTempDir();
    const pk = writeScript(d, 'pkexec', '#!/bin/sh\necho "Error executing command as another user: Not authorized" >&2\nexit 127\n');
    const r = createBrokerRunner({ command: [pk, process.execPath, fixture] });
    await expect(r.run('host.info', {})).rejects.toMatchObject({
      code: 'PERMISSION',
      message: 'Error executing command as another user: Not authorized',
    });
    const none = createBrokerRunner({ command: [path.join(d, 'no-such-pkexec')] });
    await expect(none.fs.readFile('/etc/xen/a.cfg')).rejects.toMatchObject({ code: 'XL_NOT_FOUND' });
  });

  it('the real broker entry answers, refuses, and exits when its stdin closes', async () => {
    const child = spawn(process.execPath, [mainBundle], { env: { ...env, PATH: '/nonexistent' }, stdio: 'pipe' });
    const lines: Record<string, unknown>[] = [];
    let buf = '';
    const waitLines = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (lines.length >= n ? resolve() : setTimeout(check, 10));
        check();
      });
    child.stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        lines.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
      }
    });
    child.stdin.write('{"id":1,"op":"ping"}\n{"id":2,"op":"reboot-host"}\nnot json\n{"id":3,"op":"fs.readFile","args":{"path":"/etc/shadow"}}\n');
    await waitLines(5);
    const byId = (id: unknown) => lines.find((m) => m['id'] === id && 'ok' in m);
    expect(lines[0]).toMatchObject({ id: 0, event: 'ready' });
    expect(byId(1)).toMatchObject({ ok: true, value: { version: 2 } });
    expect(byId(2)).toMatchObject({ ok: false, error: { code: 'INVALID_ARG' } });
    expect(byId(null)).toMatchObject({ ok: false, error: { code: 'INVALID_ARG' } });
    expect(byId(3)).toMatchObject({ ok: false, error: { code: 'PERMISSION' } });
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdin.end();
    expect(await exit).toBe(0);
  });

  it('refuses to start with any argument: the caller cannot choose what root may touch', async () => {
    const child = spawn(process.execPath, [mainBundle, '--image-dir=/etc'], { env, stdio: 'pipe' });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    expect(await new Promise<number | null>((resolve) => child.on('exit', resolve))).toBe(2);
    expect(err).toContain('takes no arguments (its policy is /etc/xenith/broker.conf)');
  });
});

describe('brokerLaunchCommand', () => {
  const base = { nodePath: '/usr/bin/node', brokerPath: '/opt/xenith/broker.cjs' };
  it('runs directly as root', () => {
    expect(brokerLaunchCommand({ ...base, isRoot: true, hasPkexec: true, sudoNonInteractive: true })).toEqual(['/usr/bin/node', '/opt/xenith/broker.cjs']);
  });
  it('uses sudo -n when chosen, ahead of pkexec', () => {
    expect(brokerLaunchCommand({ ...base, isRoot: false, hasPkexec: true, sudoNonInteractive: true })).toEqual([
      'sudo', '-n', '--', '/usr/bin/node', '/opt/xenith/broker.cjs',
    ]);
  });
  it('uses pkexec, through the installed wrapper when there is one', () => {
    expect(brokerLaunchCommand({ ...base, isRoot: false, hasPkexec: true, sudoNonInteractive: false })).toEqual([
      'pkexec', '/usr/bin/node', '/opt/xenith/broker.cjs',
    ]);
    expect(
      brokerLaunchCommand({ ...base, isRoot: false, hasPkexec: true, sudoNonInteractive: false, wrapperPath: '/usr/lib/xenith/xenith-broker' }),
    ).toEqual(['pkexec', '/usr/lib/xenith/xenith-broker']);
  });
  it('falls back to running directly, and runs Electron as Node when asked', () => {
    expect(brokerLaunchCommand({ ...base, isRoot: false, hasPkexec: false, sudoNonInteractive: false })).toEqual(['/usr/bin/node', '/opt/xenith/broker.cjs']);
    expect(brokerLaunchCommand({ ...base, nodePath: '/opt/Xenith/xenith', runAsNode: true, isRoot: false, hasPkexec: false, sudoNonInteractive: true })).toEqual([
      'sudo', '-n', '--', '/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', '/opt/Xenith/xenith', '/opt/xenith/broker.cjs',
    ]);
  });
});
