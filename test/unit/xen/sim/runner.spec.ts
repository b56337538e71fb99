import { afterEach, describe, expect, it } from 'vitest';
import { isXenError } from '../../../../src/xen/errors';
import { parseXenstoreLs, parseXenstoreRead, vncFrom, consoleTtyFrom } from '../../../../src/xen/parse/xenstore';
import { parseXentopBatch } from '../../../../src/xen/parse/xentop';
import { parseXlBlockList } from '../../../../src/xen/parse/xl-block-list';
import { parseXlDmesg } from '../../../../src/xen/parse/xl-dmesg';
import { parseXlInfo } from '../../../../src/xen/parse/xl-info';
import { parseXlList } from '../../../../src/xen/parse/xl-list';
import { parseXlListLong, summariseLongEntry } from '../../../../src/xen/parse/xl-list-long';
import { parseXlListVerbose } from '../../../../src/xen/parse/xl-list-verbose';
import { parseXlNetworkList } from '../../../../src/xen/parse/xl-network-list';
import { parseXlSchedCredit2 } from '../../../../src/xen/parse/xl-sched-credit2';
import { parseXlUptime } from '../../../../src/xen/parse/xl-uptime';
import { parseXlVcpuList } from '../../../../src/xen/parse/xl-vcpu-list';
import { SimFixture, waitFor } from './helpers';

const fx = new SimFixture();
afterEach(() => fx.cleanup());

describe('demo runner: read commands parse with the real parsers', () => {
  it('is the demo host', () => {
    const r = fx.executor();
    expect(r.kind).toBe('demo');
    expect(r.label).toBe('demo host');
  });

  it('xl list shows the seeded PV, PVH and HVM domains, running and paused', async () => {
    const r = fx.executor();
    const rows = parseXlList((await r.run('xl', ['list'])).stdout);
    expect(rows.map((x) => x.name)).toEqual(['Domain-0', 'web01', 'db01', 'win-desktop', 'build01', 'mail01']);
    expect(rows[0]).toMatchObject({ domid: 0, memMiB: 2048, vcpus: 2, stateFlags: 'r-----' });
    expect(rows.find((x) => x.name === 'build01')?.stateFlags).toBe('--p---');
    expect(rows.find((x) => x.name === 'db01')).toMatchObject({ memMiB: 4096, vcpus: 4 });
    // Stopped ones exist only as configs.
    expect(await r.fs.list('/etc/xen')).toEqual(expect.arrayContaining(['test-pvh.cfg', 'legacy-hvm.cfg', 'web01.cfg', 'auto']));
  });

  it('xl list -v and a single domain', async () => {
    const r = fx.executor();
    const v = parseXlListVerbose((await r.run('xl', ['list', '-v'])).stdout);
    expect(v[0]?.uuid).toBe('00000000-0000-0000-0000-000000000000');
    expect(v.every((x) => x.reasonCode === null)).toBe(true);
    const one = parseXlList((await r.run('xl', ['list', 'web01'])).stdout);
    expect(one.map((x) => x.name)).toEqual(['web01']);
  });

  it('xl list -l: types, VNC, disks and NICs as libxl prints them', async () => {
    const r = fx.executor();
    const entries = parseXlListLong((await r.run('xl', ['list', '-l'])).stdout).map(summariseLongEntry);
    const by = new Map(entries.map((e) => [e.name, e]));
    expect(by.get('Domain-0')).toMatchObject({ domid: 0, uuid: null, disks: [], nics: [] });
    expect(by.get('web01')).toMatchObject({ type: 'pv', maxMemMiB: 2048, maxVcpus: 4, hasVnc: false });
    expect(by.get('db01')?.type).toBe('pvh');
    expect(by.get('db01')?.disks.map((d) => d.vdev)).toEqual(['xvda', 'xvdb', 'xvdc']);
    expect(by.get('db01')?.nics.map((n) => n.bridge)).toEqual(['xenbr0', 'xenbr1']);
    expect(by.get('win-desktop')).toMatchObject({ type: 'hvm', hasVnc: true });
    expect(by.get('win-desktop')?.disks[1]).toMatchObject({ vdev: 'hdc', cdrom: true, readonly: true });
  });

  it('xl info, vcpu-list, uptime, sched-credit2, dmesg', async () => {
    const r = fx.executor();
    const info = parseXlInfo((await r.run('xl', ['info'])).stdout);
    expect(info.raw['total_memory']).toBe('16384');
    expect(Number(info.raw['free_memory'])).toBeGreaterThan(0);
    expect(Number(info.raw['free_memory'])).toBeLessThan(16384 - 2048 - 1024 - 4096 - 2048 - 2048 - 512);
    const infoN = parseXlInfo((await r.run('xl', ['info', '-n'])).stdout);
    expect(infoN.raw['nr_cpus']).toBe('8');

    const vcpus = parseXlVcpuList((await r.run('xl', ['vcpu-list', 'web01'])).stdout);
    expect(vcpus.map((v) => [v.vcpu, v.online])).toEqual([
      [0, true],
      [1, true],
      [2, false],
      [3, false],
    ]);
    const up = parseXlUptime((await r.run('xl', ['uptime'])).stdout);
    expect(up.find((u) => u.name === 'web01')?.uptimeS).toBeGreaterThan(3 * 86400);
    const sched = parseXlSchedCredit2((await r.run('xl', ['sched-credit2'])).stdout);
    expect(sched[0]?.pool).toBe('Pool-0');
    expect(sched[0]?.domains).toHaveLength(6);
    expect(parseXlDmesg((await r.run('xl', ['dmesg'])).stdout).length).toBeGreaterThan(50);
  });

  it('xl network-list and block-list for one or several domains', async () => {
    const r = fx.executor();
    const nets = parseXlNetworkList((await r.run('xl', ['network-list', 'db01'])).stdout);
    expect(nets.map((n) => [n.idx, n.state])).toEqual([
      [0, 4],
      [1, 4],
    ]);
    const blocks = parseXlBlockList((await r.run('xl', ['block-list', 'db01', 'win-desktop'])).stdout);
    expect(blocks.map((b) => b.vdevName)).toEqual(['xvda', 'xvdb', 'xvdc', 'hda', 'hdc']);
    expect(parseXlBlockList((await r.run('xl', ['block-list', '0'])).stdout)).toEqual([]);
  });

  it('xentop -b: first frame 0.0 %, later frames from CPU deltas', async () => {
    const r = fx.executor();
    const frames = parseXentopBatch((await r.run('xentop', ['-b', '-i', '2', '-d', '1'])).stdout);
    expect(frames).toHaveLength(2);
    expect(frames[0]?.domains.every((d) => d.cpuPct === 0)).toBe(true);
    expect(frames[1]?.domains.some((d) => d.cpuPct > 0)).toBe(true);
    const build = frames[1]?.domains.find((d) => d.name === 'build01');
    expect(build).toMatchObject({ stateFlags: '----p-', cpuPct: 0 });
    // Without -f xentop cuts names to 10 columns.
    expect(frames[0]?.domains.map((d) => d.name)).toContain('win-deskto');
  });

  it('xentop stream: frames every delay until kill()', async () => {
    const r = fx.executor({ speed: 50 });
    const h = r.stream('xentop', ['-b', '-d', '1', '-f']);
    let text = '';
    h.stdout.on('data', (b: Buffer | string) => {
      text += String(b);
    });
    await waitFor(() => text.split('NAME').length > 3);
    h.kill();
    expect(await h.exited).toBeNull();
    const frames = parseXentopBatch(text);
    expect(frames.length).toBeGreaterThanOrEqual(3);
    expect(frames[0]?.domains.map((d) => d.name)).toContain('win-desktop');
  });

  it('xenstore: console tty, VNC port and listen address', async () => {
    const r = fx.executor();
    const ls = parseXenstoreLs((await r.run('xenstore-ls', ['-f', '/local/domain/3'])).stdout);
    expect(consoleTtyFrom(ls, 3)).toMatch(/^\/dev\/pts\/[0-9]+$/);
    const vnc = vncFrom(ls, 3);
    expect(vnc?.listen).toBe('127.0.0.1');
    expect(vnc?.port).toBeGreaterThan(1023);
    const port = parseXenstoreRead((await r.run('xenstore-read', ['/local/domain/3/console/vnc-port'])).stdout);
    expect(Number(port)).toBe(vnc?.port);
    expect(parseXenstoreRead((await r.run('xenstore-read', ['/local/domain/1/name'])).stdout)).toBe('web01');
    const dom0 = parseXenstoreLs((await r.run('xenstore-ls', ['-f', '/local/domain/0'])).stdout);
    expect(dom0.get('/local/domain/0/name')).toBe('Domain-0');
  });

  it('a missing xenstore key fails like xenstore-read', async () => {
    const r = fx.executor();
    const res = await r.run('xenstore-read', ['/local/domain/1/console/vnc-port'], { allowFailure: true });
    expect(res).toMatchObject({ exitCode: 1, stderr: "xenstore-read: couldn't read path /local/domain/1/console/vnc-port\n" });
  });
});

describe('demo runner: failures surface like the local runner', () => {
  it('an unknown domain: xl text on stderr, exit 1, thrown as XL_FAILED with argv', async () => {
    const r = fx.executor();
    const p = r.run('xl', ['list', 'nosuchdomain']);
    await expect(p).rejects.toThrow('nosuchdomain is an invalid domain identifier (rc=-6)');
    const err = await p.catch((e: unknown) => e);
    expect(isXenError(err, 'XL_FAILED')).toBe(true);
    if (isXenError(err)) expect(err.detail).toMatchObject({ argv: ['xl', 'list', 'nosuchdomain'], exitCode: 1, stderr: 'nosuchdomain is an invalid domain identifier (rc=-6)\n' });
    const res = await r.run('xl', ['destroy', 'nosuchdomain'], { allowFailure: true });
    expect(res).toEqual({ stdout: '', stderr: 'nosuchdomain is an invalid domain identifier (rc=-6)\n', exitCode: 1 });
  });

  it('domain 0 cannot be destroyed', async () => {
    const r = fx.executor();
    expect(await r.run('xl', ['destroy', 'Domain-0'], { allowFailure: true })).toEqual({ stdout: '', stderr: 'Cannot destroy privileged domain 0.\n\n', exitCode: 1 });
  });

  it('an unknown subcommand fails as xl does', async () => {
    const r = fx.executor();
    expect(await r.run('xl', ['frobnicate'], { allowFailure: true })).toEqual({ stdout: '', stderr: 'command not implemented\n', exitCode: 1 });
  });

  it('an aborted signal and a closed runner refuse to run', async () => {
    const r = fx.executor();
    const ac = new AbortController();
    ac.abort();
    await expect(r.run('xl', ['list'], { signal: ac.signal })).rejects.toThrow('aborted');
    await r.close();
    await expect(r.run('xl', ['list'])).rejects.toThrow('closed');
  });

  it('xl console through run() is refused: it needs the pty', async () => {
    const r = fx.executor();
    await expect(r.run('xl', ['console', 'web01'])).rejects.toThrow('pty');
  });
});
