import { describe, expect, it } from 'vitest';
import { parseXlBlockList, vdevName } from '../../../../src/xen/parse/xl-block-list';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';

const HEADER = 'Vdev  BE  handle state evt-ch ring-ref BE-path                       \n';

describe('parseXlBlockList on real captures', () => {
  it('gives [] for dom0', () => {
    const f = loadFixture('xl-block-list-0.txt');
    expect(f.command).toBe('xl block-list 0');
    expect(parseXlBlockList(f.text)).toEqual([]);
  });

  it("reads test1's xvda", () => {
    const f = loadFixture('xl-block-list-test1.txt');
    expect(f.command).toBe('xl block-list test1');
    expect(parseXlBlockList(f.text)).toEqual([
      {
        vdev: 51712,
        vdevName: 'xvda',
        backendDomid: 0,
        handle: 1,
        state: 4,
        evtch: 9,
        ringRef: 8,
        backendPath: '/local/domain/0/backend/vbd/1/51712',
      },
    ]);
  });
});

describe('parseXlBlockList malformed input', () => {
  it('throws PARSE on empty output, a foreign header and a truncated row', () => {
    expect(parseError(() => parseXlBlockList('')).line).toBe(1);
    expect(parseError(() => parseXlBlockList(loadFixture('xl-network-list-0.txt').text)).message).toMatch(
      /^xl block-list: line 1: expected header "Vdev BE handle state evt-ch ring-ref BE-path"/,
    );
    expect(parseError(() => parseXlBlockList(`${HEADER}51712 0   1      4\n`))).toEqual({
      message: 'xl block-list: line 2: expected 7 columns, got "51712 0   1      4"',
      line: 2,
    });
  });

  it('throws PARSE when the output is cut inside the backend path', () => {
    const full = loadFixture('xl-block-list-test1.txt').text;
    expect(parseError(() => parseXlBlockList(full.slice(0, full.length - 3)))).toEqual({
      message: 'xl block-list: line 2: BE-path does not end with the vdev 51712: "/local/domain/0/backend/vbd/1/517"',
      line: 2,
    });
  });

  it('throws PARSE on a non-numeric vdev', () => {
    expect(parseError(() => parseXlBlockList(`${HEADER}xvda 0 1 4 9 8 /p/xvda\n`)).message).toBe(
      'xl block-list: line 2: Vdev is not an integer: "xvda"',
    );
  });
});

describe('vdevName', () => {
  it.each([
    [51712, 'xvda'],
    [51728, 'xvdb'],
    [51713, 'xvda1'],
    [(1 << 28) | (26 << 8), 'xvdaa'],
    [(1 << 28) | (4 << 8) | 2, 'xvde2'],
    [2048, 'sda'],
    [2065, 'sdb1'],
    [768, 'hda'],
    [832, 'hdb'],
    [5632, 'hdc'],
    [5696, 'hdd'],
  ] as const)('%d -> %s', (n, name) => {
    expect(vdevName(n)).toBe(name);
  });

  it('gives null for numbers that are no known scheme', () => {
    expect(vdevName(0)).toBeNull();
    expect(vdevName(-1)).toBeNull();
    expect(vdevName(2 ** 40)).toBeNull();
  });
});
