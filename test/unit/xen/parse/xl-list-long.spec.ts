import { describe, expect, it } from 'vitest';
import { findJsonSyntaxProblem } from '../../../../src/xen/parse/json-text';
import { parseXlListLong, summariseLongEntry } from '../../../../src/xen/parse/xl-list-long';
import { loadFixture } from '../../../fixtures/load';
import { parseError } from './helpers';


describe('parseXlListLong on real captures', () => {
  it('reads dom0, which has only c_info and b_info', () => {
    const f = loadFixture('xl-list-l.json');
    expect(f.command).toBe('xl list -l');
    const entries = parseXlListLong(f.text);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.domid).toBe(0);
    expect(Object.keys(entries[0]?.config ?? {})).toEqual(['c_info', 'b_info']);
    expect(summariseLongEntry(entries[0]!)).toEqual({
      name: 'Domain-0',
      domid: 0,
      uuid: null,
      type: 'pv',
      maxMemKiB: 1048576,
      targetMemKiB: 1048575,
      maxMemMiB: 1024,
      maxVcpus: null,
      hasVnc: false,
      disks: [],
      nics: [],
    });
  });

  it('reads the same dom0 asked for by name or id', () => {
    const all = parseXlListLong(loadFixture('xl-list-l.json').text);
    expect(parseXlListLong(loadFixture('xl-list-l-Domain-0.json').text)).toEqual(all);
    expect(parseXlListLong(loadFixture('xl-list-l-0.json').text)).toEqual(all);
  });

  it('summarises the PV guest test1', () => {
    const f = loadFixture('xl-list-l-test1.json');
    expect(f.command).toBe('xl list -l test1');
    const [entry] = parseXlListLong(f.text);
    expect(entry?.config.on_reboot).toBe('restart');
    expect(summariseLongEntry(entry!)).toEqual({
      name: 'test1',
      domid: 1,
      uuid: '791318b8-d3d6-4705-b8af-034c5b5b952e',
      type: 'pv',
      maxMemKiB: 262144,
      targetMemKiB: 131072,
      maxMemMiB: 256,
      maxVcpus: 2,
      hasVnc: false,
      disks: [{ vdev: 'xvda', target: '/root/d.img', format: 'raw', readonly: false, cdrom: false }],
      nics: [{ devid: 0, mac: '00:16:3e:08:38:84', bridge: 'xenbr0', model: null }],
    });
  });

  it('reads all domains with their domids in order', () => {
    const entries = parseXlListLong(loadFixture('xl-list-l-all.json').text);
    expect(entries.map((e) => [e.domid, e.config.c_info.name])).toEqual([
      [0, 'Domain-0'],
      [1, 'test1'],
    ]);
  });
});

// No HVM or PVH `xl list -l` was captured; these follow libxl's JSON for libxl_domain_config (keyed union
// "type.hvm", libxl_vnc_info with defbool strings) and are written here, not taken from a host.
const HVM = `[
    {
        "domid": 5,
        "config": {
            "c_info": { "type": "hvm", "name": "win", "uuid": "11111111-2222-3333-4444-555555555555" },
            "b_info": {
                "max_vcpus": 4,
                "max_memkb": 2097152,
                "target_memkb": 2097152,
                "type.hvm": { "vnc": { "enable": "True", "listen": "127.0.0.1", "findunused": "True" } }
            },
            "disks": [
                { "pdev_path": "/dev/vg/win", "vdev": "hda", "format": "raw", "readwrite": 1 },
                { "vdev": "hdc", "format": "empty", "is_cdrom": 1 }
            ],
            "nics": [ { "devid": 0, "mac": "00:16:3e:00:00:01", "bridge": "xenbr0", "model": "e1000" } ]
        }
    }
]
`;

describe('summariseLongEntry on constructed HVM/PVH shapes', () => {
  it('reads HVM VNC from b_info["type.hvm"].vnc and an empty CD drive', () => {
    const s = summariseLongEntry(parseXlListLong(HVM)[0]!);
    expect(s).toMatchObject({ type: 'hvm', hasVnc: true, maxVcpus: 4, maxMemMiB: 2048 });
    expect(s.disks).toEqual([
      { vdev: 'hda', target: '/dev/vg/win', format: 'raw', readonly: false, cdrom: false },
      { vdev: 'hdc', target: null, format: 'empty', readonly: true, cdrom: true },
    ]);
    expect(s.nics[0]?.model).toBe('e1000');
  });

  it('says no VNC when libxl stored enable False', () => {
    const off = HVM.replace('"enable": "True"', '"enable": "False"');
    expect(summariseLongEntry(parseXlListLong(off)[0]!).hasVnc).toBe(false);
  });

  it('reads a PV framebuffer VNC from vfbs[].vnc', () => {
    const json = JSON.stringify([
      {
        domid: 3,
        config: {
          c_info: { type: 'pvh', name: 'p' },
          b_info: { 'type.pvh': {} },
          vfbs: [{ devid: 0, vnc: { enable: 'True', display: 1 } }],
        },
      },
    ]);
    expect(summariseLongEntry(parseXlListLong(json)[0]!)).toMatchObject({ type: 'pvh', hasVnc: true });
  });

  it('falls back to the b_info union when c_info.type is missing, and to null for a type it does not know', () => {
    const entry = (c: Record<string, unknown>, b: Record<string, unknown>): string =>
      JSON.stringify([{ domid: 2, config: { c_info: { name: 'x', ...c }, b_info: b } }]);
    expect(summariseLongEntry(parseXlListLong(entry({}, { 'type.hvm': {} }))[0]!).type).toBe('hvm');
    expect(summariseLongEntry(parseXlListLong(entry({ type: 'invalid' }, { 'type.hvm': {} }))[0]!).type).toBeNull();
  });
});

describe('parseXlListLong malformed input', () => {
  it('throws PARSE on empty output', () => {
    expect(parseError(() => parseXlListLong(''))).toEqual({
      message: 'xl list -l: line 1: empty output, expected a JSON array',
      line: 1,
    });
  });

  it('names the line of a syntax error', () => {
    const text = loadFixture('xl-list-l-test1.json').text.replace('"vdev": "xvda",', '"vdev": "xvda",,');
    expect(parseError(() => parseXlListLong(text))).toEqual({
      message: 'xl list -l: line 42: invalid JSON: expected a property name, got ","',
      line: 42,
    });
  });

  it('names the last line of truncated output', () => {
    const full = loadFixture('xl-list-l-all.json').text;
    const cut = full.slice(0, full.indexOf('"nics"'));
    const err = parseError(() => parseXlListLong(cut));
    expect(err.message).toMatch(/^xl list -l: line 75: invalid JSON: unexpected end of input$/);
  });

  it('refuses what xl prints instead of JSON for an unknown domain', () => {
    const err = parseError(() => parseXlListLong(loadFixture('xl-list-nonexistent.txt').text));
    expect(err.line).toBe(1);
  });

  it('refuses JSON that is not an array of domains, naming the entry line', () => {
    expect(parseError(() => parseXlListLong('{"domid": 0}')).message).toBe('xl list -l: line 1: expected a JSON array of domains');
    const twoEntries = '[\n  {"domid": 0, "config": {"c_info": {"name": "a"}, "b_info": {}}},\n  {"domid": 1}\n]';
    expect(parseError(() => parseXlListLong(twoEntries))).toEqual({ message: 'xl list -l: line 3: entry 1: missing config', line: 3 });
    expect(parseError(() => parseXlListLong('[{"domid": -1, "config": {}}]')).message).toMatch(/domid is not a domain id/);
    expect(parseError(() => parseXlListLong('[{"domid": 1, "config": {"c_info": {"name": 7}, "b_info": {}}}]')).message).toMatch(
      /c_info.name is not a string/,
    );
    expect(parseError(() => parseXlListLong('[{"domid": 1, "config": {"c_info": {"name": "a"}, "b_info": {"max_memkb": "1"}}}]')).message).toMatch(
      /b_info.max_memkb is not a number/,
    );
    expect(parseError(() => parseXlListLong('[{"domid": 1, "config": {"c_info": {"name": "a"}, "b_info": {}, "disks": [1]}}]')).message).toMatch(
      /config.disks is not a list of objects/,
    );
  });

  it('keeps hostile-looking strings as data and survives deep nesting', () => {
    const json = JSON.stringify([{ domid: 9, config: { c_info: { name: '"; rm -rf / #\u001b[2J' }, b_info: {} } }]);
    expect(summariseLongEntry(parseXlListLong(json)[0]!).name).toBe('"; rm -rf / #\u001b[2J');
    expect(parseError(() => parseXlListLong('['.repeat(100_000))).message).toMatch(/unexpected end of input/);
  });
});

describe('findJsonSyntaxProblem', () => {
  it('accepts valid JSON and finds the first error otherwise', () => {
    expect(findJsonSyntaxProblem('[1, -2.5e3, "a\\u00e9\\n", true, null, {"k": []}]')).toBeNull();
    expect(findJsonSyntaxProblem('[1 2]')).toMatchObject({ offset: 3, line: 1 });
    expect(findJsonSyntaxProblem('[\n"a\nb"]')).toMatchObject({ line: 2, reason: 'bad string' });
    expect(findJsonSyntaxProblem('[] x')).toMatchObject({ offset: 3, reason: 'text after the end of the JSON value' });
    expect(findJsonSyntaxProblem('{"a" 1}')).toMatchObject({ offset: 5 });
  });
});
