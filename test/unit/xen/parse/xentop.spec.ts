import { describe, expect, it } from 'vitest';
import { isXenError } from '../../../../src/xen/errors';
import { parseXentopBatch, XentopStreamParser, type XentopFrame } from '../../../../src/xen/parse/xentop';
import { loadFixture } from '../../../fixtures/load';

const HEADER =
  '      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID';

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('parseXentopBatch on real captures', () => {
  it('reads every column of the single-iteration capture', () => {
    const { command, text } = loadFixture('xentop-b-i1.txt');
    expect(command).toBe('xentop -b -i 1');
    const frames = parseXentopBatch(text);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.headerLine).toBe(1);
    expect(frames[0]?.domains).toEqual([
      {
        name: 'Domain-0',
        stateFlags: '-----r',
        cpuS: 168,
        cpuPct: 0,
        memKiB: 1048576,
        memPct: 33.3,
        maxMemKiB: 1048576,
        maxMemPct: 33.3,
        vcpus: 2,
        nets: 0,
        netTxKiB: 0,
        netRxKiB: 0,
        vbds: 0,
        vbdOo: 0,
        vbdRd: 0,
        vbdWr: 0,
        vbdRsect: 0,
        vbdWsect: 0,
        ssid: 0,
      },
    ]);
  });

  it('reads three frames with dom0 and a blocked guest, CPU(%) only from the second frame on', () => {
    const { command, text } = loadFixture('xentop-b-with-test1.txt');
    expect(command).toBe('xentop -b -i 3 -d 1');
    const frames = parseXentopBatch(text);
    expect(frames.map((f) => f.headerLine)).toEqual([1, 4, 7]);
    expect(frames.map((f) => f.domains.map((d) => [d.name, d.cpuPct]))).toEqual([
      [['Domain-0', 0], ['test1', 0]],
      [['Domain-0', 22.5], ['test1', 2.7]],
      [['Domain-0', 17], ['test1', 1.3]],
    ]);
    expect(frames[2]?.domains[1]).toEqual({
      name: 'test1',
      stateFlags: '--b---',
      cpuS: 15,
      cpuPct: 1.3,
      memKiB: 131072,
      memPct: 4.2,
      maxMemKiB: 132096,
      maxMemPct: 4.2,
      vcpus: 2,
      nets: 1,
      netTxKiB: 0,
      netRxKiB: 0,
      vbds: 1,
      vbdOo: 0,
      vbdRd: 3,
      vbdWr: 0,
      vbdRsect: 24,
      vbdWsect: 0,
      ssid: 0,
    });
  });

  it('reads the two-iteration capture', () => {
    const { text } = loadFixture('xentop-b.txt');
    const frames = parseXentopBatch(text);
    expect(frames.map((f) => f.domains.map((d) => [d.cpuS, d.cpuPct]))).toEqual([[[167, 0]], [[168, 17.6]]]);
  });
});

describe('parseXentopBatch edge rows', () => {
  it('reads "no limit" / "n/a", "-" VBD counters, and a rebooting domain with Mem 0 VCPUs 0', () => {
    const text = [
      HEADER,
      '  Domain-0 -----r        287    0.0    1048576   33.3   no limit       n/a     2    0        0        0    0        -        -        -          -          -    0',
      '     test1 ----p-          0    0.0          0    0.0     132096       4.2     0    0        0        0    0        0        0        0          0          0    0',
      '',
    ].join('\n');
    const [frame] = parseXentopBatch(text);
    const [dom0, test1] = frame?.domains ?? [];
    expect(dom0).toMatchObject({ maxMemKiB: null, maxMemPct: null, vbdOo: null, vbdRd: null, vbdWr: null, vbdRsect: null, vbdWsect: null, vcpus: 2 });
    expect(test1).toMatchObject({ name: 'test1', stateFlags: '----p-', cpuS: 0, memKiB: 0, vcpus: 0, maxMemKiB: 132096 });
  });

  it('keeps a long (-f) name and a name with a space, reading columns from the right', () => {
    const text = [
      HEADER.replace('      NAME', '                NAME'),
      'production-db-01 --b---         15 123.4     131072    4.2     132096       4.2     4    1 123456789 98765432    1        0        3        0         24          0    0',
      '       my vm --b---         15    2.7     131072    4.2     132096       4.2     2    1        0        0    1        0        3        0         24          0    0',
    ].join('\n');
    const [frame] = parseXentopBatch(text);
    expect(frame?.domains.map((d) => [d.name, d.cpuPct, d.netTxKiB, d.netRxKiB])).toEqual([
      ['production-db-01', 123.4, 123456789, 98765432],
      ['my vm', 2.7, 0, 0],
    ]);
  });

  it('returns no frames for empty output and tolerates CRLF and blank lines', () => {
    expect(parseXentopBatch('')).toEqual([]);
    const { text } = loadFixture('xentop-b.txt');
    const frames = parseXentopBatch(`\n${text.replace(/\n/g, '\r\n')}\n\n`);
    expect(frames.map((f) => f.domains[0]?.cpuPct)).toEqual([0, 17.6]);
  });

  it('treats nan/inf CPU(%) (zero elapsed time) as 0', () => {
    const row = '  Domain-0 -----r        167   -nan    1048576   33.3    1048576      33.3     2    0        0        0    0        0        0        0          0          0    0';
    expect(parseXentopBatch(`${HEADER}\n${row}\n`)[0]?.domains[0]?.cpuPct).toBe(0);
  });
});

describe('parseXentopBatch malformed input', () => {
  const good = '     test1 --b---         15    2.7     131072    4.2     132096       4.2     2    1        0        0    1        0        3        0         24          0    0';
  const cases: [string, string, RegExp][] = [
    ['a truncated row', `${HEADER}\n${good.slice(0, 60)}\n`, /line 2: truncated row \(\d+ of 19 columns\)/],
    ['a row cut inside the header', `${HEADER.slice(0, 40)}\n${good}\n`, /line 1: unexpected header/],
    ['a row before any header', `${good}\n`, /line 1: domain row before any header/],
    ['a non-numeric counter', `${HEADER}\n${good.replace('131072', '13x072')}\n`, /line 2: MEM\(k\) is not a number/],
    ['bad state letters', `${HEADER}\n${good.replace('--b---', '--x---')}\n`, /line 2: STATE/],
    ['a state too long', `${HEADER}\n${good.replace('--b---', '--b----')}\n`, /line 2: STATE/],
    ['n/a without "no limit"', `${HEADER}\n${good.replace('       4.2     2', '       n/a     2')}\n`, /line 2: MAXMEM/],
    ['a row with only a name and state', `${HEADER}\n     test1 --b---\n`, /line 2: truncated row \(\d+ of 19 columns\)/],
    ['no name', `${HEADER}\n${good.replace('test1', '     ')}\n`, /line 2: truncated row \(18 of 19 columns\)/],
  ];
  it.each(cases)('rejects %s with PARSE naming the line', (_what, text, message) => {
    const err = catchError(() => parseXentopBatch(text));
    expect(isXenError(err, 'PARSE')).toBe(true);
    expect((err as Error).message).toMatch(message);
  });

  it('puts the line number in detail.line', () => {
    const err = catchError(() => parseXentopBatch(`${HEADER}\n${good}\n${good.slice(0, 30)}`));
    expect(isXenError(err, 'PARSE') && err.detail.line).toBe(3);
  });
});

describe('XentopStreamParser', () => {
  const { text } = loadFixture('xentop-b-with-test1.txt');

  function collect(feed: (p: XentopStreamParser) => void): XentopFrame[] {
    const frames: XentopFrame[] = [];
    const p = new XentopStreamParser({ onFrame: (f) => frames.push(f) });
    feed(p);
    p.flush();
    return frames;
  }

  it('gives the same frames fed byte by byte as fed whole', () => {
    const whole = parseXentopBatch(text);
    const byByte = collect((p) => {
      for (const ch of text) p.push(ch);
    });
    expect(byByte).toEqual(whole);
    expect(byByte).toHaveLength(3);
  });

  it('gives the same frames for chunks split at every offset pair', () => {
    const whole = parseXentopBatch(text);
    for (let a = 1; a < text.length; a += 37) {
      for (let b = a; b < text.length; b += 53) {
        expect(collect((p) => [text.slice(0, a), text.slice(a, b), text.slice(b)].forEach((c) => p.push(c)))).toEqual(whole);
      }
    }
  });

  it('emits a frame only when the next header arrives, and the last one on flush', () => {
    const frames: XentopFrame[] = [];
    const p = new XentopStreamParser({ onFrame: (f) => frames.push(f) });
    const lines = text.split('\n');
    p.push(`${lines.slice(0, 3).join('\n')}\n`);
    expect(frames).toHaveLength(0);
    p.push(`${lines[3]}\n`);
    expect(frames).toHaveLength(1);
    expect(frames[0]?.domains).toHaveLength(2);
    p.push(lines.slice(4).join('\n'));
    expect(frames).toHaveLength(2);
    p.flush();
    expect(frames).toHaveLength(3);
  });

  it('stamps each frame with the clock value at its header', () => {
    let now = 1000;
    const frames: XentopFrame[] = [];
    const p = new XentopStreamParser({ onFrame: (f) => frames.push(f), clock: () => now });
    const lines = text.split('\n');
    p.push(`${lines.slice(0, 3).join('\n')}\n`);
    now = 2000;
    p.push(`${lines.slice(3, 6).join('\n')}\n`);
    now = 3000;
    p.flush();
    expect(frames.map((f) => f.at)).toEqual([1000, 2000]);
  });

  it('with onError drops the broken frame and resumes at the next header', () => {
    const errors: unknown[] = [];
    const frames: XentopFrame[] = [];
    const p = new XentopStreamParser({ onFrame: (f) => frames.push(f), onError: (e) => errors.push(e) });
    const lines = text.split('\n');
    const broken = [lines[0], lines[1]?.slice(0, 50), lines[2], ...lines.slice(3)].join('\n');
    p.push(broken);
    p.flush();
    expect(errors).toHaveLength(1);
    expect(isXenError(errors[0], 'PARSE') && errors[0].detail.line).toBe(2);
    expect(frames.map((f) => f.headerLine)).toEqual([4, 7]);
  });

  it('without onError throws from push, then recovers at the next header', () => {
    const frames: XentopFrame[] = [];
    const p = new XentopStreamParser({ onFrame: (f) => frames.push(f) });
    const lines = text.split('\n');
    expect(() => p.push(`${lines[0]}\nDomain-0 -----r 1 2\n`)).toThrow(/line 2/);
    p.push(`${lines.slice(3).join('\n')}\n`);
    p.flush();
    expect(frames.map((f) => f.domains.length)).toEqual([2, 2]);
  });

  it('reset() forgets a partial line and frame', () => {
    const frames: XentopFrame[] = [];
    const p = new XentopStreamParser({ onFrame: (f) => frames.push(f) });
    p.push(`${text.slice(0, 250)}`);
    p.reset();
    p.push(text);
    p.flush();
    expect(frames).toEqual(parseXentopBatch(text));
  });
});
