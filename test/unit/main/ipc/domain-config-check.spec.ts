import { describe, expect, it } from 'vitest';
import { checkConfigText } from '../../../../src/main/ipc/domain-config';
import { loadFixture } from '../../../fixtures/load';

const PV = loadFixture('xm-era-pv-guide.cfg').text;

describe('domain:configCheck on an xm-era guide config', () => {
  it('reports the one bad value on its field instead of refusing the whole file', () => {
    const c = checkConfigText('guide-pv', PV, PV, '/etc/xen/guide-pv.cfg');
    expect(c.ok).toBe(false);
    expect(c.problems).toEqual([{ field: 'vifs[0].mac', message: expect.stringContaining('Network interface 1 MAC address: bad mac') as string }]);
  });

  it('is valid once the placeholder is a real MAC', () => {
    const fixed = PV.replace('__random_three_mac_bytes__', '12:34:56');
    expect(checkConfigText('guide-pv', fixed, PV, '/etc/xen/guide-pv.cfg')).toMatchObject({ ok: true, problems: [] });
  });
});
