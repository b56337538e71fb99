import { describe, expect, it } from 'vitest';
import { parseXlSchedCredit2 } from '../../../../src/xen/parse/xl-sched-credit2';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';

const HEADER = 'Name                                ID Weight  Cap\n';

describe('parseXlSchedCredit2 on the real capture', () => {
  it('reads Pool-0 with dom0', () => {
    const f = loadFixture('xl-sched-credit2.txt');
    expect(f.command).toBe('xl sched-credit2');
    expect(parseXlSchedCredit2(f.text)).toEqual([
      { pool: 'Pool-0', ratelimitUs: 1000, domains: [{ name: 'Domain-0', domid: 0, weight: 256, cap: 0 }] },
    ]);
  });
});

describe('parseXlSchedCredit2 other shapes', () => {
  it('reads several pools, an unavailable rate limit and spaced names', () => {
    const text =
      'Cpupool Pool-0: ratelimit=1000us\n' +
      HEADER +
      'Domain-0                             0    256    0\n' +
      'Cpupool fast pool: [sched params unavailable]\n' +
      HEADER +
      'web server                           3    512   50\n';
    expect(parseXlSchedCredit2(text)).toEqual([
      { pool: 'Pool-0', ratelimitUs: 1000, domains: [{ name: 'Domain-0', domid: 0, weight: 256, cap: 0 }] },
      { pool: 'fast pool', ratelimitUs: null, domains: [{ name: 'web server', domid: 3, weight: 512, cap: 50 }] },
    ]);
  });

  it('reads the -d form, which has no pool line', () => {
    expect(parseXlSchedCredit2(`${HEADER}test1                                1    256    0\n`)).toEqual([
      { pool: null, ratelimitUs: null, domains: [{ name: 'test1', domid: 1, weight: 256, cap: 0 }] },
    ]);
  });

  it('reads a pool with no domains', () => {
    expect(parseXlSchedCredit2(`Cpupool empty: ratelimit=500us\n${HEADER}`)).toEqual([{ pool: 'empty', ratelimitUs: 500, domains: [] }]);
  });
});

describe('parseXlSchedCredit2 malformed input', () => {
  it('throws PARSE on empty output', () => {
    expect(parseError(() => parseXlSchedCredit2('')).message).toBe(
      'xl sched-credit2: line 1: empty output, expected a Cpupool line or the header',
    );
  });

  it('throws PARSE when output stops after a pool line', () => {
    expect(parseError(() => parseXlSchedCredit2('Cpupool Pool-0: ratelimit=1000us\n'))).toEqual({
      message: 'xl sched-credit2: line 2: pool Pool-0 has no header line (output truncated?)',
      line: 2,
    });
  });

  it('throws PARSE on a row before any header, a short row, or a bad number', () => {
    expect(parseError(() => parseXlSchedCredit2('Domain-0 0 256 0\n')).line).toBe(1);
    expect(parseError(() => parseXlSchedCredit2(`${HEADER}Domain-0 0 256\n`))).toEqual({
      message: 'xl sched-credit2: line 2: expected "name id weight cap", got "Domain-0 0 256"',
      line: 2,
    });
    expect(parseError(() => parseXlSchedCredit2(`${HEADER}Domain-0 0 heavy 0\n`)).message).toBe(
      'xl sched-credit2: line 2: Weight is not an integer: "heavy"',
    );
    expect(parseError(() => parseXlSchedCredit2(`${HEADER}${HEADER}`)).message).toBe('xl sched-credit2: line 2: header line out of place');
  });

  it('refuses a pool line with junk after the rate limit', () => {
    expect(parseError(() => parseXlSchedCredit2(`Cpupool Pool-0: ratelimit=1000us; reboot\n${HEADER}`)).line).toBe(1);
  });
});
