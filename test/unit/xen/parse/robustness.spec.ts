import { describe, expect, it } from 'vitest';
import { isXenError } from '../../../../src/xen/errors';
import { parseXenstoreLs, parseXenstoreRead } from '../../../../src/xen/parse/xenstore';
import { parseXlBlockList } from '../../../../src/xen/parse/xl-block-list';
import { parseXlDmesg } from '../../../../src/xen/parse/xl-dmesg';
import { parseXlInfo } from '../../../../src/xen/parse/xl-info';
import { parseXlList } from '../../../../src/xen/parse/xl-list';
import { parseXlListLong, summariseLongEntry } from '../../../../src/xen/parse/xl-list-long';
import { parseXlListVerbose } from '../../../../src/xen/parse/xl-list-verbose';
import { parseXlNetworkList } from '../../../../src/xen/parse/xl-network-list';
import { parseXlSchedCredit2 } from '../../../../src/xen/parse/xl-sched-credit2';
import { parseXlUptime } from '../../../../src/xen/parse/xl-uptime';
import { parseXlVcpuList } from '../../../../src/xen/parse/xl-vcpu-list';
import { loadFixture } from '../../../fixtures/load';

// Every parser, on every fixture it reads, cut at every length and mutated at random, must either return or throw
// XenError PARSE: never a TypeError or RangeError that would reach the UI as "undefined is not a function".
const cases: [string, string, (text: string) => unknown][] = [
  ['xl list', 'xl-list-with-test1.txt', parseXlList],
  ['xl list -v', 'xl-list-v-with-test1.txt', parseXlListVerbose],
  ['xl list -l', 'xl-list-l-all.json', (t) => parseXlListLong(t).map(summariseLongEntry)],
  ['xl info', 'xl-info.txt', parseXlInfo],
  ['xl info -n', 'xl-info-n.txt', parseXlInfo],
  ['xl vcpu-list', 'xl-vcpu-list-test1.txt', parseXlVcpuList],
  ['xl uptime', 'xl-uptime-with-test1.txt', parseXlUptime],
  ['xl dmesg', 'xl-dmesg-head50.txt', parseXlDmesg],
  ['xl network-list', 'xl-network-list-test1.txt', parseXlNetworkList],
  ['xl block-list', 'xl-block-list-test1.txt', parseXlBlockList],
  ['xl sched-credit2', 'xl-sched-credit2.txt', parseXlSchedCredit2],
  ['xenstore-ls', 'xenstore-ls-test1.txt', parseXenstoreLs],
  ['xenstore-read', 'xl-domid-test1.txt', (t) => parseXenstoreRead(t)],
];

/** Small seeded PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = ['\u0000', '\t', '\r', '\n', ' ', '"', '\\', ':', '/', '-', '{', '}', '[', ']', ',', '9', 'x', '\u00e9', '\u001b', '\ud800'];

function mutate(text: string, r: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(r() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const kind = r();
    const ch = NASTY[Math.floor(r() * NASTY.length)] ?? 'x';
    if (kind < 0.4) s = s.slice(0, at) + s.slice(at + 1);
    else if (kind < 0.8) s = s.slice(0, at) + ch + s.slice(at);
    else s = s.slice(0, at) + ch + s.slice(at + 1);
  }
  return s;
}

function survives(parse: (t: string) => unknown, input: string): string | null {
  try {
    parse(input);
    return null;
  } catch (e) {
    if (isXenError(e, 'PARSE')) return null;
    return `${e instanceof Error ? e.name : typeof e}: ${String(e)} for ${JSON.stringify(input.slice(0, 200))}`;
  }
}

describe.each(cases)('%s never throws anything but PARSE', (_what, fixture, parse) => {
  const text = loadFixture(fixture).text;

  it('on every truncation of its fixture', () => {
    const bad: string[] = [];
    for (let len = 0; len <= text.length; len++) {
      const problem = survives(parse, text.slice(0, len));
      if (problem !== null) bad.push(problem);
    }
    expect(bad).toEqual([]);
  });

  it('on 400 random mutations of its fixture', () => {
    const r = rng(fixture.length * 7919);
    const bad: string[] = [];
    for (let i = 0; i < 400; i++) {
      const problem = survives(parse, mutate(text, r));
      if (problem !== null) bad.push(problem);
    }
    expect(bad).toEqual([]);
  });

  it('on input that is not command output at all', () => {
    for (const junk of ['', '\n', '\u0000\u0000', '<html><body>502 Bad Gateway</body></html>\n', 'null', '[]', '{"a":1}', '\ufeff']) {
      expect(survives(parse, junk)).toBeNull();
    }
  });
});
