import { describe, expect, it } from 'vitest';
import { parseXlListVerbose } from '../../../../src/xen/parse/xl-list-verbose';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';

const HEADER =
  'Name                                        ID   Mem VCPUs\tState\tTime(s)   UUID                            Reason-Code\tSecurity Label\n';


describe('parseXlListVerbose on real captures', () => {
  it('reads dom0 with its all-zero uuid', () => {
    const f = loadFixture('xl-list-v.txt');
    expect(f.command).toBe('xl list -v');
    expect(parseXlListVerbose(f.text)).toEqual([
      {
        name: 'Domain-0',
        domid: 0,
        memMiB: 1024,
        vcpus: 2,
        stateFlags: 'r-----',
        cpuTimeS: 163.0,
        uuid: '00000000-0000-0000-0000-000000000000',
        reasonCode: null,
        securityLabel: null,
      },
    ]);
  });

  it('reads a guest beside dom0', () => {
    const rows = parseXlListVerbose(loadFixture('xl-list-v-with-test1.txt').text);
    expect(rows[1]).toEqual({
      name: 'test1',
      domid: 1,
      memMiB: 128,
      vcpus: 1,
      stateFlags: '-b----',
      cpuTimeS: 15.1,
      uuid: '791318b8-d3d6-4705-b8af-034c5b5b952e',
      reasonCode: null,
      securityLabel: null,
    });
  });
});

describe('parseXlListVerbose edge cases', () => {
  it('reads a hex reason code, a label and a spaced name', () => {
    const rows = parseXlListVerbose(
      `${HEADER}crashy guest                                 4   256     1     ---sc-       1.5 791318b8-d3d6-4705-b8af-034c5b5b952e        3 system_u:system_r:domU_t\n`,
    );
    expect(rows[0]).toMatchObject({ name: 'crashy guest', reasonCode: 3, securityLabel: 'system_u:system_r:domU_t' });
  });

  it('refuses plain xl list output (wrong header)', () => {
    expect(parseError(() => parseXlListVerbose(loadFixture('xl-list.txt').text)).line).toBe(1);
  });

  it('throws PARSE on empty output and on a row cut short', () => {
    expect(parseError(() => parseXlListVerbose('')).message).toBe('xl list -v: line 1: empty output, expected the header line');
    const cut = `${HEADER}Domain-0                                     0  1024     2     r-----     163.0 00000000-0000-0000\n`;
    expect(parseError(() => parseXlListVerbose(cut))).toEqual({
      message: 'xl list -v: line 2: expected 9 columns, got "Domain-0                                     0  1024     2     r-----     163.0 00000000-0000-0000"',
      line: 2,
    });
  });

  it('throws PARSE on a bad uuid or reason code', () => {
    const row = (uuid: string, reason: string): string =>
      `${HEADER}d 1 2 3 r----- 1.0 ${uuid} ${reason} -\n`;
    expect(parseError(() => parseXlListVerbose(row('$(reboot)', '-'))).message).toBe(
      'xl list -v: line 2: UUID is not a uuid: "$(reboot)"',
    );
    expect(parseError(() => parseXlListVerbose(row('791318b8-d3d6-4705-b8af-034c5b5b952e', 'zz'))).message).toBe(
      'xl list -v: line 2: Reason-Code is not "-" or hex: "zz"',
    );
  });
});
