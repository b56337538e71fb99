import { describe, expect, it } from 'vitest';
import { mediumFromParams } from '../../../../src/xen/parse/vbd-params';
import { parseXenstoreLs } from '../../../../src/xen/parse/xenstore';
import { parseXlBlockList } from '../../../../src/xen/parse/xl-block-list';
import { loadFixture } from '../../../fixtures/load';

// An HVM guest's CD drive on Xen 4.17 (test host): what xl block-list and the backend's params say around cd-eject.
describe('a CD drive as the backend holds it', () => {
  it('xl block-list names the qdisk backend of hdc, waiting (state 1) with no ring', () => {
    const f = loadFixture('xl-block-list-hvm-cd.txt');
    expect(f.command).toBe('xl block-list xenith-cdprobe');
    expect(parseXlBlockList(f.text)).toEqual([
      { vdev: 5632, vdevName: 'hdc', backendDomid: 0, handle: 1, state: 1, evtch: -1, ringRef: -1, backendPath: '/local/domain/0/backend/qdisk/1/5632' },
    ]);
  });

  it('params is aio:PATH with a medium in, "" after xl cd-eject', () => {
    const params = (name: string): string => {
      const ls = parseXenstoreLs(loadFixture(name).text);
      return ls.get('/local/domain/0/backend/qdisk/1/5632/params') ?? 'missing';
    };
    expect(params('xenstore-ls-qdisk-cd-inserted.txt')).toBe('aio:/root/cdt/a.iso');
    expect(mediumFromParams(params('xenstore-ls-qdisk-cd-inserted.txt'))).toBe('/root/cdt/a.iso');
    expect(params('xenstore-ls-qdisk-cd-ejected.txt')).toBe('');
    expect(mediumFromParams(params('xenstore-ls-qdisk-cd-ejected.txt'))).toBe('');
  });

  it('libxl records the eject in the domain config too: pdev_path "" and format empty', () => {
    const f = loadFixture('xl-list-l-hvm-cd-ejected.json');
    const [entry] = JSON.parse(f.text) as [{ config: { disks: unknown[] } }];
    expect(entry.config.disks).toEqual([{ pdev_path: '', vdev: 'hdc', format: 'empty', removable: 1, is_cdrom: 1 }]);
  });

  it('drops the format prefix of qdisk params and keeps phy paths and anything unknown as they are', () => {
    expect(mediumFromParams('qcow2:/var/lib/xen/images/a.qcow2')).toBe('/var/lib/xen/images/a.qcow2');
    expect(mediumFromParams('/dev/vg/web01')).toBe('/dev/vg/web01');
    expect(mediumFromParams('  ')).toBe('');
    expect(mediumFromParams('iscsi-target:lun0')).toBe('iscsi-target:lun0');
  });
});
