import { afterEach, describe, expect, it } from 'vitest';
import { createXenApi } from '../../../../src/xen/ops/api';
import { parseXlDryRunStderr } from '../../../../src/xen/ops/dry-run';
import { loadFixture } from '../../../fixtures/load';
import { SimFixture } from './helpers';

const fx = new SimFixture();
afterEach(() => fx.cleanup());

// xl create -n on the demo host speaks xl 4.17's words (tools/xl/xl_parse.c) for the xm-era configs old guides left
// behind, and the app's dry run reads them as warnings beside its own checks.

const WIN = loadFixture('xm-era-windows-hvm.cfg').text;

const WIN_WARNINGS = [
  'WARNING: ignoring "vncviewer" option. Use "-V" option of "xl create" to automatically spawn vncviewer.',
  'WARNING: you seem to be using "kernel" directive to override HVM guest firmware. Ignore that. Use "firmware_override" instead if you really want a non-default firmware',
  'WARNING: ignoring device_model directive.',
  'WARNING: Use "device_model_override" instead if you really want a non-default device_model',
];

describe('xl create -n on the demo host', () => {

  it("prints xl's warnings for the xm-era Windows config and still accepts it", async () => {
    const r = fx.executor();
    const res = await r.run('xl', ['create', '-n', '/etc/xen/guide-win.cfg']);
    expect(res.stderr).toBe(['Parsing config from /etc/xen/guide-win.cfg', ...WIN_WARNINGS, ''].join('\n'));
    const cfg = JSON.parse(res.stdout) as { c_info: { type: string }; b_info: { kernel?: string }; disks: unknown[]; nics: unknown[] };
    expect(cfg.c_info.type).toBe('hvm');
    expect(cfg.b_info.kernel).toBeUndefined();
    expect(cfg.disks).toHaveLength(2);
    expect(cfg.nics).toHaveLength(1);
  });

  it("skips the guide's placeholder mac as xl does: one warning, 2 disks and 1 NIC", async () => {
    const r = fx.executor();
    const res = await r.run('xl', ['create', '-n', '/etc/xen/guide-pv.cfg']);
    expect(res.stderr).toBe("Parsing config from /etc/xen/guide-pv.cfg\nInvalid parameter `mac'.\n");
    const cfg = JSON.parse(res.stdout) as { disks: unknown[]; nics: { mac?: string }[] };
    expect(cfg.disks).toHaveLength(2);
    expect(cfg.nics).toHaveLength(1);
  });

  it('reads a config given as KEY=VALUE lines with /dev/null as the file, as xl does', async () => {
    const r = fx.executor();
    const res = await r.run('xl', ['create', '-n', '/dev/null', 'name = "lines"', 'type = "hvm"', 'memory = 512', 'vncviewer = 1']);
    expect(res.stderr).toBe(`Parsing config from /dev/null\n${WIN_WARNINGS[0] as string}\n`);
    expect(JSON.parse(res.stdout)).toMatchObject({ c_info: { name: 'lines', type: 'hvm' } });
  });
});

describe("the app's dry run", () => {

  it('joins a warning xl continues on a second line, and drops "Parsing config from"', () => {
    expect(parseXlDryRunStderr(['Parsing config from /dev/null', ...WIN_WARNINGS, ''].join('\n'))).toEqual([
      WIN_WARNINGS[0],
      WIN_WARNINGS[1],
      'WARNING: ignoring device_model directive. Use "device_model_override" instead if you really want a non-default device_model',
    ]);
  });

  it("reports xl's warnings for the saved file and for edited text, and xl's refusal as errors", async () => {
    const api = createXenApi(fx.runner());
    const saved = await api.xlDryRun({ text: WIN, path: '/etc/xen/guide-win.cfg', savedText: WIN });
    expect(saved).toMatchObject({ ran: true, errors: [], note: null });
    expect(saved.warnings).toHaveLength(3);
    const edited = await api.xlDryRun({ text: WIN.replace("vncviewer = 1\n", ''), path: '/etc/xen/guide-win.cfg', savedText: WIN });
    expect(edited.warnings).toEqual([WIN_WARNINGS[1], expect.stringMatching(/^WARNING: ignoring device_model directive\./)]);
    const refused = await api.xlDryRun({ text: 'name = "x"\ntype = "bogus"\n' });
    expect(refused).toMatchObject({ ran: true, warnings: [], errors: [expect.stringContaining('bogus'), 'Failed to parse config: Invalid argument'] });
    expect(await api.xlDryRun({ text: 'name = [\n' })).toMatchObject({ ran: false, note: expect.stringContaining('parses') as string });
  });
});
