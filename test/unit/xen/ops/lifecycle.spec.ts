import { describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { FakeFs, FakeRunner, fx, rejection } from './fakes';

const TEST1_CFG = fx('test1.cfg');

function setup(files: Record<string, string> = {}) {
  const runner = new FakeRunner(new FakeFs(files));
  const api = createXenApi(runner, { pollIntervalMs: 1, shutdownTimeoutMs: 2_000 });
  return { runner, api };
}

describe('create and dryRun', () => {
  it('runs xl create with the path, -p when paused, and the create timeout', async () => {
    const { runner, api } = setup();
    runner.on('xl create /etc/xen/test1.cfg', '').on('xl create -p /etc/xen/test1.cfg', '');
    await api.create('/etc/xen/test1.cfg');
    await api.create('/etc/xen/test1.cfg', { paused: true });
    expect(runner.argvs).toEqual([
      ['xl', 'create', '/etc/xen/test1.cfg'],
      ['xl', 'create', '-p', '/etc/xen/test1.cfg'],
    ]);
    expect(runner.calls[0]?.timeoutMs).toBe(180_000);
  });

  it('refuses a relative path or an option-looking path before running anything', async () => {
    const { runner, api } = setup();
    await expect(api.create('test1.cfg')).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'configPath' } });
    await expect(api.create('-h')).rejects.toMatchObject({ code: 'INVALID_ARG' });
    await expect(api.dryRun('/etc/xen/a;b.cfg')).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(runner.calls).toEqual([]);
  });

  it('dryRun runs xl create -n and returns the JSON, with or without xl\'s "Parsing config" line in front', async () => {
    const json = '{\n    "c_info": {\n        "type": "pv",\n        "name": "test1"\n    },\n    "b_info": {\n        "max_memkb": 262144\n    }\n}\n';
    const { runner, api } = setup();
    runner.on('xl create -n /etc/xen/test1.cfg', `Parsing config from /etc/xen/test1.cfg\n${json}`, json);
    const a = await api.dryRun('/etc/xen/test1.cfg');
    const b = await api.dryRun('/etc/xen/test1.cfg');
    expect(a).toEqual({ c_info: { type: 'pv', name: 'test1' }, b_info: { max_memkb: 262144 } });
    expect(b).toEqual(a);
    expect(runner.lines).toEqual(['xl create -n /etc/xen/test1.cfg', 'xl create -n /etc/xen/test1.cfg']);
  });

  it('dryRun reports truncated JSON as PARSE and passes xl\'s own error through', async () => {
    const { runner, api } = setup();
    runner.on('xl create -n /etc/xen/bad.cfg', '{\n  "c_info": {');
    runner.on('xl create -n /etc/xen/worse.cfg', {
      stderr: 'Parsing config from /etc/xen/worse.cfg\n/etc/xen/worse.cfg:3: config parsing error near `x\': syntax error\n',
      exitCode: 1,
    });
    await expect(api.dryRun('/etc/xen/bad.cfg')).rejects.toMatchObject({ code: 'PARSE' });
    const e = await rejection(api.dryRun('/etc/xen/worse.cfg'));
    expect(e.code).toBe('XL_FAILED');
    expect(e.message).toContain('config parsing error');
  });
});

describe('shutdown', () => {
  it('runs xl shutdown -w, then polls xl list until the name is gone (xl returns while it is still --ps--)', async () => {
    const { runner, api } = setup();
    runner.on('xl shutdown -w test1', '');
    runner.on('xl list', fx('xl-list-after-shutdown.txt'), fx('xl-list-after-shutdown.txt'), fx('xl-list.txt'));
    await api.shutdown('test1');
    expect(runner.lines).toEqual(['xl shutdown -w test1', 'xl list', 'xl list', 'xl list']);
  });

  it('by domid, waits for that domid to go even when a new domain takes the name', async () => {
    const { runner, api } = setup();
    runner.on('xl shutdown -w 2', '');
    // after-shutdown: test1 is domid 2 --ps--; with-test1: test1 is back as domid 1 (a different domain).
    runner.on('xl list', fx('xl-list-after-shutdown.txt'), fx('xl-list-with-test1.txt'));
    await api.shutdown(2);
    expect(runner.lines).toEqual(['xl shutdown -w 2', 'xl list', 'xl list']);
  });

  it('times out with TIMEOUT when the domain never leaves the list', async () => {
    const runner = new FakeRunner();
    const api = createXenApi(runner, { pollIntervalMs: 5, shutdownTimeoutMs: 40 });
    runner.on('xl shutdown -w test1', '').on('xl list', fx('xl-list-after-shutdown.txt'));
    await expect(api.shutdown('test1')).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(runner.lines.filter((l) => l === 'xl list').length).toBeGreaterThan(1);
    expect(runner.calls[0]?.timeoutMs).toBe(40);
  });

  it('without wait runs plain xl shutdown and does not poll; force adds -F', async () => {
    const { runner, api } = setup();
    runner.on('xl shutdown test1', '').on('xl shutdown -F hvm1', '');
    await api.shutdown('test1', { wait: false });
    await api.shutdown('hvm1', { wait: false, force: true });
    expect(runner.lines).toEqual(['xl shutdown test1', 'xl shutdown -F hvm1']);
  });

  it("passes xl's error for a missing domain through intact", async () => {
    const { runner, api } = setup();
    runner.on('xl shutdown -w test1', { stderr: fx('xl-list-nonexistent.txt').replace('nosuchdomain', 'test1'), exitCode: 1 });
    await expect(api.shutdown('test1')).rejects.toMatchObject({
      code: 'XL_FAILED',
      message: 'test1 is an invalid domain identifier (rc=-6)',
    });
  });
});

describe('simple lifecycle commands', () => {
  it('builds the exact argv of reboot, destroy, pause and unpause', async () => {
    const { runner, api } = setup();
    runner.use(() => '');
    await api.reboot('test1');
    await api.reboot(3, { force: true });
    await api.destroy('test1');
    await api.pause('test1');
    await api.unpause(1);
    expect(runner.argvs).toEqual([
      ['xl', 'reboot', 'test1'],
      ['xl', 'reboot', '-F', '3'],
      ['xl', 'destroy', 'test1'],
      ['xl', 'pause', 'test1'],
      ['xl', 'unpause', '1'],
    ]);
  });
});

describe('save and restore', () => {
  it('saves to a new absolute file, with -c to leave it running', async () => {
    const { runner, api } = setup({ '/root/.profile': '' });
    runner.use(() => '');
    await api.save('test1', '/root/t.save');
    await api.save('test1', '/root/u.save', { leaveRunning: true });
    expect(runner.argvs).toEqual([
      ['xl', 'save', 'test1', '/root/t.save'],
      ['xl', 'save', '-c', 'test1', '/root/u.save'],
    ]);
    expect(runner.calls[0]?.timeoutMs).toBe(600_000);
  });

  it('makes the default save directory stock Debian lacks, and refuses any other missing folder by name', async () => {
    const fs = new FakeFs();
    const runner = new FakeRunner(fs);
    const api = createXenApi(runner, { pollIntervalMs: 1 });
    runner.use(() => '');
    expect(await fs.stat('/var/lib/xen/save')).toBeNull();
    await api.save('test1', '/var/lib/xen/save/test1.save');
    expect((await fs.stat('/var/lib/xen/save'))?.isDirectory).toBe(true);
    expect(runner.argvs).toEqual([['xl', 'save', 'test1', '/var/lib/xen/save/test1.save']]);
    await expect(api.save('test1', '/srv/none/test1.save')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'The folder /srv/none does not exist',
      detail: { field: 'file' },
    });
    expect(await fs.stat('/srv/none')).toBeNull();
    expect(runner.argvs).toHaveLength(1);
  });

  it('never saves over an existing file or to a relative one', async () => {
    const { runner, api } = setup({ '/root/t.save': 'old' });
    await expect(api.save('test1', '/root/t.save')).rejects.toMatchObject({ code: 'EXISTS' });
    await expect(api.save('test1', 't.save')).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'file' } });
    expect(runner.calls).toEqual([]);
  });

  it('restores from an existing file, -p when paused; a missing file is NOT_FOUND', async () => {
    const { runner, api } = setup({ '/root/t.save': 'x' });
    runner.use(() => '');
    await api.restore('/root/t.save');
    await api.restore('/root/t.save', { paused: true });
    await expect(api.restore('/root/none.save')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(runner.argvs).toEqual([
      ['xl', 'restore', '/root/t.save'],
      ['xl', 'restore', '-p', '/root/t.save'],
    ]);
  });
});

describe('rename', () => {
  it('renames the running domain, its NAME.cfg (name= too) and its autostart link', async () => {
    const fs = new FakeFs({ '/etc/xen/test1.cfg': TEST1_CFG }).link('/etc/xen/auto/test1.cfg', '/etc/xen/test1.cfg');
    const runner = new FakeRunner(fs);
    const api = createXenApi(runner);
    runner.on('xl list', fx('xl-list-with-test1.txt')).on('xl rename test1 web', '');
    const r = await api.rename('test1', 'web');
    expect(runner.lines).toEqual(['xl list', 'xl rename test1 web']);
    expect(r.configPath).toBe('/etc/xen/web.cfg');
    const text = await fs.readFile('/etc/xen/web.cfg');
    expect(text).toMatch(/^name\s*=\s*"web"$/m);
    expect(text).toContain('# PV guest for xenlab');
    expect(await fs.stat('/etc/xen/test1.cfg')).toBeNull();
    expect(await fs.readlink('/etc/xen/auto/web.cfg')).toBe('/etc/xen/web.cfg');
    expect(await fs.stat('/etc/xen/auto/test1.cfg')).toBeNull();
  });

  it('replaces several autostart entries for the old file (a link and a copy) with one link', async () => {
    const fs = new FakeFs({ '/etc/xen/test1.cfg': TEST1_CFG, '/etc/xen/auto/test1.cfg': TEST1_CFG }).link('/etc/xen/auto/t1', '../test1.cfg');
    const runner = new FakeRunner(fs);
    runner.on('xl list', fx('xl-list.txt'));
    await createXenApi(runner).rename('test1', 'web');
    expect(await fs.list('/etc/xen/auto')).toEqual(['web.cfg']);
    expect(await fs.readlink('/etc/xen/auto/web.cfg')).toBe('/etc/xen/web.cfg');
  });

  it('keeps a config file whose name differs from the domain, editing name= in place', async () => {
    const fs = new FakeFs({ '/etc/xen/lab.cfg': TEST1_CFG });
    const runner = new FakeRunner(fs);
    const api = createXenApi(runner);
    runner.on('xl list', fx('xl-list.txt'));
    const r = await api.rename('test1', 'web');
    expect(runner.lines).toEqual(['xl list']); // stopped: no xl rename
    expect(r.configPath).toBe('/etc/xen/lab.cfg');
    expect(await fs.readFile('/etc/xen/lab.cfg')).toMatch(/^name\s*=\s*"web"$/m);
  });

  it('refuses before xl rename when the new config file exists, and leaves both files alone', async () => {
    const other = TEST1_CFG.replace('"test1"', '"other"');
    const fs = new FakeFs({ '/etc/xen/test1.cfg': TEST1_CFG, '/etc/xen/web.cfg': other });
    const runner = new FakeRunner(fs);
    const api = createXenApi(runner);
    runner.on('xl list', fx('xl-list-with-test1.txt'));
    await expect(api.rename('test1', 'web')).rejects.toMatchObject({ code: 'EXISTS' });
    expect(runner.lines).toEqual(['xl list']);
    expect(await fs.readFile('/etc/xen/test1.cfg')).toBe(TEST1_CFG);
    expect(await fs.readFile('/etc/xen/web.cfg')).toBe(other);
  });

  it('refuses a running name and a hostile new name', async () => {
    const { runner, api } = setup({ '/etc/xen/test1.cfg': TEST1_CFG });
    runner.on('xl list', fx('xl-list-with-test1.txt'));
    await expect(api.rename('test1', 'Domain-0')).rejects.toMatchObject({ code: 'EXISTS' });
    const before = runner.calls.length;
    await expect(api.rename('test1', '-h')).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'newName' } });
    await expect(api.rename('test1', 'a b')).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(runner.calls.length).toBe(before);
  });
});
