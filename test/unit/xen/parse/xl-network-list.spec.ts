import { describe, expect, it } from 'vitest';
import { xenbusStateName } from '../../../../src/xen/parse/xenbus-state';
import { parseXlNetworkList } from '../../../../src/xen/parse/xl-network-list';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';

const HEADER = 'Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       \n';

describe('parseXlNetworkList on real captures', () => {
  it('gives [] for dom0, which has no vifs', () => {
    const f = loadFixture('xl-network-list-0.txt');
    expect(f.command).toBe('xl network-list 0');
    expect(parseXlNetworkList(f.text)).toEqual([]);
  });

  it("reads test1's vif", () => {
    const f = loadFixture('xl-network-list-test1.txt');
    expect(f.command).toBe('xl network-list test1');
    const rows = parseXlNetworkList(f.text);
    expect(rows).toEqual([
      {
        devid: 0,
        idx: 0,
        backendDomid: 0,
        mac: '00:16:3e:08:38:84',
        handle: 0,
        state: 4,
        evtch: -1,
        txRingRef: 522,
        rxRingRef: 523,
        backendPath: '/local/domain/0/backend/vif/1/0',
      },
    ]);
    expect(xenbusStateName(rows[0]?.state ?? -1)).toBe('Connected');
  });
});

describe('parseXlNetworkList malformed input', () => {
  it('throws PARSE on empty output and on a foreign header', () => {
    expect(parseError(() => parseXlNetworkList('')).message).toBe('xl network-list: line 1: empty output, expected the header line');
    expect(parseError(() => parseXlNetworkList(loadFixture('xl-block-list-0.txt').text)).line).toBe(1);
  });

  it('throws PARSE on a truncated row', () => {
    expect(parseError(() => parseXlNetworkList(`${HEADER}0   0  00:16:3e:08:38:84     0     4\n`))).toEqual({
      message: 'xl network-list: line 2: expected 8 columns, got "0   0  00:16:3e:08:38:84     0     4"',
      line: 2,
    });
  });

  it('throws PARSE when the output is cut inside the backend path', () => {
    const full = loadFixture('xl-network-list-test1.txt').text;
    expect(parseError(() => parseXlNetworkList(full.slice(0, full.length - 3))).message).toBe(
      'xl network-list: line 2: BE-path does not end with the device id 0: "/local/domain/0/backend/vif/1"',
    );
  });

  it('throws PARSE on a bad MAC or ring pair', () => {
    expect(parseError(() => parseXlNetworkList(`${HEADER}0 0 00:16:3e:08:38 0 4 -1 522/523 /p/0\n`)).message).toBe(
      'xl network-list: line 2: Mac Addr. is not a MAC address: "00:16:3e:08:38"',
    );
    expect(parseError(() => parseXlNetworkList(`${HEADER}0 0 00:16:3e:08:38:84 0 4 -1 522 /p/0\n`)).message).toBe(
      'xl network-list: line 2: tx-/rx-ring-ref is not "tx/rx": "522"',
    );
    expect(parseError(() => parseXlNetworkList(`${HEADER}0 0 00:16:3e:08:38:84 0 4 -1 522/x /p/0\n`)).message).toBe(
      'xl network-list: line 2: rx-ring-ref is not an integer: "x"',
    );
  });

  it('names states Xen does not define by number', () => {
    expect(xenbusStateName(6)).toBe('Closed');
    expect(xenbusStateName(42)).toBe('state 42');
  });
});
