import { describe, expect, it } from 'vitest';
import { formatBytes, formatMiB, formatPct, formatRate, formatUptime, freeMemWords } from '../../../../src/renderer/lib/format';
import { nextVdev, randomXenMac } from '../../../../src/renderer/lib/vdev';
import { niceCeil } from '../../../../src/renderer/components/LiveChart';

describe('formatting', () => {
  it('formats sizes, rates, memory, percentages and durations', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MiB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatRate(2048)).toBe('2.0 KiB/s');
    expect(formatMiB(512)).toBe('512 MiB');
    expect(formatMiB(4096)).toBe('4 GiB');
    expect(formatMiB(1536)).toBe('1.5 GiB');
    expect(formatPct(3.14)).toBe('3.1%');
    expect(formatPct(42.6)).toBe('43%');
    // The status bar once said "5 of 16 GiB free" with 1.1 GiB free.
    expect(freeMemWords(1126, 16384)).toBe('1.1 of 16 GiB free');
    expect(freeMemWords(5120, 16384)).toBe('5.0 of 16 GiB free');
    expect(freeMemWords(-3, 8192)).toBe('0.0 of 8.0 GiB free');
    expect(formatUptime(59)).toBe('59s');
    expect(formatUptime(3700)).toBe('1h 1m');
    expect(formatUptime(90000)).toBe('1d 1h');
    expect(formatUptime(null)).toBe('—');
  });
  it('picks round chart tops', () => {
    expect(niceCeil(73)).toBe(100);
    expect(niceCeil(0)).toBe(1);
    expect(niceCeil(3000, true)).toBe(4096);
    expect(niceCeil(1024, true)).toBe(1024);
  });
});

describe('device helpers', () => {
  it('finds the first free vdev', () => {
    expect(nextVdev([])).toBe('xvda');
    expect(nextVdev(['xvda', 'xvdb', 'hdc'])).toBe('xvdc');
    // In an HVM guest xvda is hda's twin and xvdc is hdc's: the suggestion is a disk the guest does not have yet.
    expect(nextVdev(['hda', 'hdc'], 'xvd', true)).toBe('xvdb');
    expect(nextVdev(['hda', 'hdb', 'hdc'], 'xvd', true)).toBe('xvdd');
    expect(nextVdev(['hda'], 'hd')).toBe('hdb');
  });
  it('makes Xen MACs', () => {
    expect(randomXenMac(() => 0.5)).toBe('00:16:3e:40:80:80');
    expect(randomXenMac()).toMatch(/^00:16:3e(:[0-9a-f]{2}){3}$/);
  });
});
