import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXlConfig } from '../../../../src/xen/config/xl-config';
import { makeTempDir, writeScript } from '../runner/fake-bin';

// An attacker's view of the root broker: a process that can write anything to its stdin. The broker takes Xenith's
// operations ({op, args}), never a program, an argv or a file's text. The broker is spawned as a
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

/** The values xl would act on in a config text: what the app's broker client sends for it. */
function valuesOf(text: string): Record<string, unknown> {
  return parseXlConfig(text).toObject();
}

describe('the root broker under attack', () => {
  it('refuses every hostile request, runs nothing, and changes no file outside its folders', async () => {
    const before = systemSnapshot();
    const cfg = (name: string) => path.join(etc, name);
    const requests: [unknown, unknown][] = [];
    for (const text of hostileConfigs()) {
      // As values (what the client sends), and as text (which the broker never takes).
      requests.push(['config.create', { path: cfg('h.cfg'), values: valuesOf(text) }], ['config.replace', { path: cfg('good.cfg'), values: valuesOf(text) }]);
      requests.push(['config.create', { path: cfg('h.cfg'), text }], ['config.replace', { path: cfg('good.cfg'), values: valuesOf(text), text }]);
    }
    // Keys and values that are not xl's: a key carrying a newline and a second statement, a nested value bomb.
    requests.push(
      ['config.create', { path: cfg('h.cfg'), values: { 'name = "h"\nbootloader': '/tmp/evil' } }],
      ['config.create', { path: cfg('h.cfg'), values: { name: 'h', memory: { toString: '/tmp/evil' } } }],
      ['config.create', { path: cfg('h.cfg'), values: { name: 'h', bootloader: ['pygrub', '/tmp/evil'] } }],
      ['config.create', { path: cfg('h.cfg'), values: { name: 'h\nbootloader="/tmp/evil"' } }],
    );
    // Files root must never write, and paths that lead out.
    for (const p of [path.join(etc, 'scripts', 'vif-bridge'), path.join(etc, 'xl.conf'), path.join(etc, 'scripts', 'x.cfg'), path.join(etc, 'etclink', 'cron.d', 'x.cfg'), '/etc/cron.d/x.cfg', 'relative.cfg', `${etc}/../x.cfg`, cfg('secret.cfg')]) {
      requests.push(['config.create', { path: p, values: { name: 'x' } }], ['config.replace', { path: p, values: { name: 'x' } }]);
    }
    requests.push(
      ['config.create', { path: path.join(images, 'x.cfg'), values: { name: 'x' } }],
      ['image.claim', { path: path.join(images, 'dirlink', 'new') }],
      ['image.claim', { path: path.join(images, 'link.img') }],
      ['image.claim', { path: cfg('new.cfg') }],
      ['fs.readFile', { path: '/etc/shadow' }],
      ['fs.readFile', { path: cfg('secret.cfg') }],
      ['fs.readFile', { path: path.join(etc, 'etclink', 'shadow') }],
      ['fs.readFile', { path: path.join(images, 'link.img') }],
      ['fs.list', { path: '/root' }],
      ['fs.list', { path: path.join(images, 'dirlink') }],
      ['fs.stat', { path: '/etc/shadow' }],
      ['fs.remove', { path: '/etc/passwd' }],
      ['fs.remove', { path: path.join(images, 'dirlink', 'secret') }],
      ['fs.remove', { path: path.join(etc, 'scripts', 'vif-bridge') }],
      ['fs.remove', { path: path.join(etc, 'xl.conf') }],
      ['autostart.link', { path: path.join(etc, 'auto', 'x.cfg'), target: '/etc/shadow' }],
      ['autostart.link', { path: path.join(etc, 'auto', 'y.cfg'), target: '../../etc/shadow' }],
      ['autostart.link', { path: path.join(etc, 'auto', 'z.cfg'), target: path.join(etc, 'xl.conf') }],
      ['autostart.link', { path: '/etc/cron.d/x', target: cfg('good.cfg') }],
      ['image.createSparse', { path: path.join(outside, 'big.img'), bytes: 1 }],
      ['image.createSparse', { path: path.join(images, 'dirlink', 'big.img'), bytes: 1 }],
      ['fs.mkdirp', { path: '/etc/cron.d/xenith' }],
      ['fs.mkdirp', { path: path.join(images, 'dirlink', 'sub') }],
      ['domain.create', { file: cfg('evil.cfg') }],
      ['domain.create', { file: cfg('append.cfg') }],
      ['domain.create', { file: cfg('secret.cfg') }],
      ['domain.create', { file: '/etc/shadow' }],
      ['domain.create', { file: 'good.cfg' }],
      ['domain.create', { file: path.join(etc, 'xl.conf') }],
      ['domain.create', { file: cfg('good.cfg'), overrides: ['bootloader="/bin/sh"'] }],
      ['domain.create', { file: [cfg('good.cfg'), cfg('evil.cfg')] }],
      ['domain.create', { file: cfg('good.cfg'), paused: '-p' }],
      ['domain.blockAttach', { dom: 'good', spec: 'file:/etc/shadow,xvdb,w' }],
      ['domain.blockAttach', { dom: 'good', spec: 'format=raw, vdev=xvdb, access=rw, target=/dev/../etc/shadow' }],
      ['domain.blockAttach', { dom: 'good', spec: '/dev/../etc/shadow,raw,xvdb,rw' }],
      ['domain.blockAttach', { dom: 'good', spec: '/etc/shadow,raw,xvdb,rw' }],
      ['domain.blockAttach', { dom: 'good', spec: `${images}/link.img,raw,xvdb,rw` }],
      ['domain.blockAttach', { dom: 'good', spec: 'evil.img,raw,xvdb,rw' }],
      ['domain.blockAttach', { dom: 'good', spec: 'raw,xvdb,rw,script=/tmp/x,target=/dev/vg/y' }],
      ['domain.blockAttach', { dom: 'good', spec: '/dev/null,raw,xvdb,rw' }],
      ['domain.blockAttach', { dom: '-x', spec: `${images}/ok.img,raw,xvdb,rw` }],
      ['domain.cdInsert', { dom: 'good', vdev: 'hdc', file: '../../etc/shadow' }],
      ['domain.cdInsert', { dom: 'good', vdev: 'hdc', file: '/etc/shadow' }],
      ['domain.cdInsert', { dom: 'good', vdev: 'hdc', file: `${images}/link.img` }],
      ['domain.cdInsert', { dom: 'good', vdev: 'hdc -x', file: `${images}/ok.iso` }],
      ['domain.restore', { file: 'evil.save' }],
      ['domain.restore', { file: path.join(outside, 'evil.save') }],
      ['domain.restore', { file: path.join(images, 'evil.save') }],
      ['domain.save', { dom: 'good', file: '/etc/cron.d/x' }],
      ['domain.save', { dom: 'good', file: 'relative.save' }],
      ['domain.networkAttach', { dom: 'good', spec: 'bridge=xenbr0,script=/tmp/evil.sh' }],
      ['domain.networkAttach', { dom: 'good', spec: 'bridge=xenbr0,script=../evil' }],
      ['domain.rename', { dom: 'good', newName: '-evil' }],
      ['domain.rename', { dom: 'good', newName: '.evil' }],
      ['domain.rename', { dom: 'good', newName: '123' }],
      ['console.open', { dom: 'good', extra: ['-e', 'x'] }],
      ['console.open', { dom: '0' }],
      ['domain.memSet', { dom: 'good', mib: '512m; reboot' }],
      ['domain.vcpuPin', { dom: 'good', vcpu: 0, hard: '0; id' }],
      ['domain.schedSet', { dom: 'good' }],
      ['domain.pause', { dom: 'good', argv: ['--help'] }],
      ['domain.pause', { dom: ['good', 'evil'] }],
      ['domain.pause', { dom: '99999' }],
      ['domain.pause', {}],
      ['image.createQcow2', { path: path.join(images, 'link.img'), bytes: 1 << 30 }],
      ['image.createQcow2', { path: path.join(images, 'n.qcow2'), bytes: 1 << 30, backing: '/etc/shadow' }],
      ['image.createQcow2', { path: path.join(images, 'n2.qcow2'), bytes: 1 << 30, options: 'backing_file=/etc/shadow' }],
      ['image.createQcow2', { path: path.join(outside, 'x.img'), bytes: 1 << 30 }],
      ['image.createQcow2', { path: path.join(images, 'dirlink', 'x.img'), bytes: 1 << 30 }],
      ['xenstore.read', { key: '$(id)' }],
      ['xenstore.read', { key: '/local/../../x' }],
      ['xenstore.list', { path: '-s' }],
      ['stats.xentop', { delayS: 1, config: '/x' }],
      ['stats.xentop', { delayS: '1 --config=/x' }],
      ['run', { program: 'bash', args: ['-c', 'id'] }],
      ['run', { program: 'xl', args: ['list'] }],
      ['run', { program: '/bin/sh', args: [] }],
      ['exec', { argv: ['id'] }],
      ['fs-writeFileExclusive', { path: cfg('old.cfg'), text: 'name = "x"\n' }],
      ['fs-replaceFile', { path: cfg('good.cfg'), text: 'name = "x"\n' }],
      ['pty-open', { args: ['destroy', 'good'], cols: 80, rows: 24 }],
      ['stream-start', { program: 'xl', args: ['list'] }],
      ['__proto__', {}],
      ['constructor', {}],
      ['toString', {}],
      [{ toString: 'domain.pause' }, { dom: 'good' }],
      ['domain.pause', 'good'],
    );
    for (const op of ['xl.migrate', 'domain.migrate', 'cpupool.create', 'host.setParameters', 'xsm.loadPolicy', 'host.debugKeys', 'domain.sysrq', 'domain.trigger', 'pci.assignableAdd', 'domain.qemuMonitor', 'domain.dumpCore', 'domain.usbdevAttach']) {
      requests.push([op, { dom: 'good', file: '/etc/shadow' }]);
    }
    expect(requests.length).toBeGreaterThanOrEqual(100);
    const accepted: string[] = [];
    for (const [op, args] of requests) {
      const a = await send(op, args);
      if (a.ok) accepted.push(JSON.stringify({ op, args }));
    }
    expect(accepted).toEqual([]);
    console.log(`hostile broker: ${requests.length} requests, all refused`);
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(systemSnapshot()).toBe(before);
    expect(readFileSync(cfg('good.cfg'), 'utf8')).toBe('name = "good"\nmemory = 128\n');
    expect(existsSync(cfg('h.cfg'))).toBe(false);
  });

  it('still does Xenith\'s own work, so the refusals above are not a broker that refuses everything', async () => {
    const good = `name = "good"\nmemory = 256\ndisk = [ "${images}/good.img,raw,xvda,rw" ]\n`;
    expect((await send('config.replace', { path: path.join(etc, 'good.cfg'), values: valuesOf(good) })).ok).toBe(true);
    expect((await send('domain.create', { file: path.join(etc, 'good.cfg') })).ok).toBe(true);
    expect((await send('domain.blockAttach', { dom: 'good', spec: `${images}/b.img,raw,xvdb,rw` })).ok).toBe(true);
    expect((await send('image.claim', { path: path.join(images, 'n.qcow2') })).ok).toBe(true);
    expect((await send('image.createQcow2', { path: path.join(images, 'n.qcow2'), bytes: 1073741824 })).ok).toBe(true);
    expect((await send('domain.save', { dom: 'good', file: path.join(etc, 'save', 'good.save') })).ok).toBe(true);
    expect((await send('qemuImg.version', {})).ok).toBe(true);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual([
      `xl create ${path.join(etc, 'good.cfg')}`,
      `xl block-attach good ${images}/b.img,raw,xvdb,rw`,
      `qemu-img create -q -f qcow2 -- ${path.join(images, 'n.qcow2')} 1073741824`,
      `xl save good ${path.join(etc, 'save', 'good.save')}`,
      'qemu-img --version',
    ]);
    expect(readFileSync(path.join(etc, 'good.cfg'), 'utf8')).toBe(good);
    expect(statSync(path.join(images, 'n.qcow2')).isFile()).toBe(true);
  });
});
