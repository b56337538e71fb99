import { describe, expect, it } from 'vitest';
import { guestTypesFromVirtCaps, parseXlInfo } from '../../../../src/xen/parse/xl-info';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';


describe('parseXlInfo on real captures', () => {
  it('reads the typed fields of xl info', () => {
    const f = loadFixture('xl-info.txt');
    expect(f.command).toBe('xl info');
    const info = parseXlInfo(f.text);
    const { raw: _raw, ...typed } = info;
    expect(typed).toEqual({
      host: 'xendom0',
      release: '6.1.0-50-amd64',
      version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-07-02)',
      machine: 'x86_64',
      nrCpus: 2,
      maxCpuId: 1,
      nrNodes: 1,
      coresPerSocket: 2,
      threadsPerCore: 1,
      cpuMhz: 2445.424,
      virtCaps: ['pv', 'hvm', 'shadow', 'gnttab-v1', 'gnttab-v2'],
      totalMemoryMiB: 3071,
      freeMemoryMiB: 2014,
      xenMajor: 4,
      xenMinor: 17,
      xenExtra: '.5',
      xenVersion: '4.17.5',
      xenCaps: ['xen-3.0-x86_64', 'hvm-3.0-x86_32', 'hvm-3.0-x86_32p', 'hvm-3.0-x86_64'],
      xenScheduler: 'credit2',
      xenCommandline:
        'dom0_mem=1024M,max:1024M dom0_max_vcpus=2 console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all noreboot',
      ccCompiler: 'x86_64-linux-gnu-gcc (Debian 12.2.0-14+deb12u1) 12.2.0',
      xendConfigFormat: 4,
      cpuTopology: null,
      numaInfo: null,
    });
  });

  it('keeps every key verbatim in raw, including values with colons and empty values', () => {
    const { raw } = parseXlInfo(loadFixture('xl-info.txt').text);
    expect(Object.keys(raw)).toHaveLength(34);
    expect(raw.hw_caps).toBe('178bf3fd:80002001:20100800:00000007:00000000:00000000:00000000:00000000');
    expect(raw.cc_compile_date).toBe('Sat Nov 29 13:52:25 UTC 2025');
    expect(raw.platform_params).toBe('virt_start=0xffff800000000000');
    expect(raw.xen_changeset).toBe('');
    expect(raw.build_id).toBe('39a640e6f1412319235087391df9f1c5e13ae920');
  });

  it('reads xl -v info the same way', () => {
    const f = loadFixture('xl-v-info.txt');
    expect(f.command).toBe('xl -v info');
    expect(parseXlInfo(f.text)).toEqual(parseXlInfo(loadFixture('xl-info.txt').text));
  });

  it('reads the tables of xl info -n', () => {
    const info = parseXlInfo(loadFixture('xl-info-n.txt').text);
    expect(info.cpuTopology).toEqual([
      { cpu: 0, core: 0, socket: 0, node: 0 },
      { cpu: 1, core: 1, socket: 0, node: 0 },
    ]);
    expect(info.numaInfo).toEqual([{ node: 0, memsizeMiB: 3071, memfreeMiB: 2014, distances: [10] }]);
    expect(info.raw['device topology']).toBe('');
    expect(info.xenVersion).toBe('4.17.5');
  });

  it('refuses a grep-filtered capture: the missing keys mean the output is not all there', () => {
    const err = parseError(() => parseXlInfo(loadFixture('xl-info-xen_version.txt').text));
    expect(err.message).toBe('xl info: line 7: missing key host (output truncated?)');
    expect(err.line).toBe(7);
  });
});

describe('parseXlInfo malformed input', () => {
  const full = loadFixture('xl-info.txt').text;

  it('throws PARSE on empty output', () => {
    expect(parseError(() => parseXlInfo('')).message).toBe('xl info: line 1: empty output');
    expect(parseError(() => parseXlInfo('\n\n')).line).toBe(1);
  });

  it('throws PARSE on output cut off half way', () => {
    const cut = full.split('\n').slice(0, 12).join('\n');
    expect(parseError(() => parseXlInfo(cut)).message).toBe('xl info: line 13: missing key total_memory (output truncated?)');
  });

  it('throws PARSE naming the line of a number that is not one', () => {
    const bad = full.replace('nr_cpus                : 2', 'nr_cpus                : two');
    expect(parseError(() => parseXlInfo(bad))).toEqual({ message: 'xl info: line 5: nr_cpus is not an integer: "two"', line: 5 });
  });

  it('throws PARSE on a line that is not key : value', () => {
    const bad = full.replace('machine                : x86_64\n', 'machine                : x86_64\n<script>alert(1)</script>\n');
    expect(parseError(() => parseXlInfo(bad))).toEqual({
      message: 'xl info: line 5: expected "key : value", got "<script>alert(1)</script>"',
      line: 5,
    });
  });

  it('throws PARSE on a repeated key (two outputs run together)', () => {
    expect(parseError(() => parseXlInfo(full + full)).message).toBe('xl info: line 35: key host appears twice');
  });

  it('does not let a key named like an Object property leak through', () => {
    const info = parseXlInfo(`${full}__proto__              : polluted\nconstructor            : x\n`);
    expect(Object.getOwnPropertyDescriptor(info.raw, '__proto__')?.value).toBe('polluted');
    expect(Object.getPrototypeOf(info.raw)).toBe(Object.prototype);
    expect(info.raw.constructor).toBe('x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws PARSE on a malformed cpu_topology row', () => {
    const bad = loadFixture('xl-info-n.txt').text.replace('  1:       1        0        0', '  1:       1        0');
    expect(parseError(() => parseXlInfo(bad)).line).toBe(22);
  });

  it('stays fast on a hostile long line', () => {
    const start = Date.now();
    expect(() => parseXlInfo(`${'a '.repeat(100_000)}\n`)).toThrow(/line 1/);
    expect(Date.now() - start).toBeLessThan(1000);
  });
});

describe('guestTypesFromVirtCaps', () => {
  it('gives pv, pvh and hvm for the test host (shadow paging only)', () => {
    expect(guestTypesFromVirtCaps(['pv', 'hvm', 'shadow', 'gnttab-v1', 'gnttab-v2'])).toEqual(['pv', 'pvh', 'hvm']);
  });

  it('accepts hap as the paging mode', () => {
    expect(guestTypesFromVirtCaps(['hvm', 'hap'])).toEqual(['pvh', 'hvm']);
  });

  it('gives only pv without hvm, and nothing for hvm without any paging mode', () => {
    expect(guestTypesFromVirtCaps(['pv', 'hap', 'shadow'])).toEqual(['pv']);
    expect(guestTypesFromVirtCaps(['hvm'])).toEqual([]);
    expect(guestTypesFromVirtCaps([])).toEqual([]);
  });
});
