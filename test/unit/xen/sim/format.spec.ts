import { describe, expect, it } from 'vitest';
import {
  BLOCK_LIST_HEADER,
  formatBlockRow,
  formatNetworkRow,
  formatSchedCredit2,
  formatUptime,
  formatUptimeValue,
  formatVcpuList,
  formatXentopFrame,
  formatXlList,
  NETWORK_LIST_HEADER,
  yajlStringify,
  xentopFlags,
  type DomRow,
} from '../../../../src/xen/sim/format';
import { loadFixture } from '../../../fixtures/load';

const dom0: DomRow = {
  name: 'Domain-0',
  domid: 0,
  uuid: '00000000-0000-0000-0000-000000000000',
  memKiB: 1048576,
  hvMaxKiB: 1048576,
  vcpus: 2,
  flags: 'r-----',
  cpuS: 286.4,
  shutdownReason: null,
  uptimeS: 0,
  nets: 0,
  vbds: 0,
  netTxK: 0,
  netRxK: 0,
  vbdRd: 0,
  vbdWr: 0,
  vbdRsect: 0,
  vbdWsect: 0,
};
const test1: DomRow = { ...dom0, name: 'test1', domid: 1, uuid: '791318b8-d3d6-4705-b8af-034c5b5b952e', memKiB: 131072, hvMaxKiB: 132096, vcpus: 1, flags: '-b----', cpuS: 15.1, nets: 1, vbds: 1, vbdRd: 3, vbdRsect: 24 };

// Each printer reproduces a capture from the real Xen 4.17 host byte for byte.
describe('sim printers match the captures', () => {
  it('xl list -v', () => {
    expect(formatXlList([dom0, test1], true)).toBe(loadFixture('xl-list-v-with-test1.txt').text);
  });

  it('xl list, including a --ps-- row', () => {
    expect(formatXlList([{ ...dom0, cpuS: 406.8 }, { ...test1, domid: 2, memKiB: 200 * 1024, flags: '--ps--', cpuS: 2.8 }], false)).toBe(loadFixture('xl-list-after-shutdown.txt').text);
  });

  it('xl vcpu-list with an offline vCPU', () => {
    const rows = [
      { name: 'test1', domid: 1, vcpu: 0, cpu: 1, running: false, blocked: true, online: true, timeS: 13.3, hard: 'all', soft: 'all' },
      { name: 'test1', domid: 1, vcpu: 1, cpu: null, running: false, blocked: false, online: false, timeS: 2.0, hard: 'all', soft: 'all' },
    ];
    expect(formatVcpuList(rows)).toBe(loadFixture('xl-vcpu-list-test1.txt').text);
  });

  it('xl uptime, and the day forms', () => {
    expect(formatUptime([{ name: 'Domain-0', domid: 0, uptimeS: 236 }, { name: 'test1', domid: 1, uptimeS: 53 }])).toBe(loadFixture('xl-uptime-with-test1.txt').text);
    expect(formatUptimeValue(86400 + 3661)).toBe('1 day,  1:01:01');
    expect(formatUptimeValue(3 * 86400 + 36000)).toBe('3 days, 10:00:00');
  });

  it('xl sched-credit2', () => {
    expect(formatSchedCredit2([{ name: 'Domain-0', domid: 0, weight: 256, cap: 0 }])).toBe(loadFixture('xl-sched-credit2.txt').text);
  });

  it('xl network-list and block-list', () => {
    expect(NETWORK_LIST_HEADER + formatNetworkRow(1, { devid: 0, mac: '00:16:3e:08:38:84', state: 4, evtch: -1, txRef: 522, rxRef: 523 })).toBe(loadFixture('xl-network-list-test1.txt').text);
    expect(BLOCK_LIST_HEADER + formatBlockRow(1, { devid: 51712, state: 4, evtch: 9, ringRef: 8 })).toBe(loadFixture('xl-block-list-test1.txt').text);
    expect(NETWORK_LIST_HEADER).toBe(loadFixture('xl-network-list-0.txt').text);
    expect(BLOCK_LIST_HEADER).toBe(loadFixture('xl-block-list-0.txt').text);
  });

  it('an xentop -b frame, with xentop state letter order', () => {
    const frame = loadFixture('xentop-b-with-test1.txt').text.split('\n').slice(3, 6).join('\n') + '\n';
    const rows = [{ ...dom0, cpuS: 287.3 }, { ...test1, cpuS: 15.9, vcpus: 2 }];
    expect(formatXentopFrame(rows, new Map([[0, 22.5], [1, 2.7]]), 3145200)).toBe(frame);
    expect(xentopFlags('--ps--')).toBe('-s--p-');
    expect(xentopFlags('--p-c-')).toBe('---cp-');
  });

  it('libxl JSON: 4-space indent and empty containers with a blank line', () => {
    const text = loadFixture('xl-list-l-0.json').text;
    const value = JSON.parse(text) as Parameters<typeof yajlStringify>[0];
    expect(`${yajlStringify(value)}\n\n`).toBe(text);
  });
});
