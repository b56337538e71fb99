import { describe, expect, it } from 'vitest';
import { parseXlVcpuList } from '../../../../src/xen/parse/xl-vcpu-list';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';

const HEADER = 'Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n';

describe('parseXlVcpuList on real captures', () => {
  it("reads dom0's two vCPUs", () => {
    const f = loadFixture('xl-vcpu-list.txt');
    expect(f.command).toBe('xl vcpu-list');
    expect(parseXlVcpuList(f.text)).toEqual([
      {
        name: 'Domain-0', domid: 0, vcpu: 0, cpu: 0, stateFlags: 'r--', online: true, running: true, blocked: false,
        timeS: 81.0, hardAffinity: 'all', softAffinity: 'all',
      },
      {
        name: 'Domain-0', domid: 0, vcpu: 1, cpu: 1, stateFlags: '-b-', online: true, running: false, blocked: true,
        timeS: 86.0, hardAffinity: 'all', softAffinity: 'all',
      },
    ]);
  });

  it('reads an offline vCPU as cpu null, not online', () => {
    const f = loadFixture('xl-vcpu-list-test1.txt');
    expect(f.command).toBe('xl vcpu-list test1');
    const rows = parseXlVcpuList(f.text);
    expect(rows[1]).toEqual({
      name: 'test1', domid: 1, vcpu: 1, cpu: null, stateFlags: '--p', online: false, running: false, blocked: false,
      timeS: 2.0, hardAffinity: 'all', softAffinity: 'all',
    });
    expect(parseXlVcpuList(loadFixture('xl-vcpu-list-test1-after-vcpu-set-2.txt').text)[0]?.timeS).toBe(15.9);
  });
});

describe('parseXlVcpuList edge cases', () => {
  it('reads pinned affinities and a spaced name', () => {
    const rows = parseXlVcpuList(`${HEADER}my vm                                3     0     1   -b-       0.4  0-1,3 / 1\n`);
    expect(rows[0]).toMatchObject({ name: 'my vm', hardAffinity: '0-1,3', softAffinity: '1', cpu: 1 });
  });

  it('returns nothing for a header alone and throws on empty output', () => {
    expect(parseXlVcpuList(HEADER)).toEqual([]);
    expect(parseError(() => parseXlVcpuList('')).line).toBe(1);
  });

  it('throws PARSE on a truncated row', () => {
    expect(parseError(() => parseXlVcpuList(`${HEADER}Domain-0   0     0    0   r--      81.0  all\n`))).toEqual({
      message: 'xl vcpu-list: line 2: expected "name id vcpu cpu state time hard / soft", got "Domain-0   0     0    0   r--      81.0  all"',
      line: 2,
    });
  });

  it('throws PARSE on bad state letters, CPU or affinity', () => {
    expect(parseError(() => parseXlVcpuList(`${HEADER}d 0 0 0 rbx 1.0 all / all\n`)).message).toBe(
      'xl vcpu-list: line 2: State is not three xl letters: "rbx"',
    );
    expect(parseError(() => parseXlVcpuList(`${HEADER}d 0 0 ? r-- 1.0 all / all\n`)).message).toBe(
      'xl vcpu-list: line 2: CPU is not an integer: "?"',
    );
    expect(parseError(() => parseXlVcpuList(`${HEADER}d 0 0 0 r-- 1.0 all / $(id)\n`)).message).toBe(
      'xl vcpu-list: line 2: soft affinity is not a CPU list: "$(id)"',
    );
  });

  it('refuses another command\'s table', () => {
    expect(parseError(() => parseXlVcpuList(loadFixture('xl-list.txt').text)).message).toMatch(/^xl vcpu-list: line 1: expected header/);
  });
});
