import { afterEach, describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { SimFixture } from './helpers';

const fx = new SimFixture();
afterEach(() => fx.cleanup());

// The app's own toolstack API, unchanged, driving the demo host: what the demo mode of the app will do.
describe('the xen ops layer on the demo host', () => {
  it('lists running and stopped domains with their config paths, autostart and VNC', async () => {
    const api = createXenApi(fx.runner());
    const doms = await api.listDomains();
    const by = new Map(doms.map((d) => [d.name, d]));
    expect(by.get('Domain-0')).toMatchObject({ isDom0: true, domid: 0 });
    expect(by.get('web01')).toMatchObject({ type: 'pv', autostart: true, configPath: '/etc/xen/web01.cfg' });
    expect(by.get('win-desktop')).toMatchObject({ type: 'hvm', hasVnc: true });
    expect(by.get('build01')?.state).toBe('paused');
    expect(by.get('test-pvh')).toMatchObject({ state: 'stopped', domid: null });
  });

  it('host facts include the bridges from ip link', async () => {
    const api = createXenApi(fx.runner());
    const h = await api.hostInfo();
    expect(h).toMatchObject({ hostname: 'xenith-demo', nrCpus: 8, totalMemMiB: 16384, dom0MemMiB: 2048 });
    expect(h.bridges).toEqual(['xenbr0', 'xenbr1']);
  });

  it('console info reads the VNC port the RFB server listens on', async () => {
    const r = fx.runner();
    const info = await createXenApi(r).consoleInfo(3);
    const srv = await r.sim.vnc('win-desktop');
    expect(info).toMatchObject({ vncPort: srv?.port, vncListen: '127.0.0.1' });
    expect(info.tty).toMatch(/^\/dev\/pts\//);
  });

  it('shutdown waits until the name is free, then create works again', async () => {
    const api = createXenApi(fx.runner({ speed: 20 }));
    await api.shutdown('mail01');
    expect((await api.listDomains()).find((d) => d.name === 'mail01')?.state).toBe('stopped');
    await api.create('/etc/xen/mail01.cfg');
    expect((await api.listDomains()).find((d) => d.name === 'mail01')?.domid).toBeGreaterThan(5);
  });
});
