import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_POLICY, parseBrokerPolicy, type BrokerPolicy } from '../../../../src/xen/broker/policy';
import { createLocalRunner } from '../../../../src/xen/runner/local';
import { ARGV_JSON_SCRIPT, makeTempDir, writeScript } from '../runner/fake-bin';
import { startHarness, type Harness } from './harness';

let bin: string;
let etc: string; // stands in for /etc/xen
let images: string;
let outside: string;
let boot: string;

beforeAll(() => {
  bin = makeTempDir();
  writeScript(bin, 'xl', ARGV_JSON_SCRIPT);
  writeScript(bin, 'xentop', '#!/bin/sh\necho "frame $*"\nexec sleep 30\n');
  etc = makeTempDir('xenith-etc-');
  mkdirSync(path.join(etc, 'auto'));
  writeFileSync(path.join(etc, 'test1.cfg'), 'name="test1"\n');
  mkdirSync(path.join(etc, 'save'));
  images = makeTempDir('xenith-img-');
  boot = makeTempDir('xenith-boot-');
  outside = makeTempDir('xenith-outside-');
  writeFileSync(path.join(outside, 'secret'), 'top secret');
});

/** The policy the tests' broker runs under: temp directories standing in for Xen's own. */
function policy(): BrokerPolicy {
  return { ...DEFAULT_BROKER_POLICY, configDir: etc, autoDir: path.join(etc, 'auto'), saveDir: path.join(etc, 'save'), imageDirs: [images], bootDirs: [boot] };
}

function harness(): Harness {
  return startHarness({ runner: createLocalRunner({ binDir: bin }), policy: policy() });
}

const errorOf = (m: Record<string, unknown>) => (m['ok'] === false ? (m['error'] as { code: string; message: string }) : undefined);

describe('broker protocol', () => {
  it('announces itself, answers ping, and runs an allowed xl command with the exact argv', async () => {
    const h = harness();
    expect(await h.waitFor((m) => m['event'] === 'ready')).toMatchObject({ id: 0, data: { version: 1 } });
    expect(await h.request('ping')).toMatchObject({ ok: true, value: { version: 1 } });
    const r = await h.request('run', { program: 'xl', args: ['list', '-l', 'a;b $(c)'] });
    expect(r['ok']).toBe(true);
    expect(JSON.parse((r['value'] as { stdout: string }).stdout)).toEqual(['list', '-l', 'a;b $(c)']);
  });

  it('refuses unknown ops, bad args, broken JSON and odd shapes, and keeps answering', async () => {
    const h = harness();
    expect(errorOf(await h.request('format-disk', {}))).toMatchObject({ code: 'INVALID_ARG', message: 'Unknown op "format-disk"' });
    expect(errorOf(await h.request('__proto__', {}))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'bash', args: ['-c', 'id'] }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'xl', args: 'list' }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'xl', args: ['list', 7] }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'xl', args: ['list\0'] }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'xl', args: ['x'.repeat(5000)] }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'xl', args: ['list'], timeoutMs: -1 }))?.code).toBe('INVALID_ARG');
    h.raw('{not json\n');
    expect(await h.waitFor((m) => m['id'] === null)).toMatchObject({ ok: false, error: { code: 'INVALID_ARG', message: 'Request is not valid JSON' } });
    h.raw('[1,2]\n');
    h.raw('{"id":"q","op":5}\n');
    expect(await h.waitFor((m) => m['id'] === 'q')).toMatchObject({ ok: false, error: { code: 'INVALID_ARG' } });
    expect(await h.request('ping')).toMatchObject({ ok: true });
  });

  it('allows only the xl subcommands Xenith uses', async () => {
    const quick = makeTempDir();
    writeScript(quick, 'xl', '#!/bin/sh\necho "$@"\n');
    const h = startHarness({ runner: createLocalRunner({ binDir: quick }), policy: policy() });
    for (const sub of ['migrate', 'cpupool-create', 'set-parameters', 'loadpolicy', 'devd', 'psr-cat-set', 'debug-keys', '-N']) {
      expect(errorOf(await h.request('run', { program: 'xl', args: [sub, 'x'] }))?.code).toBe('INVALID_ARG');
    }
    for (const sub of ['list', 'info', 'vcpu-list', 'uptime', 'dmesg', 'pause', 'unpause', 'shutdown', 'destroy', 'mem-set', 'sched-credit2']) {
      expect((await h.request('run', { program: 'xl', args: [sub, 'test1'] }))['ok']).toBe(true);
    }
    expect((await h.request('run', { program: 'xl', args: ['-v', 'info'] }))['ok']).toBe(true);
  });

  it('lets xl create read only config files inside the roots, with no key=value overrides', async () => {
    const h = harness();
    const ok = await h.request('run', { program: 'xl', args: ['create', '-p', path.join(etc, 'test1.cfg')] });
    expect(ok['ok']).toBe(true);
    expect(errorOf(await h.request('run', { program: 'xl', args: ['create', path.join(outside, 'secret')] }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('run', { program: 'xl', args: ['create', `${etc}/../${path.basename(outside)}/secret`] }))?.code).toBe('INVALID_ARG');
    const override = await h.request('run', { program: 'xl', args: ['create', path.join(etc, 'test1.cfg'), 'bootloader="/bin/sh"'] });
    expect(errorOf(override)?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'xl', args: ['save', 'test1', path.join(outside, 'x.save')] }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('run', { program: 'xl', args: ['restore', path.join(images, 'x.save')] }))?.code).toBe('PERMISSION');
    expect((await h.request('run', { program: 'xl', args: ['save', 'test1', path.join(etc, 'save', 'x.save')] }))['ok']).toBe(true);
  });

  it('refuses disk targets outside the image directories and vif scripts given by path', async () => {
    const h = harness();
    const spec = (t: string) => `format=raw, vdev=xvdb, access=rw, target=${t}`;
    expect(errorOf(await h.request('run', { program: 'xl', args: ['block-attach', 'test1', spec(path.join(outside, 'secret'))] }))?.code).toBe('PERMISSION');
    expect((await h.request('run', { program: 'xl', args: ['block-attach', 'test1', spec(path.join(images, 'd.img'))] }))['ok']).toBe(true);
    expect(errorOf(await h.request('run', { program: 'xl', args: ['block-attach', 'test1', spec('/dev/vg0/test1-disk')] }))?.code).toBe('NOT_FOUND');
    const vif = 'bridge=xenbr0, script=/tmp/evil.sh';
    expect(errorOf(await h.request('run', { program: 'xl', args: ['network-attach', 'test1', vif] }))?.code).toBe('INVALID_ARG');
    expect((await h.request('run', { program: 'xl', args: ['network-attach', 'test1', 'bridge=xenbr0, script=vif-bridge'] }))['ok']).toBe(true);
  });

  it('keeps the other programs read-only', async () => {
    const h = harness();
    expect(errorOf(await h.request('run', { program: 'ip', args: ['link', 'set', 'eth0', 'down'] }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'ip', args: ['-batch', '/tmp/x'] }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'brctl', args: ['delbr', 'xenbr0'] }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'qemu-img', args: ['create', '-b', '/etc/shadow', path.join(images, 'a.qcow2')] }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('run', { program: 'qemu-img', args: ['create', '-f', 'raw', path.join(outside, 'a.img'), '1G'] }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('run', { program: 'xentop', args: ['-b', '--config=/x'] }))?.code).toBe('INVALID_ARG');
  });

  it('answers a run that fails with the runner\'s coded error', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\necho "test1 is an invalid domain identifier (rc=-6)" >&2\nexit 1\n');
    const h = startHarness({ runner: createLocalRunner({ binDir: dir }), policy: policy() });
    expect(await h.request('run', { program: 'xl', args: ['list', 'test1'] })).toMatchObject({
      ok: false,
      error: { code: 'XL_FAILED', message: 'test1 is an invalid domain identifier (rc=-6)', detail: { exitCode: 1, argv: ['xl', 'list', 'test1'] } },
    });
  });

  it('cancels a running command on request', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\nexec sleep 20\n');
    const h = startHarness({ runner: createLocalRunner({ binDir: dir }), policy: policy() });
    const p = h.request('run', { program: 'xl', args: ['pause', 'test1'] }, 'slow');
    await new Promise((r) => setTimeout(r, 100));
    expect(await h.request('cancel', { target: 'slow' })).toMatchObject({ ok: true });
    expect(errorOf(await p)?.code).toBe('ABORTED');
    // Both lines in one chunk: the cancel must still find the run.
    h.raw('{"id":"r2","op":"run","args":{"program":"xl","args":["pause","test1"]}}\n{"id":"c2","op":"cancel","args":{"target":"r2"}}\n');
    expect(await h.waitFor((m) => m['id'] === 'c2' && 'ok' in m)).toMatchObject({ ok: true });
    expect(await h.waitFor((m) => m['id'] === 'r2' && 'ok' in m)).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  });
});

describe('broker fs ops', () => {
  it('reads and writes configs inside the roots', async () => {
    const h = harness();
    expect(await h.request('fs-readFile', { path: path.join(etc, 'test1.cfg') })).toMatchObject({ ok: true, value: 'name="test1"\n' });
    expect((await h.request('fs-writeFileExclusive', { path: path.join(etc, 'new.cfg'), text: 'name="new"\n' }))['ok']).toBe(true);
    expect(readFileSync(path.join(etc, 'new.cfg'), 'utf8')).toBe('name = "new"\n');
    expect(errorOf(await h.request('fs-writeFileExclusive', { path: path.join(etc, 'new.cfg'), text: 'name="new"\n' }))?.code).toBe('EXISTS');
    expect((await h.request('fs-symlink', { target: path.join(etc, 'new.cfg'), path: path.join(etc, 'auto', 'new.cfg') }))['ok']).toBe(true);
    expect(await h.request('fs-readlink', { path: path.join(etc, 'auto', 'new.cfg') })).toMatchObject({ ok: true, value: path.join(etc, 'new.cfg') });
    expect(await h.request('fs-list', { path: path.join(etc, 'auto') })).toMatchObject({ ok: true, value: ['new.cfg'] });
    expect((await h.request('fs-createSparse', { path: path.join(images, 'd.img'), bytes: 1 << 20 }))['ok']).toBe(true);
    expect(await h.request('fs-stat', { path: path.join(images, 'd.img') })).toMatchObject({ ok: true, value: { size: 1 << 20, isFile: true } });
    expect(await h.request('fs-stat', { path: path.join(images, 'none') })).toMatchObject({ ok: true, value: null });
  });

  it('refuses paths outside the roots, .. escapes, relative paths and symlink tricks, and keeps answering', async () => {
    const h = harness();
    const secret = path.join(outside, 'secret');
    expect(errorOf(await h.request('fs-readFile', { path: secret }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('fs-readFile', { path: `${etc}/../${path.basename(outside)}/secret` }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('fs-readFile', { path: 'etc/xen/test1.cfg' }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('fs-readFile', { path: 42 }))?.code).toBe('INVALID_ARG');
    // A link inside the root that points out of it: reading through it is refused.
    symlinkSync(secret, path.join(etc, 'leak.cfg'));
    expect(errorOf(await h.request('fs-readFile', { path: path.join(etc, 'leak.cfg') }))?.code).toBe('PERMISSION');
    // A directory link inside the root that points out: writing below it is refused, nothing is created outside.
    symlinkSync(outside, path.join(etc, 'escape'));
    expect(errorOf(await h.request('fs-writeFileExclusive', { path: path.join(etc, 'escape', 'owned.cfg'), text: 'x' }))?.code).toBe('PERMISSION');
    expect(existsSync(path.join(outside, 'owned.cfg'))).toBe(false);
    expect(errorOf(await h.request('fs-createSparse', { path: path.join(etc, 'escape', 'big.img'), bytes: 1 }))?.code).toBe('PERMISSION');
    // A link whose target lies outside may not be made, even from inside the root.
    expect(errorOf(await h.request('fs-symlink', { target: secret, path: path.join(etc, 'auto', 's.cfg') }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('fs-symlink', { target: '../../etc/shadow', path: path.join(etc, 'auto', 't.cfg') }))?.code).toBe('INVALID_ARG');
    // Configs are not written into image directories.
    expect(errorOf(await h.request('fs-writeFileExclusive', { path: path.join(images, 'x.cfg'), text: 'x' }))?.code).toBe('PERMISSION');
    expect(readdirSync(outside)).toEqual(['secret']);
    expect(await h.request('ping')).toMatchObject({ ok: true });
  });

  it('refuses config text that would make xl run a program of the caller\'s choosing', async () => {
    const h = harness();
    const write = (name: string, text: string) => h.request('fs-writeFileExclusive', { path: path.join(etc, name), text });
    for (const bad of [
      'name="x"\nbootloader="/tmp/evil"\n',
      'device_model_override = "/bin/sh"\n',
      "vif = [ 'bridge=xenbr0,script=/tmp/evil.sh' ]\n",
      'disk = [ "format=raw, vdev=xvda, script=/tmp/x, target=/dev/vg/x" ]\n',
      "vif = [ 'bridge=x#', 'script=/tmp/e' ]\n",
      'device_model_args_hvm = [ "-chardev", "file,path=/etc/shadow" ]\n',
    ]) {
      expect(errorOf(await write('bad.cfg', bad))?.code).toBe('INVALID_ARG');
    }
    expect(existsSync(path.join(etc, 'bad.cfg'))).toBe(false);
    expect((await write('pv.cfg', 'name="pv"\nbootloader = "pygrub"\n# bootloader="/tmp/commented"\nvif = [ "bridge=xenbr0,script=vif-bridge" ]\n'))['ok']).toBe(true);
  });

  it('refuses "/" and system directories as image directories in the policy file', () => {
    expect(() => parseBrokerPolicy('image_dir = /\n')).toThrow(/may not be an image directory/);
    expect(() => parseBrokerPolicy('image_dir = /root/.ssh\n')).toThrow(/may not be an image directory/);
    expect(() => parseBrokerPolicy('image_dir = /usr/../tmp\n')).toThrow(/line 1: "\/usr\/..\/tmp" is not an absolute path/);
  });
});

describe('broker streams, terminals and lifetime', () => {
  it('streams xentop as data events and stops it on request', async () => {
    const h = harness();
    expect(await h.request('stream-start', { program: 'xentop', args: ['-b', '-d', '1'] }, 's1')).toMatchObject({ ok: true });
    expect(await h.waitFor((m) => m['id'] === 's1' && m['event'] === 'data')).toMatchObject({ data: 'frame -b -d 1\n' });
    expect(await h.request('stream-stop', { target: 's1' })).toMatchObject({ ok: true });
    expect(await h.waitFor((m) => m['id'] === 's1' && m['event'] === 'exit')).toMatchObject({ data: null });
    expect(errorOf(await h.request('stream-start', { program: 'xl', args: ['list'] }))?.code).toBe('INVALID_ARG');
  });

  it('opens xl console on a pty, writes, resizes, closes; refuses other subcommands', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\necho "args: $*"\nread line\necho "got: $line"\n');
    const h = startHarness({ runner: createLocalRunner({ binDir: dir }), policy: policy() });
    expect(await h.request('pty-open', { args: ['console', 'test1'], cols: 80, rows: 24 }, 'p1')).toMatchObject({ ok: true });
    await h.waitFor((m) => m['id'] === 'p1' && String(m['data']).includes('args: console test1'));
    expect(await h.request('pty-resize', { target: 'p1', cols: 120, rows: 40 })).toMatchObject({ ok: true });
    expect(errorOf(await h.request('pty-resize', { target: 'p1', cols: -1, rows: 40 }))?.code).toBe('INVALID_ARG');
    expect(await h.request('pty-write', { target: 'p1', data: 'hello\r' })).toMatchObject({ ok: true });
    await h.waitFor((m) => m['id'] === 'p1' && String(m['data']).includes('got: hello'));
    expect(await h.waitFor((m) => m['id'] === 'p1' && m['event'] === 'exit')).toMatchObject({ data: 0 });
    expect(errorOf(await h.request('pty-write', { target: 'p1', data: 'x' }))?.code).toBe('NOT_FOUND');
    expect(errorOf(await h.request('pty-open', { args: ['destroy', 'test1'], cols: 80, rows: 24 }))?.code).toBe('INVALID_ARG');
  });

  it('stops when its input ends, killing open streams', async () => {
    const h = harness();
    await h.request('stream-start', { program: 'xentop', args: ['-b'] }, 's2');
    await h.waitFor((m) => m['id'] === 's2' && m['event'] === 'data');
    h.input.end();
    await h.broker.closed;
  });

  it('stops when its parent process changes', async () => {
    let ppid = 100;
    const h = startHarness({ runner: createLocalRunner({ binDir: bin }), policy: policy(), parentPid: () => ppid, parentPollMs: 20 });
    await new Promise((r) => setTimeout(r, 60));
    let done = false;
    void h.broker.closed.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    ppid = 1;
    await h.broker.closed;
  });
});
