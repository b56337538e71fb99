import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createXenApi, type XenApi } from '../../../../src/xen/ops/api';
import { createDemoRunner, type DemoRunner } from '../../../../src/xen/sim/index';
import { clashingUser } from '../../../../src/xen/ops/disk-use';
import { rejection } from './fakes';

let stateDir: string;
let demo: DemoRunner;
let api: XenApi;

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'xenith-diskuse-'));
  demo = createDemoRunner({ stateDir, speed: 50 });
  api = createXenApi(demo, { pollIntervalMs: 20 });
});

afterEach(async () => {
  await demo.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('disks in use', () => {
  it('knows who uses each disk, running and defined, and how', async () => {
    const uses = await api.diskUses();
    expect(uses.get('/var/lib/xen/images/mail01.img')).toEqual(
      expect.arrayContaining([
        { domain: 'mail01', vdev: 'xvda', access: 'rw', running: true },
        { domain: 'mail01', vdev: 'xvda', access: 'rw', running: false },
      ]),
    );
    expect(uses.get('/var/lib/xen/images/test-pvh.img')).toEqual([{ domain: 'test-pvh', vdev: 'xvda', access: 'rw', running: false }]);
  });

  it('shares only when both sides read', () => {
    const ro = [{ domain: 'a', vdev: 'xvdb', access: 'ro' as const, running: true }];
    const rw = [{ domain: 'a', vdev: 'xvdb', access: 'rw' as const, running: false }];
    expect(clashingUser(ro, 'ro', 'b')).toBeNull();
    expect(clashingUser(ro, 'rw', 'b')).toMatchObject({ domain: 'a' });
    expect(clashingUser(rw, 'ro', 'b')).toMatchObject({ domain: 'a' });
    expect(clashingUser(rw, 'rw', 'a')).toBeNull();
  });

  it('does not start a domain whose disk a running domain writes, and names it; nothing is created', async () => {
    await demo.fs.writeFileExclusive('/etc/xen/twin.cfg', 'name = "twin"\ntype = "pvh"\nmemory = 256\nkernel = "/var/lib/xen/boot/vmlinuz"\ndisk = [ "/var/lib/xen/images/mail01.img,raw,xvda,rw" ]\n');
    const err = await rejection(api.startDomain('twin'));
    expect(err).toMatchObject({ code: 'IN_USE', detail: { domain: 'mail01', path: '/var/lib/xen/images/mail01.img' } });
    expect(err.message).toMatch(/^Cannot start twin: \/var\/lib\/xen\/images\/mail01\.img is used read-write by running domain mail01/);
    expect((await api.listDomains()).find((d) => d.name === 'twin')).toMatchObject({ state: 'stopped', domid: null });
  });

  it('starts a domain whose disk only a stopped domain names', async () => {
    await demo.fs.writeFileExclusive('/etc/xen/twin.cfg', 'name = "twin"\ntype = "pvh"\nmemory = 256\nkernel = "/var/lib/xen/boot/vmlinuz"\ndisk = [ "/var/lib/xen/images/test-pvh.img,raw,xvda,rw" ]\n');
    await api.startDomain('twin');
    expect((await api.listDomains()).find((d) => d.name === 'twin')?.state).not.toBe('stopped');
  });
});
