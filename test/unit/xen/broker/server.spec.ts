import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_POLICY, parseBrokerPolicy, type BrokerPolicy } from '../../../../src/xen/broker/policy';
import { createLocalExecutor } from '../../../../src/xen/runner/local';
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
  return startHarness({ executor: createLocalExecutor({ binDir: bin }), policy: policy() });
}

const errorOf = (m: Record<string, unknown>) => (m['ok'] === false ? (m['error'] as { code: string; message: string }) : undefined);

describe('broker protocol', () => {
  it('announces itself, answers ping, and runs an operation with the argv it builds itself', async () => {
    const h = harness();
    expect(await h.waitFor((m) => m['event'] === 'ready')).toMatchObject({ id: 0, data: { version: 2 } });
    expect(await h.request('ping')).toMatchObject({ ok: true, value: { version: 2 } });
    const r = await h.request('domain.pause', { dom: 'test1' });
    expect(r['ok']).toBe(true);
    expect(JSON.parse((r['value'] as { stdout: string }).stdout)).toEqual(['pause', 'test1']);
    const s = await h.request('domain.schedSet', { dom: '3', weight: 512 });
    expect(JSON.parse((s['value'] as { stdout: string }).stdout)).toEqual(['sched-credit2', '-d', '3', '-w', '512']);
  });

  it('refuses unknown ops, bad args, broken JSON and odd shapes, and keeps answering', async () => {
    const h = harness();
    expect(errorOf(await h.request('format-disk', {}))).toMatchObject({ code: 'INVALID_ARG', message: '"format-disk" is not an operation Xenith runs' });
    for (const op of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) expect(errorOf(await h.request(op, {}))?.code).toBe('INVALID_ARG');
    // The old program-and-argv form is gone: no request names a program or carries an argv.
    expect(errorOf(await h.request('run', { program: 'bash', args: ['-c', 'id'] }))?.code).toBe('INVALID_ARG');
    const extra = errorOf(await h.request('domain.pause', { dom: 'test1', args: ['-x'] }));
    expect(extra?.code).toBe('INVALID_ARG');
    expect(extra?.message).toMatch(/^domain\.pause: /);
    expect(errorOf(await h.request('domain.pause', { dom: '-x' }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('domain.pause', { dom: 7 }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('domain.pause', { dom: 'a\0' }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('domain.pause', { dom: 'x'.repeat(5000) }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('domain.pause', { dom: 'test1' }, undefined, { timeoutMs: -1 }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('domain.pause', { dom: 'test1' }, undefined, { shell: true }))?.code).toBe('INVALID_ARG');
    h.raw('{not json\n');
    expect(await h.waitFor((m) => m['id'] === null)).toMatchObject({ ok: false, error: { code: 'INVALID_ARG', message: 'Request is not valid JSON' } });
    h.raw('[1,2]\n');
    h.raw('{"id":"q","op":5}\n');
    expect(await h.waitFor((m) => m['id'] === 'q')).toMatchObject({ ok: false, error: { code: 'INVALID_ARG' } });
    expect(await h.request('ping')).toMatchObject({ ok: true });
  });

  it('runs only the operations of the command table', async () => {
    const quick = makeTempDir();
    writeScript(quick, 'xl', '#!/bin/sh\necho "$@"\n');
    const h = startHarness({ executor: createLocalExecutor({ binDir: quick }), policy: policy() });
    for (const op of ['xl.migrate', 'domain.migrate', 'cpupool.create', 'host.setParameters', 'xl', 'run', 'stream-start', 'pty-open', 'fs-writeFileExclusive']) {
      expect(errorOf(await h.request(op, { dom: 'x' }))?.code).toBe('INVALID_ARG');
    }
    const answers: Record<string, string> = {};
    for (const [op, args] of [
      ['domains.list', {}], ['host.info', {}], ['domains.vcpuList', { dom: 'test1' }], ['domains.uptime', {}], ['host.dmesg', {}],
      ['domain.unpause', { dom: 'test1' }], ['domain.shutdown', { dom: 'test1', wait: true }], ['domain.destroy', { dom: 'test1' }],
      ['domain.memSet', { dom: 'test1', mib: 512 }],
    ] as const) {
      const r = await h.request(op, args);
      answers[op] = (r['value'] as { stdout: string }).stdout.trim();
    }
    expect(answers).toMatchObject({ 'domains.list': 'list', 'domain.shutdown': 'shutdown -w test1', 'domain.memSet': 'mem-set test1 512m' });
  });

  it('lets xl create read only config files inside the roots, and save/restore only the save directory', async () => {
    const h = harness();
    const ok = await h.request('domain.create', { file: path.join(etc, 'test1.cfg'), paused: true });
    expect(ok['ok']).toBe(true);
    expect(JSON.parse((ok['value'] as { stdout: string }).stdout)).toEqual(['create', '-p', path.join(etc, 'test1.cfg')]);
    expect(errorOf(await h.request('domain.create', { file: path.join(outside, 'secret') }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('domain.create', { file: `${etc}/../${path.basename(outside)}/secret` }))?.code).toBe('INVALID_ARG');
    // No key=value overrides: the args are the schema's, nothing else.
    expect(errorOf(await h.request('domain.create', { file: path.join(etc, 'test1.cfg'), extra: 'bootloader="/bin/sh"' }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('domain.save', { dom: 'test1', file: path.join(outside, 'x.save') }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('domain.restore', { file: path.join(images, 'x.save') }))?.code).toBe('PERMISSION');
    expect((await h.request('domain.save', { dom: 'test1', file: path.join(etc, 'save', 'x.save') }))['ok']).toBe(true);
  });

  it('refuses disk targets outside the image directories and vif scripts given by path', async () => {
    const h = harness();
    const spec = (t: string) => `${t},raw,xvdb,rw`;
    expect(errorOf(await h.request('domain.blockAttach', { dom: 'test1', spec: spec(path.join(outside, 'secret')) }))?.code).toBe('PERMISSION');
    expect((await h.request('domain.blockAttach', { dom: 'test1', spec: spec(path.join(images, 'd.img')) }))['ok']).toBe(true);
    expect(errorOf(await h.request('domain.blockAttach', { dom: 'test1', spec: spec('/dev/vg0/test1-disk') }))?.code).toBe('NOT_FOUND');
    expect(errorOf(await h.request('domain.networkAttach', { dom: 'test1', spec: 'bridge=xenbr0, script=/tmp/evil.sh' }))?.code).toBe('INVALID_ARG');
    expect((await h.request('domain.networkAttach', { dom: 'test1', spec: 'bridge=xenbr0,script=vif-bridge' }))['ok']).toBe(true);
  });

  it('makes images only as new qcow2 files inside the image directories', async () => {
    const quick = makeTempDir();
    writeScript(quick, 'qemu-img', '#!/bin/sh\necho "$@"\n');
    const h = startHarness({ executor: createLocalExecutor({ binDir: quick }), policy: policy() });
    const r = await h.request('image.createQcow2', { path: path.join(images, 'a.qcow2'), bytes: 1 << 20 });
    expect((r['value'] as { stdout: string }).stdout.trim()).toBe(`create -q -f qcow2 -- ${path.join(images, 'a.qcow2')} 1048576`);
    // The empty file a client claimed is accepted; anything else at the name is never overwritten.
    writeFileSync(path.join(images, 'full.qcow2'), 'data');
    expect(errorOf(await h.request('image.createQcow2', { path: path.join(images, 'full.qcow2'), bytes: 1 << 20 }))?.code).toBe('EXISTS');
    expect(readFileSync(path.join(images, 'full.qcow2'), 'utf8')).toBe('data');
    expect(errorOf(await h.request('image.createQcow2', { path: path.join(images, 'c.qcow2'), bytes: 1000 }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('image.createQcow2', { path: path.join(outside, 'a.img'), bytes: 1 << 20 }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('image.createQcow2', { path: path.join(images, 'b.qcow2'), bytes: 1 << 20, backing: '/etc/shadow' }))?.code).toBe('INVALID_ARG');
    expect(readdirSync(outside)).toEqual(['secret']);
  });

  it('answers a run that fails with the runner\'s coded error', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\necho "test1 is an invalid domain identifier (rc=-6)" >&2\nexit 1\n');
    const h = startHarness({ executor: createLocalExecutor({ binDir: dir }), policy: policy() });
    expect(await h.request('domain.list', { dom: 'test1' })).toMatchObject({
      ok: false,
      error: { code: 'XL_FAILED', message: 'test1 is an invalid domain identifier (rc=-6)', detail: { exitCode: 1, argv: ['xl', 'list', 'test1'] } },
    });
    expect(await h.request('domain.list', { dom: 'test1' }, undefined, { allowFailure: true })).toMatchObject({ ok: true, value: { exitCode: 1 } });
  });

  it('cancels a running command on request', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\nexec sleep 20\n');
    const h = startHarness({ executor: createLocalExecutor({ binDir: dir }), policy: policy() });
    const p = h.request('domain.pause', { dom: 'test1' }, 'slow');
    await new Promise((r) => setTimeout(r, 100));
    expect(await h.request('cancel', { target: 'slow' })).toMatchObject({ ok: true });
    expect(errorOf(await p)?.code).toBe('ABORTED');
    // Both lines in one chunk: the cancel must still find the run.
    h.raw('{"id":"r2","op":"domain.pause","args":{"dom":"test1"}}\n{"id":"c2","op":"cancel","args":{"target":"r2"}}\n');
    expect(await h.waitFor((m) => m['id'] === 'c2' && 'ok' in m)).toMatchObject({ ok: true });
    expect(await h.waitFor((m) => m['id'] === 'r2' && 'ok' in m)).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
  });
});

describe('broker fs ops', () => {
  it('never reads a FIFO named like a config, nor follows a dangling link, and makes the save directory private', async () => {
    const dir = makeTempDir('xenith-readdir-hostile-');
    writeFileSync(path.join(dir, 'a.cfg'), 'name = "a"\n');
    execFileSync('mkfifo', [path.join(dir, 'pipe.cfg')]);
    // Dangling now; whoever owns `outside` could make it point anywhere later.
    symlinkSync(path.join(outside, 'not-yet'), path.join(dir, 'later.cfg'));
    const save = path.join(makeTempDir('xenith-save-parent-'), 'save');
    const h = startHarness({ executor: createLocalExecutor({ binDir: bin }), policy: { ...policy(), configDir: dir, autoDir: path.join(dir, 'auto'), saveDir: save } });
    const r = await h.request('fs.readDir', { path: dir, suffix: '.cfg', text: true });
    expect(r['value']).toEqual([
      { name: 'a.cfg', link: null, text: 'name = "a"\n' },
      { name: 'later.cfg', link: null, text: null },
      { name: 'pipe.cfg', link: null, text: null },
    ]);
    expect(errorOf(await h.request('fs.readFile', { path: path.join(dir, 'pipe.cfg') }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('fs.readFile', { path: path.join(dir, 'later.cfg') }))?.code).toBe('PERMISSION');
    expect((await h.request('fs.mkdirp', { path: save }))['ok']).toBe(true);
    expect(statSync(save).mode & 0o777).toBe(0o700);
  });

  it('reads the config directory whole in one request, never a file outside its policy, and the autostart links', async () => {
    const dir = makeTempDir('xenith-readdir-');
    mkdirSync(path.join(dir, 'auto'));
    writeFileSync(path.join(dir, 'a.cfg'), 'name = "a"\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a config');
    writeFileSync(path.join(dir, '.hidden.cfg'), 'name = "h"\n');
    symlinkSync(path.join(outside, 'secret'), path.join(dir, 'leak.cfg'));
    symlinkSync(path.join(dir, 'a.cfg'), path.join(dir, 'auto', 'a.cfg'));
    const h = startHarness({ executor: createLocalExecutor({ binDir: bin }), policy: { ...policy(), configDir: dir, autoDir: path.join(dir, 'auto') } });
    const r = await h.request('fs.readDir', { path: dir, suffix: '.cfg', text: true });
    expect(r).toMatchObject({ ok: true });
    expect(r['value']).toEqual([
      { name: 'a.cfg', link: null, text: 'name = "a"\n' },
      // Listed, but a link out of the config directory never gives up its text.
      { name: 'leak.cfg', link: null, text: null },
    ]);
    expect(await h.request('fs.readDir', { path: path.join(dir, 'auto'), suffix: '', text: false })).toMatchObject({
      ok: true,
      value: [{ name: 'a.cfg', link: path.join(dir, 'a.cfg'), text: null }],
    });
    expect(errorOf(await h.request('fs.readDir', { path: outside, suffix: '', text: true }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('fs.readDir', { path: outside, suffix: '', text: false }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('fs.readDir', { path: dir, suffix: '/../x', text: true }))?.code).toBe('INVALID_ARG');
  });

  it('lists the save directory by name only: never a save file\'s text, never a folder below it', async () => {
    const save = makeTempDir('xenith-save-');
    writeFileSync(path.join(save, 'web01.save'), 'guest memory');
    mkdirSync(path.join(save, 'deeper'));
    writeFileSync(path.join(save, 'deeper', 'x.save'), 'other');
    const h = startHarness({ executor: createLocalExecutor({ binDir: bin }), policy: { ...policy(), saveDir: save } });
    expect(await h.request('fs.readDir', { path: save, suffix: '.save', text: false })).toMatchObject({ ok: true, value: [{ name: 'web01.save', link: null, text: null }] });
    // With texts, the save directory is no config directory: refused.
    expect(errorOf(await h.request('fs.readDir', { path: save, suffix: '.save', text: true }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('fs.readDir', { path: path.join(save, 'deeper'), suffix: '.save', text: false }))?.code).toBe('PERMISSION');
  });

  it('reads configs, and writes them from values, never from text', async () => {
    const h = harness();
    expect(await h.request('fs.readFile', { path: path.join(etc, 'test1.cfg') })).toMatchObject({ ok: true, value: 'name="test1"\n' });
    expect((await h.request('config.create', { path: path.join(etc, 'new.cfg'), values: { name: 'new', memory: 512 } }))['ok']).toBe(true);
    expect(readFileSync(path.join(etc, 'new.cfg'), 'utf8')).toBe('name = "new"\nmemory = 512\n');
    expect(errorOf(await h.request('config.create', { path: path.join(etc, 'new.cfg'), values: { name: 'new' } }))?.code).toBe('EXISTS');
    expect(errorOf(await h.request('config.create', { path: path.join(etc, 'text.cfg'), text: 'name="t"\n' }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('config.create', { path: path.join(etc, 'k.cfg'), values: { 'name = "x"\nbootloader': 'x' } }))?.code).toBe('INVALID_ARG');
    expect(existsSync(path.join(etc, 'text.cfg')) || existsSync(path.join(etc, 'k.cfg'))).toBe(false);
    expect((await h.request('autostart.link', { target: path.join(etc, 'new.cfg'), path: path.join(etc, 'auto', 'new.cfg') }))['ok']).toBe(true);
    expect(await h.request('fs.readlink', { path: path.join(etc, 'auto', 'new.cfg') })).toMatchObject({ ok: true, value: path.join(etc, 'new.cfg') });
    expect(await h.request('fs.list', { path: path.join(etc, 'auto') })).toMatchObject({ ok: true, value: ['new.cfg'] });
    expect((await h.request('image.createSparse', { path: path.join(images, 'd.img'), bytes: 1 << 20 }))['ok']).toBe(true);
    expect(await h.request('fs.stat', { path: path.join(images, 'd.img') })).toMatchObject({ ok: true, value: { size: 1 << 20, isFile: true } });
    expect(await h.request('fs.stat', { path: path.join(images, 'none') })).toMatchObject({ ok: true, value: null });
  });

  it('refuses paths outside the roots, .. escapes, relative paths and symlink tricks, and keeps answering', async () => {
    const h = harness();
    const secret = path.join(outside, 'secret');
    expect(errorOf(await h.request('fs.readFile', { path: secret }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('fs.readFile', { path: `${etc}/../${path.basename(outside)}/secret` }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('fs.readFile', { path: 'etc/xen/test1.cfg' }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('fs.readFile', { path: 42 }))?.code).toBe('INVALID_ARG');
    // A link inside the root that points out of it: reading through it is refused.
    symlinkSync(secret, path.join(etc, 'leak.cfg'));
    expect(errorOf(await h.request('fs.readFile', { path: path.join(etc, 'leak.cfg') }))?.code).toBe('PERMISSION');
    // A directory link inside the root that points out: writing below it is refused, nothing is created outside.
    symlinkSync(outside, path.join(etc, 'escape'));
    expect(errorOf(await h.request('config.create', { path: path.join(etc, 'escape', 'owned.cfg'), values: { name: 'x' } }))?.code).toBe('PERMISSION');
    expect(existsSync(path.join(outside, 'owned.cfg'))).toBe(false);
    expect(errorOf(await h.request('image.createSparse', { path: path.join(etc, 'escape', 'big.img'), bytes: 1 }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('image.claim', { path: path.join(etc, 'escape', 'c.img') }))?.code).toBe('PERMISSION');
    // A link whose target lies outside may not be made, even from inside the root.
    expect(errorOf(await h.request('autostart.link', { target: secret, path: path.join(etc, 'auto', 's.cfg') }))?.code).toBe('PERMISSION');
    expect(errorOf(await h.request('autostart.link', { target: '../../etc/shadow', path: path.join(etc, 'auto', 't.cfg') }))?.code).toBe('INVALID_ARG');
    // Configs are not written into image directories.
    expect(errorOf(await h.request('config.create', { path: path.join(images, 'x.cfg'), values: { name: 'x' } }))?.code).toBe('PERMISSION');
    expect(readdirSync(outside)).toEqual(['secret']);
    expect(await h.request('ping')).toMatchObject({ ok: true });
  });

  it('refuses config values that would make xl run a program of the caller\'s choosing', async () => {
    const h = harness();
    const write = (name: string, values: Record<string, unknown>) => h.request('config.create', { path: path.join(etc, name), values });
    for (const bad of [
      { name: 'x', bootloader: '/tmp/evil' },
      { name: 'x', device_model_override: '/bin/sh' },
      { name: 'x', vif: ['bridge=xenbr0,script=/tmp/evil.sh'] },
      { name: 'x', disk: ['format=raw, vdev=xvda, script=/tmp/x, target=/dev/vg/x'] },
      { name: 'x', device_model_args_hvm: ['-chardev', 'file,path=/etc/shadow'] },
      { name: 'x', serial: 'file:/etc/shadow' },
    ]) {
      expect(errorOf(await write('bad.cfg', bad))?.code).toBe('INVALID_ARG');
    }
    expect(existsSync(path.join(etc, 'bad.cfg'))).toBe(false);
    expect((await write('pv.cfg', { name: 'pv', bootloader: 'pygrub', vif: ['bridge=xenbr0,script=vif-bridge'] }))['ok']).toBe(true);
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
    expect(await h.request('stats.xentop', { delayS: 1, fullNames: false }, 's1')).toMatchObject({ ok: true });
    expect(await h.waitFor((m) => m['id'] === 's1' && m['event'] === 'data')).toMatchObject({ data: 'frame -b -d 1\n' });
    expect(await h.request('stream.stop', { target: 's1' })).toMatchObject({ ok: true });
    expect(await h.waitFor((m) => m['id'] === 's1' && m['event'] === 'exit')).toMatchObject({ data: null });
    expect(errorOf(await h.request('stats.xentop', { delayS: 0 }))?.code).toBe('INVALID_ARG');
  });

  it('opens xl console on a pty, writes, resizes, closes', async () => {
    const dir = makeTempDir();
    writeScript(dir, 'xl', '#!/bin/sh\necho "args: $*"\nread line\necho "got: $line"\n');
    const h = startHarness({ executor: createLocalExecutor({ binDir: dir }), policy: policy() });
    expect(await h.request('console.open', { dom: 'test1' }, 'p1', { cols: 80, rows: 24 })).toMatchObject({ ok: true });
    await h.waitFor((m) => m['id'] === 'p1' && String(m['data']).includes('args: console test1'));
    expect(await h.request('pty.resize', { target: 'p1', cols: 120, rows: 40 })).toMatchObject({ ok: true });
    expect(errorOf(await h.request('pty.resize', { target: 'p1', cols: -1, rows: 40 }))?.code).toBe('INVALID_ARG');
    expect(await h.request('pty.write', { target: 'p1', data: 'hello\r' })).toMatchObject({ ok: true });
    await h.waitFor((m) => m['id'] === 'p1' && String(m['data']).includes('got: hello'));
    expect(await h.waitFor((m) => m['id'] === 'p1' && m['event'] === 'exit')).toMatchObject({ data: 0 });
    expect(errorOf(await h.request('pty.write', { target: 'p1', data: 'x' }))?.code).toBe('NOT_FOUND');
    expect(errorOf(await h.request('console.open', { dom: 'test1', type: 'vga' }, undefined, { cols: 80, rows: 24 }))?.code).toBe('INVALID_ARG');
    expect(errorOf(await h.request('console.open', { dom: 'test1' }))?.code).toBe('INVALID_ARG');
  });

  it('stops when its input ends, killing open streams', async () => {
    const h = harness();
    await h.request('stats.xentop', { delayS: 1 }, 's2');
    await h.waitFor((m) => m['id'] === 's2' && m['event'] === 'data');
    h.input.end();
    await h.broker.closed;
  });

  it('stops when its parent process changes', async () => {
    let ppid = 100;
    const h = startHarness({ executor: createLocalExecutor({ binDir: bin }), policy: policy(), parentPid: () => ppid, parentPollMs: 20 });
    await new Promise((r) => setTimeout(r, 60));
    let done = false;
    void h.broker.closed.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    ppid = 1;
    await h.broker.closed;
  });
});
