import { describe, expect, it } from 'vitest';
import { parseXlUptime } from '../../../../src/xen/parse/xl-uptime';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';

const HEADER = 'Name                                ID Uptime\n';

describe('parseXlUptime on real captures', () => {
  it('reads dom0', () => {
    const f = loadFixture('xl-uptime.txt');
    expect(f.command).toBe('xl uptime');
    expect(parseXlUptime(f.text)).toEqual([{ name: 'Domain-0', domid: 0, uptimeS: 115 }]);
  });

  it('reads a guest beside dom0', () => {
    expect(parseXlUptime(loadFixture('xl-uptime-with-test1.txt').text)).toEqual([
      { name: 'Domain-0', domid: 0, uptimeS: 236 },
      { name: 'test1', domid: 1, uptimeS: 53 },
    ]);
  });
});

describe('parseXlUptime edge cases', () => {
  it('reads one day and several days (xl adds "N day(s),")', () => {
    const rows = parseXlUptime(
      `${HEADER}Domain-0                             0 1 day,  2:03:04\nlong lived                          12 400 days, 23:59:59\n`,
    );
    expect(rows).toEqual([
      { name: 'Domain-0', domid: 0, uptimeS: 86400 + 7384 },
      { name: 'long lived', domid: 12, uptimeS: 400 * 86400 + 86399 },
    ]);
  });

  it('throws PARSE on empty output, a missing clock, or a clock out of range', () => {
    expect(parseError(() => parseXlUptime('')).message).toBe('xl uptime: line 1: empty output, expected the header line');
    expect(parseError(() => parseXlUptime(`${HEADER}Domain-0   0\n`))).toEqual({
      message: 'xl uptime: line 2: expected "name id [N days,] H:MM:SS", got "Domain-0   0"',
      line: 2,
    });
    expect(parseError(() => parseXlUptime(`${HEADER}d 0 0:99:00\n`)).message).toBe(
      'xl uptime: line 2: uptime is not a time of day: "0:99:00"',
    );
    expect(parseError(() => parseXlUptime(`${HEADER}d x days, 0:00:00\n`)).message).toBe('xl uptime: line 2: days is not an integer: "x"');
  });

  it('throws PARSE on a row without a name, or with a bad id', () => {
    expect(parseError(() => parseXlUptime(`${HEADER}0 0:01:00\n`)).line).toBe(2);
    expect(parseError(() => parseXlUptime(`${HEADER}d -- 0:01:00\n`)).message).toBe('xl uptime: line 2: ID is not an integer: "--"');
  });

  it('refuses the short form and other tables', () => {
    expect(parseError(() => parseXlUptime(' 0:01\n')).line).toBe(1);
    expect(parseError(() => parseXlUptime(loadFixture('xl-list.txt').text)).line).toBe(1);
  });
});
