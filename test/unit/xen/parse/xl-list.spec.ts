import { describe, expect, it } from 'vitest';
import { isXenError } from '../../../../src/xen/errors';
import {
  describeStateFlags,
  isStateFlags,
  parseXlList,
  stateFromFlags,
} from '../../../../src/xen/parse/xl-list';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';

const HEADER = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n';


describe('parseXlList on real captures', () => {
  it('reads dom0 alone', () => {
    const f = loadFixture('xl-list.txt');
    expect(f.command).toBe('xl list');
    expect(parseXlList(f.text)).toEqual([
      { name: 'Domain-0', domid: 0, memMiB: 1024, vcpus: 2, stateFlags: 'r-----', cpuTimeS: 162.0 },
    ]);
  });

  it('reads a running guest beside dom0', () => {
    expect(parseXlList(loadFixture('xl-list-with-test1.txt').text)).toEqual([
      { name: 'Domain-0', domid: 0, memMiB: 1024, vcpus: 2, stateFlags: 'r-----', cpuTimeS: 277.7 },
      { name: 'test1', domid: 1, memMiB: 128, vcpus: 2, stateFlags: 'r-----', cpuTimeS: 10.8 },
    ]);
  });

  it('reads paused and shut-down guests', () => {
    const paused = parseXlList(loadFixture('xl-list-paused.txt').text);
    expect(paused[1]).toEqual({ name: 'test1', domid: 1, memMiB: 128, vcpus: 1, stateFlags: '--p---', cpuTimeS: 16.9 });
    const down = parseXlList(loadFixture('xl-list-after-shutdown.txt').text);
    expect(down[1]).toEqual({ name: 'test1', domid: 2, memMiB: 200, vcpus: 1, stateFlags: '--ps--', cpuTimeS: 2.8 });
    expect(stateFromFlags(down[1]?.stateFlags ?? '')).toBe('shutdown');
  });

  it('reads every xl list capture without error', () => {
    for (const name of [
      'xl-list-after-destroy.txt',
      'xl-list-after-mem-set-200m.txt',
      'xl-list-after-mem-set-96m.txt',
      'xl-list-after-recreate.txt',
      'xl-list-after-save.txt',
      'xl-list-after-vcpu-set.txt',
      'xl-list-before-recreate.txt',
      'xl-list-end.txt',
      'xl-list-final.txt',
      'xl-list-test2.txt',
      'xl-list-unpaused.txt',
    ]) {
      const rows = parseXlList(loadFixture(name).text);
      expect(rows[0]?.name, name).toBe('Domain-0');
    }
    expect(parseXlList(loadFixture('xl-list-after-mem-set-96m.txt').text)[1]?.memMiB).toBe(96);
    expect(parseXlList(loadFixture('xl-list-test2.txt').text)[1]).toMatchObject({ name: 'test2', domid: 8 });
  });

  it('refuses the error xl prints for an unknown domain', () => {
    const f = loadFixture('xl-list-nonexistent.txt');
    const err = parseError(() => parseXlList(f.text));
    expect(err.line).toBe(1);
    expect(err.message).toMatch(/^xl list: line 1: expected header/);
  });
});

describe('parseXlList edge cases', () => {
  it('keeps a name that contains spaces, reading columns from the right', () => {
    const rows = parseXlList(`${HEADER}my odd  guest                                7   512     1     -b----       3.5\n`);
    expect(rows).toEqual([
      { name: 'my odd  guest', domid: 7, memMiB: 512, vcpus: 1, stateFlags: '-b----', cpuTimeS: 3.5 },
    ]);
  });

  it('accepts a name longer than the 40-character column and CRLF line ends', () => {
    const long = 'a'.repeat(64);
    const rows = parseXlList(`${HEADER.replace('\n', '\r\n')}${long} 12  256     2     --ps-d       0.0\r\n`);
    expect(rows[0]).toMatchObject({ name: long, domid: 12, stateFlags: '--ps-d' });
  });

  it('reads a domain being rebuilt during reboot (0 MiB, 0 vCPUs)', () => {
    const rows = parseXlList(`${HEADER}test1                                        3     0     0     --p---       0.0\n`);
    expect(rows[0]).toMatchObject({ memMiB: 0, vcpus: 0, stateFlags: '--p---' });
  });

  it('returns no rows for a header alone', () => {
    expect(parseXlList(HEADER)).toEqual([]);
  });

  it('throws PARSE for empty output', () => {
    expect(parseError(() => parseXlList('')).message).toBe('xl list: line 1: empty output, expected the header line');
  });

  it('throws PARSE naming the line for a truncated row', () => {
    const err = parseError(() => parseXlList(`${HEADER}Domain-0      0  1024     2     r---\n`));
    expect(err.line).toBe(2);
    expect(err.message).toBe('xl list: line 2: expected 6 columns, got "Domain-0      0  1024     2     r---"');
  });

  it('throws PARSE when the output is cut inside the last time column', () => {
    const full = loadFixture('xl-list.txt').text;
    const cut = full.slice(0, full.lastIndexOf('.'));
    expect(parseError(() => parseXlList(cut))).toEqual({ message: 'xl list: line 2: Time(s) is not a time with one decimal: "162"', line: 2 });
  });

  it('throws PARSE for a non-numeric column', () => {
    const err = parseError(() => parseXlList(`${HEADER}Domain-0   x  1024     2     r-----   1.0\n`));
    expect(err).toEqual({ message: 'xl list: line 2: ID is not an integer: "x"', line: 2 });
  });

  it('throws PARSE for state letters xl never prints', () => {
    const err = parseError(() => parseXlList(`${HEADER}evil   1  1024     2     rm -rf/     1.0\n`));
    expect(err.line).toBe(2);
  });

  it('throws PARSE for a row with only the columns and no name', () => {
    expect(parseError(() => parseXlList(`${HEADER}0  1024     2     r-----     1.0\n`)).line).toBe(2);
  });

  it('escapes control characters from hostile input in its message and cuts long lines short', () => {
    const err = parseError(() => parseXlList(`${HEADER}\u001b]0;pwned\u0007${'x'.repeat(500)}\n`));
    expect(err.message).toContain('\\u001b]0;pwned\\u0007');
    expect(err.message).not.toContain('\u001b');
    expect(err.message.length).toBeLessThan(220);
  });

  it('stays fast on a huge line of spaces', () => {
    const start = Date.now();
    expect(() => parseXlList(`${HEADER}${' '.repeat(200_000)}x\n`)).toThrow(/line 2/);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('never throws a raw TypeError on odd input', () => {
    for (const input of ['\n\n', HEADER + '\t\n', 'Name ID\n', HEADER + '"\'\\\n', '\u0000']) {
      try {
        parseXlList(input);
      } catch (e) {
        expect(isXenError(e, 'PARSE')).toBe(true);
      }
    }
  });
});

describe('stateFromFlags', () => {
  it.each([
    ['r-----', 'running'],
    ['------', 'running'],
    ['-b----', 'blocked'],
    ['rb----', 'blocked'],
    ['--p---', 'paused'],
    ['-bp---', 'paused'],
    ['--ps--', 'shutdown'],
    ['---sr-', 'shutdown'],
    ['---ss-', 'shutdown'],
    ['---sc-', 'crashed'],
    ['--psc-', 'crashed'],
    ['---s-d', 'dying'],
    ['-----d', 'dying'],
  ] as const)('%s -> %s', (flags, state) => {
    expect(stateFromFlags(flags)).toBe(state);
  });
});

describe('describeStateFlags', () => {
  it('says what each letter means', () => {
    expect(describeStateFlags('-b----')).toBe('blocked (idle, waiting for I/O)');
    expect(describeStateFlags('r-----')).toBe('running on a CPU');
    expect(describeStateFlags('------')).toBe('runnable (waiting for a CPU)');
    expect(describeStateFlags('--ps--')).toBe('paused, shut down (powered off)');
    expect(describeStateFlags('---sc-')).toBe('shut down (crashed)');
    expect(describeStateFlags('---sr-')).toBe('shut down (rebooting)');
    expect(describeStateFlags('--p--d')).toBe('paused, dying');
  });

  it('does not pretend to understand other text', () => {
    expect(describeStateFlags('xyz')).toBe('unknown state "xyz"');
    expect(isStateFlags('r-----')).toBe(true);
    expect(isStateFlags('r----')).toBe(false);
  });
});
