import { describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { FakeFs, FakeRunner, fx } from './fakes';

function hostFiles(): FakeFs {
  return new FakeFs({
    '/etc/xen/test1.cfg': fx('test1.cfg'),
    '/etc/xen/pvh1.cfg': fx('pvh1.cfg'),
    '/etc/xen/test2.cfg': fx('test2-nodev.cfg'),
    '/etc/xen/xl.conf': '#autoballoon="auto"\n',
    '/etc/xen/broken.cfg': 'name = "broken\nmemory = \n',
    // xendomains starts copies as well as links.
    '/etc/xen/auto/test2.cfg': fx('test2-nodev.cfg'),
  }).link('/etc/xen/auto/pvh1.cfg', '../pvh1.cfg');
}

describe('listDomains', () => {
  it('merges xl list (state, time) with xl list -l (uuid, type, maxima), stopped configs and autostart', async () => {
    const runner = new FakeRunner(hostFiles());
    runner.on('xl list', fx('xl-list-with-test1.txt')).on('xl list -l', fx('xl-list-l-all.json')).on('xl uptime', fx('xl-uptime-with-test1.txt'));
    const list = await createXenApi(runner).listDomains();
    expect(runner.lines).toEqual(['xl list', 'xl list -l', 'xl uptime']);
    expect(list.map((d) => d.name)).toEqual(['Domain-0', 'test1', 'pvh1', 'test2']);
    expect(list[0]).toMatchObject({
      domid: 0,
      isDom0: true,
      state: 'running',
      stateFlags: 'r-----',
      memoryMiB: 1024,
      vcpus: 2,
      cpuTimeS: 277.7,
      configPath: null,
      autostart: false,
    });
    expect(list[1]).toEqual({
      name: 'test1',
      domid: 1,
      uuid: '791318b8-d3d6-4705-b8af-034c5b5b952e',
      type: 'pv',
      state: 'running',
      stateFlags: 'r-----',
      vcpus: 2,
      maxVcpus: 2,
      memoryMiB: 128,
      maxMemMiB: 256,
      cpuTimeS: 10.8,
      // From xl uptime's 0:00:53.
      uptimeS: 53,
      configPath: '/etc/xen/test1.cfg',
      autostart: false,
      hasVnc: false,
      isDom0: false,
      savedFile: null,
    });
    expect(list[2]).toMatchObject({
      name: 'pvh1',
      domid: null,
      type: 'pvh',
      state: 'stopped',
      stateFlags: '------',
      vcpus: 1,
      maxVcpus: 2,
      memoryMiB: 128,
      maxMemMiB: 256,
      configPath: '/etc/xen/pvh1.cfg',
      autostart: true,
    });
    expect(list[3]).toMatchObject({ name: 'test2', state: 'stopped', configPath: '/etc/xen/test2.cfg', autostart: true });
  });

  it('shows a paused and a shut-down domain by their flags', async () => {
    const runner = new FakeRunner(new FakeFs());
    runner.on('xl list', fx('xl-list-paused.txt'), fx('xl-list-after-shutdown.txt')).on('xl list -l', fx('xl-list-l-all.json')).on('xl uptime', fx('xl-uptime-with-test1.txt'));
    const api = createXenApi(runner);
    expect((await api.listDomains())[1]).toMatchObject({ name: 'test1', state: 'paused', stateFlags: '--p---', vcpus: 1 });
    expect((await api.listDomains())[1]).toMatchObject({ name: 'test1', domid: 2, state: 'shutdown', stateFlags: '--ps--' });
  });

  it('a domain that appeared between xl list and xl list -l still lists, with what is certain', async () => {
    const runner = new FakeRunner(new FakeFs({ '/etc/xen/test1.cfg': fx('test1.cfg') }));
    runner.on('xl list', fx('xl-list-with-test1.txt')).on('xl list -l', fx('xl-list-l.json')).on('xl uptime', fx('xl-uptime-with-test1.txt'));
    const list = await createXenApi(runner).listDomains();
    expect(list).toHaveLength(2);
    expect(list[1]).toMatchObject({ name: 'test1', domid: 1, uuid: null, type: 'pv', vcpus: 2, maxVcpus: 2, memoryMiB: 128, configPath: '/etc/xen/test1.cfg' });
  });

  it('works without a config or autostart directory', async () => {
    const runner = new FakeRunner(new FakeFs());
    runner.on('xl list', fx('xl-list.txt')).on('xl list -l', fx('xl-list-l.json')).on('xl uptime', fx('xl-uptime-with-test1.txt'));
    const list = await createXenApi(runner).listDomains();
    expect(list.map((d) => d.name)).toEqual(['Domain-0']);
  });
});

describe('listDomainsCheap', () => {
  it('runs only xl list while the set of domids stays the same, and the long list again when it changes', async () => {
    const runner = new FakeRunner(hostFiles());
    runner.on('xl list', fx('xl-list-with-test1.txt'), fx('xl-list-paused.txt'), fx('xl-list-after-shutdown.txt'));
    runner.on('xl list -l', fx('xl-list-l-all.json')).on('xl uptime', fx('xl-uptime-with-test1.txt'));
    const api = createXenApi(runner);
    await api.listDomainsCheap();
    expect(runner.lines).toEqual(['xl list', 'xl list -l', 'xl uptime']);
    const second = await api.listDomainsCheap();
    expect(runner.lines).toEqual(['xl list', 'xl list -l', 'xl uptime', 'xl list']);
    // States and times are fresh; the long facts are reused.
    expect(second[1]).toMatchObject({ name: 'test1', state: 'paused', cpuTimeS: 16.9, maxMemMiB: 256, uuid: '791318b8-d3d6-4705-b8af-034c5b5b952e' });
    expect(second.map((d) => d.name)).toEqual(['Domain-0', 'test1', 'pvh1', 'test2']);
    await api.listDomainsCheap(); // test1 is now domid 2
    expect(runner.lines).toEqual(['xl list', 'xl list -l', 'xl uptime', 'xl list', 'xl list', 'xl list -l', 'xl uptime']);
  });

  it('refreshes everything after an operation that changes domains or configs', async () => {
    const runner = new FakeRunner(hostFiles());
    runner.on('xl list', fx('xl-list-with-test1.txt')).on('xl list -l', fx('xl-list-l-all.json')).on('xl uptime', fx('xl-uptime-with-test1.txt')).on('xl destroy test1', '');
    const api = createXenApi(runner);
    await api.listDomainsCheap();
    await api.destroy('test1');
    await api.listDomainsCheap();
    expect(runner.lines).toEqual(['xl list', 'xl list -l', 'xl uptime', 'xl destroy test1', 'xl list', 'xl list -l', 'xl uptime']);
  });
});

describe('invalidateCache', () => {
  it('makes the next cheap list a full one', async () => {
    const runner = new FakeRunner(new FakeFs());
    runner.on('xl list', fx('xl-list.txt')).on('xl list -l', fx('xl-list-l.json')).on('xl uptime', fx('xl-uptime-with-test1.txt'));
    const api = createXenApi(runner);
    await api.listDomainsCheap();
    await api.listDomainsCheap();
    api.invalidateCache();
    await api.listDomainsCheap();
    expect(runner.lines).toEqual(['xl list', 'xl list -l', 'xl uptime', 'xl list', 'xl list', 'xl list -l', 'xl uptime']);
    expect(api.options).toMatchObject({ configDir: '/etc/xen', autoDir: '/etc/xen/auto', imageDirs: ['/var/lib/xen/images'] });
  });
});

describe('a list racing an operation', () => {
  it('does not cache what it read when a config changed meanwhile', async () => {
    const fs = new FakeFs({ '/etc/xen/test1.cfg': fx('test1.cfg') });
    const runner = new FakeRunner(fs);
    let release: (() => void) | undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    runner.on('xl list', fx('xl-list.txt')).on('xl uptime', fx('xl-uptime.txt'));
    let longCalls = 0;
    runner.use((line) => {
      if (line !== 'xl list -l') return undefined;
      longCalls += 1;
      return fx('xl-list-l.json');
    });
    const api = createXenApi(runner);
    // Hold the first long list until setAutostart has run.
    const origRun = runner.run.bind(runner);
    runner.run = async (op, args, opts) => {
      if (op === 'domains.listLong' && longCalls === 0) await gate;
      return origRun(op, args, opts);
    };
    const first = api.listDomainsCheap();
    await new Promise((r) => setTimeout(r, 5));
    await api.setAutostart('test1', true);
    release?.();
    expect((await first).find((d) => d.name === 'test1')?.autostart).toBe(false);
    const second = await api.listDomainsCheap();
    expect(second.find((d) => d.name === 'test1')?.autostart).toBe(true);
    expect(longCalls).toBe(2);
  });
});
