import { describe, expect, it } from 'vitest';
import { parseXlDmesg } from '../../../../src/xen/parse/xl-dmesg';
import { loadFixture } from '../../../fixtures/load';

describe('parseXlDmesg on real captures', () => {
  it('reads every line of the boot log as Xen text with indentation kept', () => {
    const f = loadFixture('xl-dmesg.txt');
    expect(f.command).toBe('xl dmesg');
    const lines = parseXlDmesg(f.text);
    expect(lines).toHaveLength(160);
    expect(lines.every((l) => l.source === 'xen')).toBe(true);
    expect(lines[3]).toEqual({
      line: 4,
      source: 'xen',
      domid: null,
      timestamp: null,
      bootTimeS: null,
      level: null,
      text: 'Command line: dom0_mem=1024M,max:1024M dom0_max_vcpus=2 console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all noreboot',
      raw: '(XEN) Command line: dom0_mem=1024M,max:1024M dom0_max_vcpus=2 console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all noreboot',
    });
    expect(lines[6]?.text).toBe(' VGA is text mode 80x25, font 8x16');
    // "(XEN)  [0000000000000000, ...] (usable)" is an e820 entry, not a timestamp.
    expect(lines[13]).toMatchObject({ timestamp: null, text: ' [0000000000000000, 000000000009fbff] (usable)' });
  });

  it('reads the head and tail captures', () => {
    expect(parseXlDmesg(loadFixture('xl-dmesg-head50.txt').text)).toHaveLength(50);
    const tail = parseXlDmesg(loadFixture('xl-dmesg-tail-after-domU.txt').text);
    expect(tail).toHaveLength(40);
    expect(tail[39]?.text).toBe('PCI add device 0000:00:04.0');
  });
});

describe('parseXlDmesg other shapes', () => {
  it('reads timestamps of each console_timestamps mode', () => {
    const lines = parseXlDmesg(
      '(XEN) [2026-11-21 03:21:01] a\n(XEN) [2026-11-21 03:21:01.123] b\n(XEN) [    1.234567] c\n(XEN) [00000012345abcde] d\n',
    );
    expect(lines.map((l) => [l.timestamp, l.bootTimeS, l.text])).toEqual([
      ['2026-11-21 03:21:01', null, 'a'],
      ['2026-11-21 03:21:01.123', null, 'b'],
      ['1.234567', 1.234567, 'c'],
      ['00000012345abcde', null, 'd'],
    ]);
  });

  it('reads guest lines, a leftover level marker and an unprefixed first line', () => {
    const lines = parseXlDmesg('ring wrapped mid-line\n(d3) hello from hvmloader\n(XEN) <1>something odd\n(XEN)\n');
    expect(lines.map(({ raw: _raw, ...rest }) => rest)).toEqual([
      { line: 1, source: null, domid: null, timestamp: null, bootTimeS: null, level: null, text: 'ring wrapped mid-line' },
      { line: 2, source: 'guest', domid: 3, timestamp: null, bootTimeS: null, level: null, text: 'hello from hvmloader' },
      { line: 3, source: 'xen', domid: null, timestamp: null, bootTimeS: null, level: 'warning', text: 'something odd' },
      { line: 4, source: 'xen', domid: null, timestamp: null, bootTimeS: null, level: null, text: '' },
    ]);
    expect(lines[2]?.raw).toBe('(XEN) <1>something odd');
  });

  it('gives [] for empty output and keeps hostile text as data', () => {
    expect(parseXlDmesg('')).toEqual([]);
    const [l] = parseXlDmesg('(XEN) \u001b[2J<script>x</script>\r\n');
    expect(l?.text).toBe('\u001b[2J<script>x</script>');
  });
});
