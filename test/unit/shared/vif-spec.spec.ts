import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../fixtures/load';
import { formatVifSpec, isUnicastMac, isValidMac, normaliseMac, parseVifSpec, randomXenMac } from '../../../src/shared/vif-spec';
import { parseXlConfig } from '../../../src/xen/config/xl-config';

function realVifLines(): string[] {
  return ['test1.cfg', 'pvh1.cfg', 'hvm1.cfg', 'test2-nodev.cfg'].flatMap((name) => {
    const vif = parseXlConfig(loadFixture(name).text).get('vif');
    return Array.isArray(vif) ? vif.map(String) : [];
  });
}

const EXAMPLES = [
  'mac=00:16:3E:74:3d:76,model=rtl8139,bridge=xenbr0',
  'mac=00:16:3E:74:34:32',
  '',
  'mac=00:16:3e:5f:48:e4,bridge=xenbr1',
  'rate=10Mb/s',
  'rate=250KB/s',
  'rate=1MB/s@20ms',
  'vlan=10p/100+10x4',
  'trusted',
  'untrusted',
  'type=ioemu, model=e1000, vifname=vm1-eth0, script=vif-route, ip=10.0.0.2 10.0.0.3, backend=drv, gatewaydev=eth0',
  'netdev=eth1,devid=3,mtu=9000',
];

describe('parseVifSpec', () => {
  it('reads the real configs', () => {
    expect(realVifLines()).toEqual(['bridge=xenbr0', 'bridge=xenbr0', 'bridge=xenbr0']);
    expect(parseVifSpec('bridge=xenbr0')).toEqual({ bridge: 'xenbr0' });
  });

  it('reads the man page examples', () => {
    expect(parseVifSpec(EXAMPLES[0] as string)).toEqual({ mac: '00:16:3e:74:3d:76', model: 'rtl8139', bridge: 'xenbr0' });
    expect(parseVifSpec('')).toEqual({});
    expect(parseVifSpec('rate=1MB/s@20ms')).toEqual({ rate: '1MB/s@20ms' });
    expect(parseVifSpec('vlan=10p/100+10x4')).toEqual({ other: { vlan: '10p/100+10x4' } });
    expect(parseVifSpec('untrusted')).toEqual({ trusted: false });
  });

  it('reads every key, skipping blanks before items and empty items', () => {
    expect(parseVifSpec(EXAMPLES[10] as string)).toEqual({
      type: 'ioemu', model: 'e1000', vifname: 'vm1-eth0', script: 'vif-route', ip: '10.0.0.2 10.0.0.3', backend: 'drv', gatewaydev: 'eth0',
    });
    expect(parseVifSpec('netdev=eth1,,devid=3,mtu=9000')).toEqual({ gatewaydev: 'eth1', devid: 3, mtu: 9000 });
  });

  it.each([
    ['foo', /not key=value/],
    ['colour=red', /unknown parameter "colour"/],
    ['mac=00:16:3e:zz:00:01', /bad mac/],
    ['mac=00:16:3e:00:01', /bad mac/],
    ['type=bridge', /type must be ioemu or vif/],
    ['devid=-1', /devid must be a whole number/],
    ['mtu=99999999', /mtu must be a whole number/],
  ])('refuses %j', (spec, message) => {
    expect(() => parseVifSpec(spec)).toThrow(message);
  });
});

describe('formatVifSpec', () => {
  it('writes keys in a fixed order with the mac normalised', () => {
    expect(formatVifSpec({ bridge: 'xenbr0', mac: '00-16-3E-AA-BB-CC', model: 'e1000', type: 'ioemu' })).toBe('mac=00:16:3e:aa:bb:cc,bridge=xenbr0,type=ioemu,model=e1000');
    expect(formatVifSpec({})).toBe('');
    expect(formatVifSpec({ trusted: true, other: { vlan: '10' }, mtu: 1500 })).toBe('mtu=1500,vlan=10,trusted');
  });

  it('round-trips the examples and the real lines', () => {
    for (const spec of [...EXAMPLES, ...realVifLines()]) {
      const v = parseVifSpec(spec);
      const text = formatVifSpec(v);
      expect(parseVifSpec(text)).toEqual(v);
      expect(formatVifSpec(parseVifSpec(text))).toBe(text);
    }
  });

  it('refuses values it cannot write', () => {
    expect(() => formatVifSpec({ bridge: 'xenbr0,script=/tmp/evil' })).toThrow(/bridge may not contain ","/);
    expect(() => formatVifSpec({ ip: '10.0.0.1\n' })).toThrow(/newline/);
    expect(() => formatVifSpec({ mac: 'nope' })).toThrow(/not a MAC/);
    expect(() => formatVifSpec({ mtu: 1.5 })).toThrow(/mtu/);
    expect(() => formatVifSpec({ other: { evil: 'x' } })).toThrow(/unknown vif parameter/);
  });
});

describe('MAC helpers', () => {
  it('validates and normalises', () => {
    expect(isValidMac('00:16:3E:74:3d:76')).toBe(true);
    expect(isValidMac('00:16:3e:74:3d')).toBe(false);
    expect(isValidMac('00:16:3e:74:3d:76:00')).toBe(false);
    expect(isValidMac('0:16:3e:74:3d:76')).toBe(false);
    expect(normaliseMac('00-16-3E-74-3D-76')).toBe('00:16:3e:74:3d:76');
    expect(normaliseMac(' 00:16:3e:74:3d:76')).toBeNull();
    expect(normaliseMac('00:16:3e:74:3d:76\n')).toBeNull();
    expect(normaliseMac('00:16:3e:74:3d:7g')).toBeNull();
  });

  it('knows unicast from multicast', () => {
    expect(isUnicastMac('00:16:3e:00:00:01')).toBe(true);
    expect(isUnicastMac('02:00:00:00:00:01')).toBe(true);
    expect(isUnicastMac('01:00:5e:00:00:01')).toBe(false);
    expect(isUnicastMac('ff:ff:ff:ff:ff:ff')).toBe(false);
    expect(isUnicastMac('00:00:00:00:00:00')).toBe(false);
  });

  it('makes random MACs in the Xen OUI with the fourth byte below 0x80', () => {
    expect(randomXenMac(() => new Uint8Array([0xff, 0xab, 0x01]))).toBe('00:16:3e:7f:ab:01');
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const mac = randomXenMac();
      expect(mac).toMatch(/^00:16:3e:[0-7][0-9a-f]:[0-9a-f]{2}:[0-9a-f]{2}$/);
      expect(isUnicastMac(mac)).toBe(true);
      seen.add(mac);
    }
    expect(seen.size).toBeGreaterThan(45);
  });
});
