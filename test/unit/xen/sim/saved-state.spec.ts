import { afterEach, describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { SimFixture } from './helpers';

const fx = new SimFixture();
afterEach(() => fx.cleanup());

const FILE = '/var/lib/xen/save/web01.save';

// A saved domain is not just any stopped one (issue #18): the list says so, and Start never cold-boots over it.
describe('a saved domain on the demo host', () => {
  function setup() {
    const r = fx.runner({ speed: 50 });
    return { r, api: createXenApi(r) };
  }
  const row = async (api: ReturnType<typeof setup>['api'], name = 'web01') => (await api.listDomains()).find((d) => d.name === name);

  it('is listed with its saved state; a plain Start is refused; Restore brings it back and removes the used file', async () => {
    const { r, api } = setup();
    expect(await row(api)).toMatchObject({ savedFile: null });
    await api.save('web01', FILE);
    expect(await r.fs.stat(FILE)).toMatchObject({ isFile: true });
    expect(await row(api)).toMatchObject({ state: 'stopped', domid: null, savedFile: FILE });
    // Other stopped domains have none.
    expect(await row(api, 'test-pvh')).toMatchObject({ state: 'stopped', savedFile: null });
    await expect(api.startDomain('web01')).rejects.toMatchObject({ code: 'EXISTS', detail: { field: 'saved', path: FILE } });
    expect((await row(api))?.domid).toBeNull();
    await api.startDomain('web01', { saved: 'restore' });
    expect(await row(api)).toMatchObject({ state: expect.stringMatching(/running|blocked/) as string, savedFile: null });
    expect(await r.fs.stat(FILE)).toBeNull();
  });

  it('Start fresh boots from the config and then discards the saved state', async () => {
    const { r, api } = setup();
    await api.save('web01', FILE);
    await api.startDomain('web01', { saved: 'discard' });
    expect((await row(api))?.domid).not.toBeNull();
    expect(await r.fs.stat(FILE)).toBeNull();
    // Nothing left to restore.
    await api.destroy('web01');
    await expect(api.startDomain('web01', { saved: 'restore' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the Restore… dialog\'s restore removes a used saved state too, but keeps any other save file', async () => {
    const { r, api } = setup();
    await api.save('web01', FILE);
    await api.restore(FILE);
    expect(await r.fs.stat(FILE)).toBeNull();
    const other = '/var/lib/xen/save/web01-before-upgrade.save';
    await api.save('web01', other);
    expect(await row(api)).toMatchObject({ savedFile: null });
    await api.restore(other);
    expect(await r.fs.stat(other)).toMatchObject({ isFile: true });
  });
});
