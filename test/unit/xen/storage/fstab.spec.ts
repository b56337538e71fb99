import { describe, expect, it } from 'vitest';
import { fstabMountsElsewhere, withFstabEntry, withoutFstabEntry } from '../../../../src/xen/storage/fstab';

const FSTAB = '# /etc/fstab\nUUID=abc / ext4 errors=remount-ro 0 1\n# a comment someone wrote\n/dev/sdb1 /data ext4 defaults 0 2\n';

describe('fstab entries of NFS pools', () => {
  it('adds one marked entry, replaces it, and removes only it: every other byte stays', () => {
    const added = withFstabEntry(FSTAB, 'nas.lan:/srv/xen', '/srv/nas');
    expect(added).toBe(`${FSTAB}# xenith pool at /srv/nas\nnas.lan:/srv/xen /srv/nas nfs nosuid,nodev,noexec,_netdev 0 0\n`);
    expect(withFstabEntry(added, 'nas2.lan:/x', '/srv/nas')).toBe(`${FSTAB}# xenith pool at /srv/nas\nnas2.lan:/x /srv/nas nfs nosuid,nodev,noexec,_netdev 0 0\n`);
    expect(withoutFstabEntry(added, '/srv/nas')).toBe(FSTAB);
    expect(withoutFstabEntry(FSTAB, '/data')).toBe(FSTAB);
    // A marker whose line someone replaced: only the marker goes.
    expect(withoutFstabEntry(`# xenith pool at /srv/nas\n${FSTAB}`, '/srv/nas')).toBe(FSTAB);
    expect(withFstabEntry('UUID=abc / ext4 defaults 0 1', 'nas.lan:/srv/xen', '/srv/nas')).toBe('UUID=abc / ext4 defaults 0 1\n# xenith pool at /srv/nas\nnas.lan:/srv/xen /srv/nas nfs nosuid,nodev,noexec,_netdev 0 0\n');
  });

  it('sees a mount point someone else put in fstab, but not its own entry or a commented line', () => {
    expect(fstabMountsElsewhere(FSTAB, '/data')).toBe(true);
    expect(fstabMountsElsewhere('#/dev/sdc /srv/nas ext4 defaults 0 0\n', '/srv/nas')).toBe(false);
    expect(fstabMountsElsewhere(withFstabEntry(FSTAB, 'nas.lan:/srv/xen', '/srv/nas'), '/srv/nas')).toBe(false);
  });
});
