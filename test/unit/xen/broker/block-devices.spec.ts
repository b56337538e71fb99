import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFreeBlockDevice, dom0Use, mountedDevices, swapDevices } from '../../../../src/xen/broker/block-devices';
import { makeTempDir } from '../runner/fake-bin';

/** A /proc and /sys for a dom0 with disk sda (sda1 mounted at /, sda2 an LVM PV held by dm-0), sdb free, sdc swap. */
function fakeHost(): { procDir: string; sysDir: string } {
  const root = makeTempDir('xenith-blk-');
  const procDir = path.join(root, 'proc');
  const sysDir = path.join(root, 'sys');
  mkdirSync(path.join(procDir, 'self'), { recursive: true });
  writeFileSync(path.join(procDir, 'self/mountinfo'), '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n23 22 0:5 / /proc rw - proc proc rw\n');
  writeFileSync(path.join(procDir, 'swaps'), 'Filename\tType\tSize\tUsed\tPriority\n/dev/sdc partition 1048572 0 -2\n');
  const dev = (name: string, devno: string, parent?: string) => {
    const d = parent === undefined ? path.join(sysDir, 'class/block', name) : path.join(sysDir, 'class/block', parent, name);
    mkdirSync(path.join(d, 'holders'), { recursive: true });
    writeFileSync(path.join(d, 'dev'), `${devno}\n`);
    if (parent !== undefined) mkdirSync(path.join(sysDir, 'class/block', name, 'holders'), { recursive: true });
    return d;
  };
  dev('sda', '8:0');
  dev('sda1', '8:1', 'sda');
  dev('sda2', '8:2', 'sda');
  mkdirSync(path.join(sysDir, 'class/block/sda2/holders/dm-0'), { recursive: true });
  dev('sdb', '8:16');
  dev('sdc', '8:32');
  return { procDir, sysDir };
}

describe('block devices dom0 uses itself', () => {
  it('parses mountinfo device numbers and swap devices', () => {
    expect(mountedDevices('22 1 8:1 / / rw - ext4 /dev/sda1 rw\n').get('8:1')).toBe('/');
    expect(swapDevices('Filename Type Size Used Priority\n/dev/sdc partition 1 0 -2\n/swapfile file 1 0 -3\n')).toEqual(['/dev/sdc', '/swapfile']);
  });

  it('says why a mounted, swap, LVM-held or partly used disk may not be given to a guest, and passes a free one', async () => {
    const env = fakeHost();
    expect(await dom0Use('sda1', '8:1', '/dev/sda1', env)).toBe('it is mounted on / in dom0');
    expect(await dom0Use('sda2', '8:2', '/dev/sda2', env)).toBe('it is held by dm-0 in dom0 (LVM, RAID or an open encrypted device)');
    expect(await dom0Use('sda', '8:0', '/dev/sda', env)).toBe('its partition sda1: it is mounted on / in dom0');
    expect(await dom0Use('sdc', '8:32', '/dev/sdc', env)).toBe('dom0 uses it as swap');
    expect(await dom0Use('sdb', '8:16', '/dev/sdb', env)).toBeNull();
  });

  it('refuses this machine\'s own root device, a path that is not a block device, and one that does not exist', async () => {
    const root = (await import('node:fs/promises')).readFile('/proc/self/mountinfo', 'utf8');
    const rootDev = (await root).split('\n').find((l) => l.split(' ')[4] === '/')?.split(' - ')[1]?.split(' ')[1];
    if (rootDev?.startsWith('/dev/')) await expect(checkFreeBlockDevice(rootDev, 'disk')).rejects.toMatchObject({ code: 'PERMISSION', detail: { rule: 'dom0-device' } });
    await expect(checkFreeBlockDevice('/dev/null', 'disk')).rejects.toMatchObject({ code: 'PERMISSION', message: 'disk: /dev/null is not a block device' });
    await expect(checkFreeBlockDevice('/dev/xenith-no-such', 'disk')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
