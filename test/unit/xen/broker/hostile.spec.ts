import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, writeScript } from '../runner/fake-bin';

// An attacker's view of the root broker: a process that can write anything to its stdin. The broker is spawned as a
// child on pipes, the way the app's broker client spawns it, with fake toolstack programs that log every argv. Every
// hostile request must be refused, none may reach a program, and no file outside the test's folders may change.

const repo = path.resolve(__dirname, '../../../..');
let child: ChildProcessWithoutNullStreams;
let etc: string;
let images: string;
let boot: string;
let outside: string;
let log: string;
const answers = new Map<number, { ok: boolean; error?: { code: string; message: string; detail?: Record<string, unknown> } }>();
let nextId = 1;

/** Sends one raw request and resolves with its answer. */
function send(op: unknown, args: unknown): Promise<{ ok: boolean; error?: { code: string; message: string } }> {
  const id = nextId++;
  child.stdin.write(`${JSON.stringify({ id, op, args })}\n`);
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const check = (): void => {
      const a = answers.get(id);
      if (a !== undefined) resolve(a);
      else if (Date.now() > deadline) reject(new Error(`no answer to ${JSON.stringify({ op, args })}`));
      else setTimeout(check, 2);
    };
    check();
  });
}

const run = (program: string, args: string[]): [string, unknown] => ['run', { program, args }];

/** Stat facts of the system files an escape would touch, to compare before and after. */
function systemSnapshot(): string {
  const facts = ['/etc/shadow', '/etc/passwd', '/etc/cron.d', '/etc/xen', '/var/log', '/root'].map((p) => {
    if (!existsSync(p)) return `${p}: none`;
    const s = lstatSync(p);
    return `${p}: ${s.size} ${s.mtimeMs} ${s.isDirectory() ? readdirSync(p).join(',') : ''}`;
  });
  return [...facts, `outside: ${readdirSync(outside).join(',')} ${readFileSync(path.join(outside, 'secret'), 'utf8')}`].join('\n');
}

beforeAll(async () => {
  const out = makeTempDir('xenith-hostile-bundle-');
  await build({
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['node-pty'], logLevel: 'error',
    entryPoints: [path.join(repo, 'test/unit/xen/broker/fixture-broker.ts')], outfile: path.join(out, 'fixture.cjs'),
  });
  const bin = makeTempDir('xenith-hostile-bin-');
  log = path.join(makeTempDir('xenith-hostile-log-'), 'argv.log');
  writeFileSync(log, '');
  for (const p of ['xl', 'xentop', 'xenstore-read', 'xenstore-ls', 'xenstore-list', 'qemu-img', 'brctl', 'ip']) {
    writeScript(bin, p, `#!/bin/sh\necho "${p} $*" >> ${log}\n`);
  }
  etc = makeTempDir('xenith-hostile-etc-');
  mkdirSync(path.join(etc, 'auto'));
  mkdirSync(path.join(etc, 'save'));
  mkdirSync(path.join(etc, 'scripts'));
  writeFileSync(path.join(etc, 'scripts', 'vif-bridge'), '#!/bin/sh\n');
  writeFileSync(path.join(etc, 'xl.conf'), '');
  images = makeTempDir('xenith-hostile-img-');
  boot = makeTempDir('xenith-hostile-boot-');
  outside = makeTempDir('xenith-hostile-outside-');
  writeFileSync(path.join(outside, 'secret'), 'top secret');
  writeFileSync(path.join(outside, 'evil.save'), 'x');
  // What an attacker could have planted: links in the allowed directories pointing out of them.
  symlinkSync(path.join(outside, 'secret'), path.join(images, 'link.img'));
  symlinkSync(outside, path.join(images, 'dirlink'));
  symlinkSync('/etc', path.join(etc, 'etclink'));
  symlinkSync(path.join(outside, 'secret'), path.join(etc, 'secret.cfg'));
  writeFileSync(path.join(etc, 'good.cfg'), 'name = "good"\nmemory = 128\n');
  writeFileSync(path.join(etc, 'evil.cfg'), 'name = "evil"\nmemory=128; bootloader="/tmp/evil"\n');
  writeFileSync(path.join(etc, 'append.cfg'), 'name = "append"\nbootloader = "pygrub"\nbootloader += "/tmp/evil"\n');
  child = spawn(process.execPath, [path.join(out, 'fixture.cjs')], {
    env: { ...process.env, NODE_PATH: path.join(repo, 'node_modules'), XENITH_FIXTURE: JSON.stringify({ binDir: bin, roots: [etc], imageDirs: [images], bootDirs: [boot] }) },
    stdio: 'pipe',
  });
  let buf = '';
  child.stdout.on('data', (b: Buffer) => {
    buf += b.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const m = JSON.parse(buf.slice(0, nl)) as { id: number; ok?: boolean };
      buf = buf.slice(nl + 1);
      if (typeof m.id === 'number' && 'ok' in m) answers.set(m.id, m as never);
    }
  });
}, 30_000);

afterAll(() => {
  child.kill();
});

/** Configs that make root run, read or write what the caller chooses, in every spelling xl honours. */
function hostileConfigs(): string[] {
  const n = 'name = "h"\n';
  return [
    `${n}memory=256; bootloader="/tmp/evil"\n`,
    `${n}bootloader = "pygrub"\nbootloader += "/tmp/evil"\n`,
    `${n}bootloader = "/bin/sh"\n`,
    `${n}bootloader_args = [ "--output-directory=/etc/cron.d" ]\nbootloader = "pygrub"\n`,
    `${n}device_model_override = "/bin/sh"\n`,
    `${n}memory = 1; device_model_override = "/bin/sh"\n`,
    `${n}device_model_args = [ "-chardev", "file,id=x,path=/etc/shadow" ]\n`,
    `${n}stubdomain_kernel = "${outside}/secret"\n`,
    `${n}serial = "file:/etc/shadow"\n`,
    `${n}serial = [ "pty", "file:/etc/cron.d/x" ]\n`,
    `${n}channel = [ "name=x, connection=socket, path=/etc/cron.d/x" ]\n`,
    `${n}disk = [ "file:/etc/shadow,xvda,w" ]\n`,
    `${n}disk = [ "format=raw, vdev=xvda, access=rw, target=/dev/../etc/shadow" ]\n`,
    `${n}disk = [ "format=raw, vdev=xvda, access=rw, target=${outside}/secret" ]\n`,
    `${n}disk = [ "format=raw, vdev=xvda, access=rw, target=${images}/link.img" ]\n`,
    `${n}disk = [ "format=raw, vdev=xvda, access=rw, target=${images}/dirlink/secret" ]\n`,
    `${n}disk = [ "${images}/ok.img,raw,xvda,rw" ]\ndisk += [ "/etc/shadow,raw,xvdb,rw" ]\n`,
    `${n}disk = [ "format=raw, vdev=xvda, script=/tmp/x, target=/dev/vg/x" ]\n`,
    `${n}disk = [ "relative.img,raw,xvda,rw" ]\n`,
    `${n}kernel = "/etc/shadow"\n`,
    `${n}kernel = "${boot}/../${path.basename(outside)}/secret"\n`,
    `${n}ramdisk = "${outside}/secret"\n`,
    `${n}firmware = "/etc/shadow"\n`,
    `${n}vif = [ "bridge=xenbr0,script=/tmp/evil.sh" ]\n`,
    `${n}vif = [ "bridge=xenbr0,script=../../tmp/evil.sh" ]\n`,
    `${n}p9 = [ "tag=r, security_model=none, path=/" ]\n`,
    `${n}iomem = [ "0,fffff" ]\n`,
    `${n}keymap = "../../../../etc/shadow"\n`,
    'name = ".hidden"\n',
    'name = "-x"\n',
  ];
}

describe('the root broker under attack', () => {
  it('refuses every hostile request, runs nothing, and changes no file outside its folders', async () => {
    const before = systemSnapshot();
    const cfg = (name: string) => path.join(etc, name);
    const requests: [unknown, unknown][] = [];
    for (const text of hostileConfigs()) {
      requests.push(['fs-writeFileExclusive', { path: cfg('h.cfg'), text }], ['fs-replaceFile', { path: cfg('good.cfg'), text }]);
    }
    // Files root must never write, and paths that lead out.
    for (const p of [path.join(etc, 'scripts', 'vif-bridge'), path.join(etc, 'xl.conf'), path.join(etc, 'scripts', 'x.cfg'), path.join(etc, 'etclink', 'cron.d', 'x.cfg'), '/etc/cron.d/x.cfg', 'relative.cfg', `${etc}/../x.cfg`, cfg('secret.cfg')]) {
      requests.push(['fs-writeFileExclusive', { path: p, text: 'name = "x"\n' }], ['fs-replaceFile', { path: p, text: 'name = "x"\n' }]);
    }
    requests.push(
      ['fs-writeFileExclusive', { path: path.join(images, 'x.cfg'), text: 'name = "x"\n' }],
      ['fs-writeFileExclusive', { path: path.join(images, 'dirlink', 'new'), text: '' }],
      ['fs-readFile', { path: '/etc/shadow' }],
      ['fs-readFile', { path: cfg('secret.cfg') }],
      ['fs-readFile', { path: path.join(etc, 'etclink', 'shadow') }],
      ['fs-readFile', { path: path.join(images, 'link.img') }],
      ['fs-list', { path: '/root' }],
      ['fs-list', { path: path.join(images, 'dirlink') }],
      ['fs-stat', { path: '/etc/shadow' }],
      ['fs-remove', { path: '/etc/passwd' }],
      ['fs-remove', { path: path.join(images, 'dirlink', 'secret') }],
      ['fs-remove', { path: path.join(etc, 'scripts', 'vif-bridge') }],
      ['fs-remove', { path: path.join(etc, 'xl.conf') }],
      ['fs-symlink', { path: path.join(etc, 'auto', 'x.cfg'), target: '/etc/shadow' }],
      ['fs-symlink', { path: path.join(etc, 'auto', 'y.cfg'), target: '../../etc/shadow' }],
      ['fs-symlink', { path: path.join(etc, 'auto', 'z.cfg'), target: path.join(etc, 'xl.conf') }],
      ['fs-symlink', { path: '/etc/cron.d/x', target: cfg('good.cfg') }],
      ['fs-createSparse', { path: path.join(outside, 'big.img'), bytes: 1 }],
      ['fs-createSparse', { path: path.join(images, 'dirlink', 'big.img'), bytes: 1 }],
      ['fs-mkdirp', { path: '/etc/cron.d/xenith' }],
      ['fs-mkdirp', { path: path.join(images, 'dirlink', 'sub') }],
      run('xl', ['create', cfg('evil.cfg')]),
      run('xl', ['create', cfg('append.cfg')]),
      run('xl', ['create', cfg('secret.cfg')]),
      run('xl', ['create', '/etc/shadow']),
      run('xl', ['create', 'good.cfg']),
      run('xl', ['create', path.join(etc, 'xl.conf')]),
      run('xl', ['create', cfg('good.cfg'), 'bootloader="/bin/sh"']),
      run('xl', ['create', cfg('good.cfg'), cfg('evil.cfg')]),
      run('xl', ['block-attach', 'good', 'file:/etc/shadow,xvdb,w']),
      run('xl', ['block-attach', 'good', 'format=raw, vdev=xvdb, access=rw, target=/dev/../etc/shadow']),
      run('xl', ['block-attach', 'good', `format=raw, vdev=xvdb, access=rw, target=${images}/link.img`]),
      run('xl', ['block-attach', 'good', 'format=raw, vdev=xvdb, access=rw, target=evil.img']),
      run('xl', ['block-attach', 'good', 'format=raw, vdev=xvdb, access=rw, script=/tmp/x, target=y']),
      run('xl', ['block-attach', 'good', '/dev/null,raw,xvdb,rw']),
      run('xl', ['block-attach', '-x', `${images}/ok.img,raw,xvdb,rw`]),
      run('xl', ['cd-insert', 'good', 'hdc', '../../etc/shadow']),
      run('xl', ['cd-insert', 'good', 'hdc', '/etc/shadow']),
      run('xl', ['cd-insert', 'good', 'hdc', `${images}/link.img`]),
      run('xl', ['restore', 'evil.save']),
      run('xl', ['restore', path.join(outside, 'evil.save')]),
      run('xl', ['restore', path.join(images, 'evil.save')]),
      run('xl', ['save', 'good', '/etc/cron.d/x']),
      run('xl', ['save', 'good', 'relative.save']),
      run('xl', ['network-attach', 'good', 'bridge=xenbr0,script=/tmp/evil.sh']),
      run('xl', ['network-attach', 'good', 'bridge=xenbr0,script=../evil']),
      run('xl', ['rename', 'good', '-evil']),
      run('xl', ['rename', 'good', '.evil']),
      run('xl', ['console', '-e', 'x', 'good']),
      run('qemu-img', ['create', '-f', 'raw', path.join(images, 'link.img'), '1G']),
      run('qemu-img', ['create', '-f', 'qcow2', '-b', '/etc/shadow', path.join(images, 'n.qcow2')]),
      run('qemu-img', ['create', '-f', 'qcow2', '-o', 'backing_file=/etc/shadow', path.join(images, 'n2.qcow2')]),
      run('qemu-img', ['create', '-f', 'raw', path.join(outside, 'x.img'), '1G']),
      run('qemu-img', ['info', '/etc/shadow']),
      run('qemu-img', ['convert', path.join(images, 'a'), '/etc/shadow']),
      run('ip', ['link', 'set', 'eth0', 'down']),
      run('ip', ['-batch', '/tmp/x']),
      run('brctl', ['delbr', 'xenbr0']),
      run('xentop', ['--config=/x']),
      run('xenstore-read', ['$(id)']),
      ['run', { program: 'bash', args: ['-c', 'id'] }],
      ['run', { program: '/bin/sh', args: [] }],
      ['run', { program: 'xl', args: 'list' }],
      ['exec', { argv: ['id'] }],
      ['__proto__', {}],
      ['constructor', {}],
      ['pty-open', { args: ['destroy', 'good'], cols: 80, rows: 24 }],
      ['stream-start', { program: 'xl', args: ['list'] }],
    );
    for (const sub of ['migrate', 'cpupool-create', 'set-parameters', 'loadpolicy', 'debug-keys', 'sysrq', 'trigger', 'pci-assignable-add', 'devd', 'psr-cat-set', 'qemu-monitor-command', 'vm-list', 'remus', 'dump-core', 'usbdev-attach']) {
      requests.push(run('xl', [sub, 'good', '/etc/shadow']));
    }
    expect(requests.length).toBeGreaterThanOrEqual(100);
    const accepted: string[] = [];
    for (const [op, args] of requests) {
      const a = await send(op, args);
      if (a.ok) accepted.push(JSON.stringify({ op, args }));
    }
    expect(accepted).toEqual([]);
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(systemSnapshot()).toBe(before);
    expect(readFileSync(cfg('good.cfg'), 'utf8')).toBe('name = "good"\nmemory = 128\n');
    expect(existsSync(cfg('h.cfg'))).toBe(false);
  });

  it('still does Xenith\'s own work, so the refusals above are not a broker that refuses everything', async () => {
    expect((await send('fs-replaceFile', { path: path.join(etc, 'good.cfg'), text: `name = "good"\nmemory = 256\ndisk = [ "${images}/good.img,raw,xvda,rw" ]\n` })).ok).toBe(true);
    expect((await send(...run('xl', ['create', path.join(etc, 'good.cfg')]))).ok).toBe(true);
    expect((await send(...run('xl', ['block-attach', 'good', `${images}/b.img,raw,xvdb,rw`]))).ok).toBe(true);
    expect((await send(...run('qemu-img', ['create', '-q', '-f', 'qcow2', '--', path.join(images, 'n.qcow2'), '1073741824']))).ok).toBe(true);
    expect((await send(...run('xl', ['save', 'good', path.join(etc, 'save', 'good.save')]))).ok).toBe(true);
    expect((await send(...run('qemu-img', ['--version']))).ok).toBe(true);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual([
      `xl create ${path.join(etc, 'good.cfg')}`,
      `xl block-attach good ${images}/b.img,raw,xvdb,rw`,
      `qemu-img create -q -f qcow2 -- ${path.join(images, 'n.qcow2')} 1073741824`,
      `xl save good ${path.join(etc, 'save', 'good.save')}`,
      'qemu-img --version',
    ]);
    expect(statSync(path.join(images, 'n.qcow2')).isFile()).toBe(true);
  });
});
