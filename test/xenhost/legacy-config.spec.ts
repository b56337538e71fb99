// Configs from old Xen 3.x guides in the real host's /etc/xen (issue #20 items 5 and 6): Xenith shows every value xl
// takes, names the one it does not, and shows real xl's own warnings from `xl create -n`. Nothing is started.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GUIDE_PV_CFG, GUIDE_WIN_CFG } from '../../src/xen/sim/seed-guides';
import { closeConnection, describeHost, remote, remoteOk } from './support';
import { xenOver } from './xen-env';

const FILES = { 'guide-pv': GUIDE_PV_CFG, 'guide-win': GUIDE_WIN_CFG } as const;

describeHost('xm-era configs on the real Xen host', (h) => {
  const { runner, api } = xenOver(h);

  beforeAll(async () => {
    for (const [name, text] of Object.entries(FILES)) {
      await remoteOk(h, ['sh', '-c', `cat > /etc/xen/${name}.cfg`], { input: text });
    }
  });
  afterAll(async () => {
    await remote(h, ['rm', '-f', ...Object.keys(FILES).map((n) => `/etc/xen/${n}.cfg`)]);
    await runner.close();
    await closeConnection(h);
  });

  it('lists the PV guide as xl reads it: its memory, type, both disks and its NIC, the placeholder MAC named', async () => {
    const row = (await api.listDomains()).find((d) => d.name === 'guide-pv');
    expect(row).toMatchObject({ state: 'stopped', type: 'pv', memoryMiB: 256, vcpus: 1, configPath: '/etc/xen/guide-pv.cfg' });
    const d = await api.domainDetails('guide-pv');
    expect(d.disks.map((x) => x.vdev)).toEqual(['xvda1', 'xvda2']);
    expect(d.nics.map((n) => n.bridge)).toEqual(['xenbr0']);
    expect(d.configProblems.map((p) => p.field)).toEqual(['vifs[0].mac']);
  });

  it('shows real xl create -n\'s own words beside Xenith\'s check, for both guides', async () => {
    const pv = await api.readConfig('guide-pv');
    const pvXl = await api.xlDryRun({ text: pv.text, path: pv.path, savedText: pv.text });
    expect(pvXl.ran).toBe(true);
    expect(pvXl.warnings.join('\n')).toContain("Invalid parameter `mac'.");
    const win = await api.readConfig('guide-win');
    expect(win.problems).toEqual([]);
    const winXl = await api.xlDryRun({ text: win.text, path: win.path, savedText: win.text });
    expect(winXl).toMatchObject({ ran: true, errors: [] });
    const said = winXl.warnings.join('\n');
    for (const word of ['kernel', 'device_model', 'vncviewer']) expect(said).toContain(word);
    // The same text not yet saved goes as values to `xl create -n /dev/null`: real xl says the same.
    const edited = await api.xlDryRun({ text: `${win.text}\n# edited\n`, path: win.path, savedText: win.text });
    expect(edited.warnings.join('\n')).toContain('vncviewer');
    // Nothing was created.
    expect((await api.listDomains()).filter((x) => x.name.startsWith('guide-')).map((x) => x.state)).toEqual(['stopped', 'stopped']);
  });
});
