import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../fixtures/load';
import { configFromXl, renderXlConfig, updateXlConfigText, XENITH_HEADER } from '../../../../src/xen/config/render';
import { parseXlConfig } from '../../../../src/xen/config/xl-config';
import { validateDomainConfig, type DomainConfig } from '../../../../src/shared/domain-config';

const REAL = ['test1.cfg', 'pvh1.cfg', 'hvm1.cfg', 'test2-nodev.cfg'];
const real = (name: string): string => loadFixture(name).text;
const modelOf = (text: string): DomainConfig => configFromXl(parseXlConfig(text).toObject());

const test1Model: DomainConfig = {
  name: 'test1',
  type: 'pv',
  memory: 128,
  maxmem: 256,
  vcpus: 1,
  maxvcpus: 2,
  kernel: '/root/domu/vmlinuz',
  ramdisk: '/root/domu/initrd.gz',
  extra: 'console=hvc0 quiet',
  disks: [{ target: '/root/d.img', format: 'raw', vdev: 'xvda', access: 'rw' }],
  vifs: [{ bridge: 'xenbr0' }],
  on_poweroff: 'destroy',
  on_reboot: 'restart',
  on_crash: 'destroy',
};

describe('configFromXl', () => {
  it('maps test1.cfg onto the model', () => {
    expect(modelOf(real('test1.cfg'))).toEqual(test1Model);
  });

  it('maps hvm1.cfg, keeping unknown options aside', () => {
    expect(modelOf(real('hvm1.cfg'))).toEqual({
      name: 'hvm1',
      type: 'hvm',
      memory: 256,
      vcpus: 1,
      kernel: '/root/domu/vmlinuz',
      ramdisk: '/root/domu/initrd.gz',
      extra: 'console=ttyS0 quiet',
      disks: [{ target: '/root/d.img', format: 'raw', vdev: 'xvda', access: 'rw' }],
      vifs: [{ bridge: 'xenbr0' }],
      serial: 'pty',
      vnc: false,
      nographic: true,
      on_poweroff: 'destroy',
      on_crash: 'destroy',
      extraOptions: { sdl: 0 },
    });
  });

  it('maps test2-nodev.cfg with no devices', () => {
    const m = modelOf(real('test2-nodev.cfg'));
    expect(m.disks).toEqual([]);
    expect(m.vifs).toEqual([]);
    expect(m.name).toBe('test2');
  });

  it.each(REAL)('%s validates', (name) => {
    const r = validateDomainConfig(modelOf(real(name)));
    expect(r.ok).toBe(true);
  });

  it('fills the defaults xl uses', () => {
    expect(configFromXl({ name: 'a', kernel: '/k' })).toMatchObject({ type: 'pv', memory: 32, vcpus: 1, disks: [], vifs: [] });
    expect(configFromXl({ name: 'a', builder: 'hvm', maxmem: 512, maxvcpus: 4 })).toMatchObject({ type: 'hvm', memory: 512, vcpus: 4, extraOptions: { builder: 'hvm' } });
  });

  it('reads numbers written as text and booleans as numbers, as xl does', () => {
    const m = configFromXl({ name: 'a', type: 'hvm', memory: '0x100', vcpus: '2', vnc: '1', usb: 0, viridian: ['base', 'freq'], serial: ['pty', 'null'] });
    expect(m).toMatchObject({ memory: 256, vcpus: 2, vnc: true, usb: false, viridian: ['base', 'freq'], serial: ['pty', 'null'] });
  });

  it('refuses known options with the wrong shape, naming them', () => {
    expect(() => configFromXl({ name: 'a', memory: 'lots' })).toThrow(expect.objectContaining({ code: 'INVALID_ARG', detail: { field: 'memory' } }));
    expect(() => configFromXl({ name: ['a'] })).toThrow(/name: is a list but should be a single value/);
    expect(() => configFromXl({ name: 'a', disk: ['/x,raw'] })).toThrow(expect.objectContaining({ detail: { field: 'disks[0]' } }));
    expect(() => configFromXl({ name: 'a', vif: ['colour=red'] })).toThrow(expect.objectContaining({ detail: { field: 'vifs[0]' } }));
    expect(() => configFromXl({ name: 'a', odd: { x: 1 } })).toThrow(/odd: is not an xl value/);
  });
});

describe('renderXlConfig', () => {
  it('writes a readable, deterministic file with the header', () => {
    expect(renderXlConfig(test1Model)).toBe(
      [
        XENITH_HEADER,
        'name = "test1"',
        'type = "pv"',
        'memory = 128',
        'maxmem = 256',
        'vcpus = 1',
        'maxvcpus = 2',
        'kernel = "/root/domu/vmlinuz"',
        'ramdisk = "/root/domu/initrd.gz"',
        'extra = "console=hvc0 quiet"',
        'disk = [ "/root/d.img,raw,xvda,rw" ]',
        'vif = [ "bridge=xenbr0" ]',
        'on_poweroff = "destroy"',
        'on_reboot = "restart"',
        'on_crash = "destroy"',
        '',
      ].join('\n'),
    );
    expect(renderXlConfig({ ...test1Model })).toBe(renderXlConfig(test1Model));
  });

  it('puts several devices one per line and extra options last, sorted', () => {
    const text = renderXlConfig({
      ...test1Model,
      type: 'hvm',
      kernel: undefined,
      ramdisk: undefined,
      extra: undefined,
      disks: [test1Model.disks[0] as DomainConfig['disks'][number], { target: '/srv/a.iso', format: 'raw', vdev: 'hdc', access: 'ro', devtype: 'cdrom' }],
      vnc: true,
      extraOptions: { zz: 1, sdl: 0 },
    });
    expect(text).toContain('disk = [\n    "/root/d.img,raw,xvda,rw",\n    "/srv/a.iso,raw,hdc,ro,devtype=cdrom",\n]\n');
    expect(text).toContain('vnc = 1\n');
    expect(text.endsWith('on_crash = "destroy"\nsdl = 0\nzz = 1\n')).toBe(true);
  });

  it.each(REAL)('renders %s into a file that reads back to the same model', (name) => {
    const m = modelOf(real(name));
    expect(modelOf(renderXlConfig(m))).toEqual(m);
  });

  it('escapes quotes so hostile text cannot break out of its string', () => {
    const m = { ...test1Model, extra: `console=hvc0" memory = 99999 # '` };
    const text = renderXlConfig(m);
    expect(parseXlConfig(text).toObject()).toMatchObject({ extra: m.extra, memory: 128 });
  });

  it('refuses what it cannot write, naming the field', () => {
    expect(() => renderXlConfig({ ...test1Model, extra: 'a\nmemory = 99999' })).toThrow(expect.objectContaining({ code: 'INVALID_ARG', detail: { field: 'extra' } }));
    expect(() => renderXlConfig({ ...test1Model, disks: [{ target: '/x', format: 'raw', vdev: 'xvda,evil', access: 'rw' }] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARG', detail: { field: 'disks[0]' } }),
    );
    expect(() => renderXlConfig({ ...test1Model, vifs: [{ bridge: 'br0,script=/tmp/x' }] })).toThrow(expect.objectContaining({ detail: { field: 'vifs[0]' } }));
    expect(() => renderXlConfig({ ...test1Model, extraOptions: { 'Bad-Key': 1 } })).toThrow(expect.objectContaining({ detail: { field: 'extraOptions.Bad-Key' } }));
    expect(() => renderXlConfig({ ...test1Model, extraOptions: { memory: 1 } })).toThrow(/own field/);
  });
});

describe('updateXlConfigText', () => {
  it.each(REAL)('leaves %s byte-identical when the model is unchanged', (name) => {
    const text = real(name);
    expect(updateXlConfigText(text, modelOf(text))).toBe(text);
  });

  it('changes one value in place and nothing else', () => {
    const text = real('test1.cfg');
    const out = updateXlConfigText(text, { ...modelOf(text), memory: 512 });
    expect(out).toBe(text.replace('memory  = 128', 'memory  = 512'));
  });

  it('keeps comments, order, odd spellings and unknown options', () => {
    const text = [
      '# my web server',
      "name = 'web'   # do not rename",
      'type="hvm"; memory = 0x400',
      'vcpus = 2',
      'disk = [',
      "    'phy:/dev/vg/web,hda,w',   # root",
      "    'file:/srv/web-data.img,hdb,w',",
      ']',
      'sdl = 0',
      'vnc = 1',
      '',
    ].join('\n');
    const m = modelOf(text);
    expect(m.memory).toBe(1024);
    const out = updateXlConfigText(text, { ...m, vcpus: 4, disks: [...m.disks, { target: '/srv/iso/x.iso', format: 'raw', vdev: 'hdc', access: 'ro', devtype: 'cdrom' }] });
    expect(out).toBe(
      text
        .replace('vcpus = 2', 'vcpus = 4')
        .replace("    'file:/srv/web-data.img,hdb,w',\n]", "    'file:/srv/web-data.img,hdb,w',\n    '/srv/iso/x.iso,raw,hdc,ro,devtype=cdrom',\n]"),
    );
  });

  it('appends new options and removes dropped ones', () => {
    const text = real('test1.cfg');
    const { maxmem: _maxmem, ...m } = modelOf(text);
    const out = updateXlConfigText(text, { ...m, cpus: '0-1' });
    expect(out).toBe(`${text.replace('maxmem  = 256\n', '')}cpus    = "0-1"\n`);
  });

  it('removes the disk and vif lines when the devices are gone', () => {
    const text = real('test1.cfg');
    const out = updateXlConfigText(text, { ...modelOf(text), disks: [], vifs: [] });
    expect(out).toBe(text.replace("disk    = [ 'file:/root/d.img,xvda,w' ]\n", '').replace("vif     = [ 'bridge=xenbr0' ]\n", ''));
  });

  it('rewrites only the changed vif, in the file\'s quote style', () => {
    const text = "name = 'n'\nkernel = '/k'\nvif = [ 'bridge=xenbr0', 'mac=00:16:3E:00:00:01,bridge=xenbr1' ]\n";
    const m = modelOf(text);
    const out = updateXlConfigText(text, { ...m, vifs: [m.vifs[0] as DomainConfig['vifs'][number], { mac: '00:16:3e:00:00:01', bridge: 'xenbr2' }] });
    expect(out).toBe("name = 'n'\nkernel = '/k'\nvif = [ 'bridge=xenbr0', 'mac=00:16:3e:00:00:01,bridge=xenbr2' ]\n");
  });

  it('edits extra options: changed, added, removed', () => {
    const text = 'name = "n"\nkernel = "/k"\nsdl = 0\npci = [ "01:00.0" ]\n';
    const out = updateXlConfigText(text, { ...modelOf(text), extraOptions: { sdl: 1, stdvga: 1 } });
    expect(out).toBe('name = "n"\nkernel = "/k"\nsdl = 1\nstdvga = 1\n');
  });

  it('does not write a default xl filled in', () => {
    const text = 'name = "n"\nkernel = "/k"\n';
    expect(updateXlConfigText(text, modelOf(text))).toBe(text);
    expect(updateXlConfigText(text, { ...modelOf(text), memory: 64 })).toBe(`${text}memory = 64\n`);
  });

  it('refuses hostile values and leaves nothing half-written', () => {
    const text = real('test1.cfg');
    expect(() => updateXlConfigText(text, { ...modelOf(text), extra: 'x\nbootloader = "/tmp/evil"' })).toThrow(expect.objectContaining({ code: 'INVALID_ARG' }));
  });
});
