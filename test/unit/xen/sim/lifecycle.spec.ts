import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseXlList, type XlListRow } from '../../../../src/xen/parse/xl-list';
import { parseXlListLong, summariseLongEntry } from '../../../../src/xen/parse/xl-list-long';
import { parseXlListVerbose } from '../../../../src/xen/parse/xl-list-verbose';
import { parseXlSchedCredit2 } from '../../../../src/xen/parse/xl-sched-credit2';
import type { DemoExecutor } from '../../../../src/xen/sim/index';
import { fakeClock, SimFixture, tempStateDir } from './helpers';

const fx = new SimFixture();
afterEach(() => fx.cleanup());

async function list(r: DemoExecutor): Promise<XlListRow[]> {
  return parseXlList((await r.run('xl', ['list'])).stdout);
}
async function row(r: DemoExecutor, name: string): Promise<XlListRow | undefined> {
  return (await list(r)).find((x) => x.name === name);
}

const SMALL_CFG = (name: string, extra = ''): string =>
  `name = "${name}"\ntype = "pv"\nkernel = "/var/lib/xen/boot/vmlinuz"\nmemory = 256\nmaxmem = 512\nvcpus = 1\nmaxvcpus = 2\ndisk = [ 'file:/var/lib/xen/images/${name}.img,xvda,w' ]\nvif = [ 'bridge=xenbr0' ]\n${extra}`;

describe('demo host lifecycle', () => {
  it('CPU time grows with load while running, not while paused, at different rates per domain', async () => {
    const clock = fakeClock();
    const r = fx.executor({ clock, speed: 100 });
    const before = await list(r);
    clock.advance(60_000);
    const after = await list(r);
    const delta = (n: string): number => (after.find((x) => x.name === n)?.cpuTimeS ?? 0) - (before.find((x) => x.name === n)?.cpuTimeS ?? 0);
    expect(delta('web01')).toBeGreaterThan(0);
    expect(delta('db01')).toBeGreaterThan(0);
    expect(delta('build01')).toBe(0);
    expect(delta('web01')).not.toBeCloseTo(delta('db01'), 1);
    // A domain never uses more than its vCPUs allow.
    expect(delta('mail01')).toBeLessThanOrEqual(60.05);
  });

  it('shutdown: listed --ps-- for a moment, the name is still taken, then gone', async () => {
    const clock = fakeClock();
    const r = fx.executor({ clock, speed: 1 });
    const res = await r.run('xl', ['shutdown', 'web01']);
    expect(res.stderr).toBe('Shutting down domain 1\n');
    expect((await row(r, 'web01'))?.stateFlags).toMatch(/^[-r][-b]----$/);
    clock.advance(400);
    const v = parseXlListVerbose((await r.run('xl', ['list', '-v'])).stdout).find((x) => x.name === 'web01');
    expect(v).toMatchObject({ stateFlags: '--ps--', reasonCode: 0 });
    const again = await r.run('xl', ['create', '/etc/xen/web01.cfg'], { allowFailure: true });
    expect(again.exitCode).toBe(3);
    expect(again.stderr).toContain('Parsing config from /etc/xen/web01.cfg\n');
    expect(again.stderr).toContain('Domain with name "web01" already exists.');
    clock.advance(1500);
    expect(await row(r, 'web01')).toBeUndefined();
    await r.run('xl', ['create', '/etc/xen/web01.cfg']);
    expect((await row(r, 'web01'))?.domid).toBeGreaterThan(5);
  });

  it('shutdown -w waits for the guest and reports it, while the domain is still listed --ps--', async () => {
    const r = fx.executor({ speed: 10 });
    const res = await r.run('xl', ['shutdown', '-w', 'mail01']);
    expect(res.stderr).toBe('Shutting down domain 5\nWaiting for 1 domains\nDomain 5 has been shut down, reason code 0\n');
    expect((await row(r, 'mail01'))?.stateFlags).toBe('--ps--');
  });

  it('a paused guest acts on a shutdown only once unpaused', async () => {
    const clock = fakeClock();
    const r = fx.executor({ clock, speed: 1 });
    await r.run('xl', ['shutdown', 'build01']);
    expect((await r.run('xenstore-read', ['/local/domain/4/control/shutdown'])).stdout).toBe('poweroff\n');
    clock.advance(10_000);
    expect((await row(r, 'build01'))?.stateFlags).toBe('--p---');
    await r.run('xl', ['unpause', 'build01']);
    clock.advance(400);
    expect((await row(r, 'build01'))?.stateFlags).toBe('--ps--');
    clock.advance(1500);
    expect(await row(r, 'build01')).toBeUndefined();
  });

  it('reboot: a new domid, briefly Mem 0 VCPUs 0 --p---, then running again', async () => {
    const clock = fakeClock();
    const r = fx.executor({ clock, speed: 1 });
    expect((await r.run('xl', ['reboot', 'web01'])).stderr).toBe('Rebooting domain 1\n');
    clock.advance(600);
    const during = await row(r, 'web01');
    expect(during).toMatchObject({ memMiB: 0, vcpus: 0, stateFlags: '--p---' });
    expect(during?.domid).not.toBe(1);
    clock.advance(1500);
    // Right after the rebuild xl list briefly shows maxvcpus, as on the real host.
    expect((await row(r, 'web01'))?.vcpus).toBe(4);
    clock.advance(1500);
    const after = await row(r, 'web01');
    expect(after).toMatchObject({ domid: during?.domid, memMiB: 1024, vcpus: 2 });
    expect(after?.stateFlags).toMatch(/^[-r][-b]----$/);
    expect(after?.cpuTimeS).toBeLessThan(10);
  });

  it('a crash follows on_crash: destroy, restart, preserve', async () => {
    const clock = fakeClock();
    const r = fx.executor({ clock, speed: 1 });
    await r.fs.writeFileExclusive('/etc/xen/keep.cfg', SMALL_CFG('keep', 'on_crash = "preserve"\n'));
    await r.fs.createSparse('/var/lib/xen/images/keep.img', 1 << 30);
    await r.run('xl', ['create', '/etc/xen/keep.cfg']);
    r.sim.crash('web01'); // on_crash destroy
    r.sim.crash('db01'); // on_crash restart
    r.sim.crash('keep');
    expect((await row(r, 'web01'))?.stateFlags).toBe('--p-c-');
    clock.advance(1200);
    expect(await row(r, 'web01')).toBeUndefined();
    const db = await row(r, 'db01');
    expect(db?.domid).not.toBe(2);
    expect((await row(r, 'keep'))?.stateFlags).toBe('--p-c-');
    clock.advance(10_000);
    expect((await row(r, 'keep'))?.stateFlags).toBe('--p-c-');
    expect((await row(r, 'db01'))?.memMiB).toBe(4096);
    expect(() => r.sim.crash('nosuch')).toThrow('invalid domain identifier');
  });

  it('mem-set honours maxmem with xl’s own message; mem-max raises the ceiling', async () => {
    const r = fx.executor();
    const over = await r.run('xl', ['mem-set', 'web01', '3g'], { allowFailure: true });
    expect(over).toEqual({
      stdout: '',
      stderr:
        'libxl: error: libxl_mem.c:278:libxl_set_memory_target: Domain 1:memory_dynamic_max must be less than or equal to memory_static_max\n\ncannot set domid 1 dynamic max memory to : 3g\n',
      exitCode: 1,
    });
    await r.run('xl', ['mem-set', 'web01', '1536m']);
    expect((await row(r, 'web01'))?.memMiB).toBe(1536);
    await r.run('xl', ['mem-set', 'web01', '786432']); // default unit KiB
    expect((await row(r, 'web01'))?.memMiB).toBe(768);
    await expect(r.run('xl', ['mem-max', 'web01', '512m'])).rejects.toThrow('memory_static_max must be greater than');
    await r.run('xl', ['mem-max', 'web01', '3g']);
    await r.run('xl', ['mem-set', 'web01', '3g']);
    expect((await row(r, 'web01'))?.memMiB).toBe(3072);
    const long = summariseLongEntry(parseXlListLong((await r.run('xl', ['list', '-l', 'web01'])).stdout)[0]!);
    expect(long.maxMemMiB).toBe(3072);
    await expect(r.run('xl', ['mem-set', 'web01', 'lots'])).rejects.toThrow('invalid memory size: lots');
  });

  it('vcpu-set honours maxvcpus and the host CPU count', async () => {
    const r = fx.executor();
    await r.run('xl', ['vcpu-set', 'web01', '4']);
    expect((await row(r, 'web01'))?.vcpus).toBe(4);
    const overMax = await r.run('xl', ['vcpu-set', 'web01', '6'], { allowFailure: true });
    expect(overMax.exitCode).toBe(1);
    expect(overMax.stderr).toContain('Requested 6 VCPUs, however maxcpus is 4!');
    const overHost = await r.run('xl', ['vcpu-set', 'web01', '12'], { allowFailure: true });
    expect(overHost.stderr).toBe('You are overcommmitting! You have 8 physical CPUs and want 12 vCPUs! Aborting, use --ignore-host to continue\n');
    await r.run('xl', ['vcpu-set', 'web01', '1']);
    expect((await row(r, 'web01'))?.vcpus).toBe(1);
  });

  it('the host runs out of memory with libxl’s allocation failure', async () => {
    const r = fx.executor();
    await r.fs.writeFileExclusive('/etc/xen/huge.cfg', SMALL_CFG('huge').replace('memory = 256\nmaxmem = 512', 'memory = 8192'));
    await r.fs.createSparse('/var/lib/xen/images/huge.img', 1 << 30);
    const res = await r.run('xl', ['create', '/etc/xen/huge.cfg'], { allowFailure: true });
    expect(res.exitCode).toBe(3);
    expect(res.stderr).toContain("xc_dom_boot_mem_init: can't allocate low memory for domain: Out of memory");
    expect(res.stderr).toContain('cannot (re-)build domain: -3');
    expect(await row(r, 'huge')).toBeUndefined();
  });

  it('a missing disk image fails in the hotplug script and leaves no domain', async () => {
    const r = fx.executor();
    await r.fs.writeFileExclusive('/etc/xen/nodisk.cfg', SMALL_CFG('nodisk'));
    const res = await r.run('xl', ['create', '/etc/xen/nodisk.cfg'], { allowFailure: true });
    expect(res.exitCode).toBe(3);
    expect(res.stderr).toContain('File /var/lib/xen/images/nodisk.img is not readable or does not exist');
    expect(await row(r, 'nodisk')).toBeUndefined();
    await r.fs.createSparse('/var/lib/xen/images/nodisk.img', 1 << 30);
    await r.run('xl', ['create', '/etc/xen/nodisk.cfg']);
    expect(await row(r, 'nodisk')).toBeDefined();
  });

  it('create -p starts paused; unpause runs it; pause/destroy', async () => {
    const r = fx.executor();
    expect((await r.run('xl', ['create', '-p', '/etc/xen/test-pvh.cfg'])).stderr).toBe('Parsing config from /etc/xen/test-pvh.cfg\n');
    expect((await row(r, 'test-pvh'))?.stateFlags).toBe('--p---');
    await r.run('xl', ['unpause', 'test-pvh']);
    expect((await row(r, 'test-pvh'))?.stateFlags).toMatch(/^[-r][-b]----$/);
    await r.run('xl', ['pause', 'test-pvh']);
    expect((await row(r, 'test-pvh'))?.stateFlags).toBe('--p---');
    await r.run('xl', ['destroy', 'test-pvh']);
    expect(await row(r, 'test-pvh')).toBeUndefined();
  });

  it('create -n prints the parsed config as JSON and creates nothing; a bad config fails', async () => {
    const r = fx.executor();
    const res = await r.run('xl', ['create', '-n', '/etc/xen/test-pvh.cfg']);
    const cfg = JSON.parse(res.stdout) as { c_info: { name: string; type: string }; b_info: { target_memkb: number } };
    expect(cfg.c_info).toMatchObject({ name: 'test-pvh', type: 'pvh' });
    expect(cfg.b_info.target_memkb).toBe(1024 * 1024);
    expect(await row(r, 'test-pvh')).toBeUndefined();
    await r.fs.writeFileExclusive('/etc/xen/bad.cfg', 'name = "bad"\nmemory = [\n');
    const bad = await r.run('xl', ['create', '/etc/xen/bad.cfg'], { allowFailure: true });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toContain('config parsing error');
    const missing = await r.run('xl', ['create', '/etc/xen/none.cfg'], { allowFailure: true });
    expect(missing.stderr).toContain('Failed to read config file: /etc/xen/none.cfg: No such file or directory');
  });

  it('save writes a file in the state dir and removes the domain; restore brings it back with its uuid', async () => {
    const dir = tempStateDir();
    const r = fx.executor({ stateDir: dir });
    const uuid = parseXlListVerbose((await r.run('xl', ['list', '-v', 'mail01'])).stdout)[0]?.uuid;
    // Like stock Debian, the demo host has no /var/lib/xen/save: xl cannot open the file and says only that.
    const noFolder = await r.run('xl', ['save', 'mail01', '/var/lib/xen/save/mail01.save'], { allowFailure: true });
    expect(noFolder.exitCode).toBe(1);
    expect(noFolder.stderr).toBe('Failed to open temp file /var/lib/xen/save/mail01.save for writing\n');
    expect(await row(r, 'mail01')).toBeDefined();
    await r.fs.mkdirp('/var/lib/xen/save');
    const saved = await r.run('xl', ['save', 'mail01', '/var/lib/xen/save/mail01.save']);
    expect(saved.stderr.split('\n')[0]).toBe('Saving to /var/lib/xen/save/mail01.save new xl format (info 0x3/0x0/1200)');
    expect(saved.stderr).toContain('xc: progress: Frames: 262144/262144  100%');
    expect(existsSync(join(dir, 'root/var/lib/xen/save/mail01.save'))).toBe(true);
    expect(await row(r, 'mail01')).toBeUndefined();
    const restored = await r.run('xl', ['restore', '/var/lib/xen/save/mail01.save']);
    expect(restored.stderr).toContain('Restore successful');
    const v = parseXlListVerbose((await r.run('xl', ['list', '-v', 'mail01'])).stdout)[0];
    expect(v?.uuid).toBe(uuid);
    expect(v?.domid).not.toBe(5);
    const again = await r.run('xl', ['restore', '/var/lib/xen/save/mail01.save'], { allowFailure: true });
    expect(again.stderr).toContain('Domain with name "mail01" already exists.');
    await r.fs.writeFileExclusive('/root/junk.save', 'not a save file');
    expect((await r.run('xl', ['restore', 'junk.save'], { allowFailure: true })).stderr).toBe('File has wrong magic number - corrupt or for a different tool?\n');
  });

  it('rename keeps names unique', async () => {
    const r = fx.executor();
    const clash = await r.run('xl', ['rename', 'web01', 'db01'], { allowFailure: true });
    expect(clash.exitCode).toBe(1);
    expect(clash.stderr).toContain('Domain with name "db01" already exists.');
    await r.run('xl', ['rename', 'web01', 'www']);
    expect(await row(r, 'www')).toMatchObject({ domid: 1 });
  });

  it('hot-plug: block, network and CD changes show in xl list -l', async () => {
    const r = fx.executor();
    await r.run('xl', ['block-attach', 'web01', 'format=raw, vdev=xvdb, access=rw, target=/var/lib/xen/images/extra.img']);
    await r.run('xl', ['network-attach', 'web01', 'bridge=xenbr1', 'mac=00:16:3e:aa:bb:cc']);
    let s = summariseLongEntry(parseXlListLong((await r.run('xl', ['list', '-l', 'web01'])).stdout)[0]!);
    expect(s.disks.map((d) => d.vdev)).toEqual(['xvda', 'xvdb']);
    expect(s.nics.map((n) => [n.devid, n.mac])).toContainEqual([1, '00:16:3e:aa:bb:cc']);
    await r.run('xl', ['block-detach', 'web01', 'xvdb']);
    await r.run('xl', ['network-detach', 'web01', '00:16:3e:aa:bb:cc']);
    s = summariseLongEntry(parseXlListLong((await r.run('xl', ['list', '-l', 'web01'])).stdout)[0]!);
    expect(s.disks).toHaveLength(1);
    expect(s.nics).toHaveLength(1);
    expect((await r.run('xl', ['block-detach', 'web01', 'xvdq'], { allowFailure: true })).stderr).toBe('Error: Device xvdq not connected.\n');
    expect((await r.run('xl', ['network-detach', 'web01', '7'], { allowFailure: true })).stderr).toBe('Unknown device 7.\n');
    await r.run('xl', ['cd-eject', 'win-desktop', 'hdc']);
    s = summariseLongEntry(parseXlListLong((await r.run('xl', ['list', '-l', 'win-desktop'])).stdout)[0]!);
    expect(s.disks[1]).toMatchObject({ vdev: 'hdc', cdrom: true });
    await r.run('xl', ['cd-insert', 'win-desktop', 'hdc', '/var/lib/xen/iso/other.iso']);
    s = summariseLongEntry(parseXlListLong((await r.run('xl', ['list', '-l', 'win-desktop'])).stdout)[0]!);
    expect(s.disks[1]?.target).toBe('/var/lib/xen/iso/other.iso');
    expect((await r.run('xl', ['cd-insert', 'web01', 'xvda', '/x.iso'], { allowFailure: true })).exitCode).toBe(1);
  });

  it('sched-credit2 -d shows and sets one domain’s weight', async () => {
    const r = fx.executor();
    await r.run('xl', ['sched-credit2', '-d', 'web01', '-w', '512']);
    const pools = parseXlSchedCredit2((await r.run('xl', ['sched-credit2', '-d', 'web01'])).stdout);
    expect(pools).toEqual([{ pool: null, ratelimitUs: null, domains: [{ name: 'web01', domid: 1, weight: 512, cap: 0 }] }]);
    expect((await r.run('xl', ['sched-credit2', '-d', 'web01', '-w', '0'], { allowFailure: true })).exitCode).toBe(1);
  });

  it('vcpu-pin changes the hard affinity vcpu-list shows', async () => {
    const r = fx.executor();
    await r.run('xl', ['vcpu-pin', 'web01', '0', '2-3']);
    expect((await r.run('xl', ['vcpu-list', 'web01'])).stdout).toContain('2-3 / all');
    expect((await r.run('xl', ['vcpu-pin', 'web01', '0', '99'], { allowFailure: true })).exitCode).toBe(1);
  });
});

describe('demo host persistence', () => {
  it('a new runner on the same state dir keeps running domains, configs and autostart links', async () => {
    const dir = tempStateDir();
    const clock = fakeClock();
    const a = fx.executor({ stateDir: dir, clock });
    await a.run('xl', ['create', '/etc/xen/test-pvh.cfg']);
    await a.run('xl', ['mem-set', 'web01', '1500m']);
    const cpuBefore = (await row(a, 'db01'))?.cpuTimeS ?? 0;
    await a.close();
    clock.advance(30_000);
    const b = fx.executor({ stateDir: dir, clock });
    const rows = await list(b);
    expect(rows.map((x) => x.name)).toContain('test-pvh');
    expect(rows.find((x) => x.name === 'web01')?.memMiB).toBe(1500);
    // The host kept running while the app was away.
    expect(rows.find((x) => x.name === 'db01')?.cpuTimeS).toBeGreaterThan(cpuBefore);
    expect(readlinkSync(join(dir, 'root/etc/xen/auto/web01.cfg'))).toBe('../web01.cfg');
    expect(await b.fs.readlink('/etc/xen/auto/web01.cfg')).toBe('/etc/xen/web01.cfg');
  });

  it('seedDomains: N seeds N domains on a bigger host', async () => {
    const r = fx.executor({ seedDomains: 40 });
    const cfgs = (await r.fs.list('/etc/xen')).filter((f) => f.endsWith('.cfg'));
    expect(cfgs).toHaveLength(40);
    const rows = await list(r);
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.length).toBeLessThanOrEqual(41);
  });
});
