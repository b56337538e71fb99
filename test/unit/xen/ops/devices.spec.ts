import { describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { FakeRunner, fx } from './fakes';

function setup() {
  const runner = new FakeRunner();
  runner.use(() => '');
  return { runner, api: createXenApi(runner) };
}

describe('block devices', () => {
  it('block-attach formats a disk model, or re-formats checked spec text, into one argument', async () => {
    const { runner, api } = setup();
    await api.blockAttach('test1', { target: '/var/lib/xen/images/b.img', format: 'raw', vdev: 'xvdb', access: 'rw' });
    await api.blockAttach(1, 'format=raw, vdev=xvdc, access=ro, target=/var/lib/xen/images/c.img');
    expect(runner.argvs).toEqual([
      ['xl', 'block-attach', 'test1', '/var/lib/xen/images/b.img,raw,xvdb,rw'],
      ['xl', 'block-attach', '1', '/var/lib/xen/images/c.img,raw,xvdc,ro'],
    ]);
  });

  it('refuses a spec xl would misread, a relative target, or a bad vdev, before running anything', async () => {
    const { runner, api } = setup();
    await expect(api.blockAttach('test1', 'format=raw,vdev=xvdb,access=rw,bogus=1,target=/a.img')).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'disk' } });
    await expect(api.blockAttach('test1', { target: 'b.img', format: 'raw', vdev: 'xvdb', access: 'rw' })).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'disk.target' } });
    await expect(api.blockAttach('test1', { target: '/b.img', format: 'raw', vdev: 'xvdb,script=/tmp/x', access: 'rw' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(runner.calls).toEqual([]);
  });

  it('block-detach by vdev or numeric id, --force before the domain', async () => {
    const { runner, api } = setup();
    await api.blockDetach('test1', 'xvdb');
    await api.blockDetach('test1', 51712, { force: true });
    expect(runner.argvs).toEqual([
      ['xl', 'block-detach', 'test1', 'xvdb'],
      ['xl', 'block-detach', '--force', 'test1', '51712'],
    ]);
  });

  it('block-list is parsed', async () => {
    const runner = new FakeRunner().on('xl block-list test1', fx('xl-block-list-test1.txt'));
    const list = await createXenApi(runner).blockList('test1');
    expect(list).toHaveLength(1);
    expect(runner.lines).toEqual(['xl block-list test1']);
  });

  it('cd-insert and cd-eject', async () => {
    const { runner, api } = setup();
    await api.cdInsert('hvm1', 'hdc', '/var/lib/xen/iso/debian-12.iso');
    await api.cdEject('hvm1', 'hdc');
    expect(runner.argvs).toEqual([
      ['xl', 'cd-insert', 'hvm1', 'hdc', '/var/lib/xen/iso/debian-12.iso'],
      ['xl', 'cd-eject', 'hvm1', 'hdc'],
    ]);
  });
});

describe('network devices', () => {
  it('network-attach formats a vif model or checked spec text', async () => {
    const { runner, api } = setup();
    await api.networkAttach('test1', { bridge: 'xenbr0', mac: '00:16:3E:01:02:03' });
    await api.networkAttach('test1', 'bridge=xenbr0');
    expect(runner.argvs).toEqual([
      ['xl', 'network-attach', 'test1', 'mac=00:16:3e:01:02:03,bridge=xenbr0'],
      ['xl', 'network-attach', 'test1', 'bridge=xenbr0'],
    ]);
  });

  it('refuses unknown vif keys and injected values', async () => {
    const { runner, api } = setup();
    await expect(api.networkAttach('test1', 'bridge=xenbr0,script=/tmp/evil,oops=1')).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'vif' } });
    await expect(api.networkAttach('test1', { bridge: 'xenbr0\nvif=x' })).rejects.toMatchObject({ code: 'INVALID_ARG' });
    expect(runner.calls).toEqual([]);
  });

  it('network-detach by devid or MAC', async () => {
    const { runner, api } = setup();
    await api.networkDetach('test1', 1);
    await api.networkDetach('test1', '00:16:3E:08:38:84');
    expect(runner.argvs).toEqual([
      ['xl', 'network-detach', 'test1', '1'],
      ['xl', 'network-detach', 'test1', '00:16:3e:08:38:84'],
    ]);
  });

  it('network-list is parsed', async () => {
    const runner = new FakeRunner().on('xl network-list test1', fx('xl-network-list-test1.txt'));
    const list = await createXenApi(runner).networkList('test1');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ devid: 0, mac: '00:16:3e:08:38:84' });
  });
});
