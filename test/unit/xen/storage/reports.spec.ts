import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeImagesIn } from '../../../../src/xen/runner/probe-images';
import { parseProbeLines, SSH_FS_SCRIPTS } from '../../../../src/xen/runner/ssh-fs';
import { isVolumeLv, parseDf, parseLsblk, parseLvs, parseVgs } from '../../../../src/xen/storage/reports';
import { makeTempDir } from '../runner/fake-bin';

// Outputs as the Debian 12 test host printed them (lvm2 2.03.16, util-linux 2.38, coreutils 9.1).
const VGS = `  {
      "report": [
          {
              "vg": [
                  {"vg_name":"vg0", "vg_size":"4290772992", "vg_free":"3640655872"}
              ]
          }
      ]
  }
`;
const LVS = `  {
      "report": [
          {
              "lv": [
                  {"lv_name":"thin1", "vg_name":"vg0", "lv_size":"1073741824", "lv_attr":"Vwi-a-tz--", "pool_lv":"tp", "data_percent":"0.00"},
                  {"lv_name":"tp", "vg_name":"vg0", "lv_size":"536870912", "lv_attr":"twi-aotz--", "pool_lv":"", "data_percent":"0.00"},
                  {"lv_name":"web", "vg_name":"vg0", "lv_size":"104857600", "lv_attr":"-wi-a-----", "pool_lv":"", "data_percent":""}
              ]
          }
      ]
  }
`;
const EMPTY_VGS = '  {\n      "report": [\n          {\n              "vg": [\n              ]\n          }\n      ]\n  }\n';
const LSBLK = `{
   "blockdevices": [
      {
         "path": "/dev/sr0",
         "size": 1073741312,
         "type": "rom",
         "model": "QEMU DVD-ROM",
         "mountpoint": null,
         "fstype": null,
         "pkname": null
      },{
         "path": "/dev/vda",
         "size": 3221225472,
         "type": "disk",
         "model": null,
         "mountpoint": "/",
         "fstype": "ext4",
         "pkname": null
      }
   ]
}
`;
const DF = 'Mounted on  1B-blocks      Used      Avail\n/          3094126592 794914816 2121375744\n';

describe('storage reports', () => {
  it('reads vgs and lvs JSON reports, telling volumes from thin pools', () => {
    expect(parseVgs(VGS)).toEqual([{ name: 'vg0', sizeBytes: 4290772992, freeBytes: 3640655872 }]);
    expect(parseVgs(EMPTY_VGS)).toEqual([]);
    const lvs = parseLvs(LVS);
    expect(lvs.map((l) => [l.name, l.sizeBytes, l.pool])).toEqual([['thin1', 1073741824, 'tp'], ['tp', 536870912, ''], ['web', 104857600, '']]);
    expect(lvs.filter(isVolumeLv).map((l) => l.name)).toEqual(['thin1', 'web']);
    expect(() => parseVgs('  Volume group "x" not found')).toThrow(/vgs/);
    expect(() => parseLvs('{"report":[{"lv":[{"lv_name":"x","lv_size":"-1"}]}]}')).toThrow(/byte count/);
  });

  it('reads df and lsblk', () => {
    expect(parseDf(DF)).toEqual([{ target: '/', sizeBytes: 3094126592, usedBytes: 794914816, availBytes: 2121375744 }]);
    expect(parseDf('Mounted on 1B-blocks Used Avail\n')).toEqual([]);
    expect(parseLsblk(LSBLK).map((d) => [d.path, d.type, d.model, d.mountpoint, d.fstype])).toEqual([
      ['/dev/sr0', 'rom', 'QEMU DVD-ROM', null, null],
      ['/dev/vda', 'disk', '', '/', 'ext4'],
    ]);
  });
});

describe('image probes', () => {
  const dir = makeTempDir('xenith-probe-');
  const qemuImg = spawnSync('qemu-img', ['--version']).status === 0;
  if (qemuImg) {
    spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', path.join(dir, 'base.qcow2'), '1G']);
    spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', path.join(dir, 'base.qcow2'), '-F', 'qcow2', path.join(dir, 'child.qcow2'), '2G']);
  } else {
    // Without qemu-img, a hand-made v3 header: magic, version, no backing file, 1 GiB.
    const h = Buffer.alloc(104);
    h.writeUInt32BE(0x514649fb, 0);
    h.writeUInt32BE(3, 4);
    h.writeBigUInt64BE(1n << 30n, 24);
    writeFileSync(path.join(dir, 'base.qcow2'), h);
  }
  const fd = openSync(path.join(dir, 'd.iso'), 'w');
  ftruncateSync(fd, 1 << 20);
  writeSync(fd, Buffer.from('\x01CD001', 'latin1'), 0, 6, 32768);
  closeSync(fd);
  writeFileSync(path.join(dir, 'raw.img'), Buffer.alloc(4096));
  writeFileSync(path.join(dir, 'bad name.img'), 'x');

  const expected = [
    ['base.qcow2', 'qcow2', 1 << 30, null],
    ...(qemuImg ? [['child.qcow2', 'qcow2', 2 * 2 ** 30, path.join(dir, 'base.qcow2')]] : []),
    ['d.iso', 'iso', 1 << 20, null],
    ['raw.img', 'raw', 4096, null],
  ];

  it('reads formats, virtual sizes and backing files from the files themselves', async () => {
    expect((await probeImagesIn(dir)).map((p) => [p.name, p.format, p.virtualBytes, p.backing])).toEqual(expected);
  });

  it('reads the same over SSH, from the fixed script run by sh', () => {
    const r = spawnSync('sh', ['-c', SSH_FS_SCRIPTS.probeImages, 'sh', dir], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(parseProbeLines(r.stdout).map((p) => [p.name, p.format, p.virtualBytes, p.backing])).toEqual(expected);
  });
});
