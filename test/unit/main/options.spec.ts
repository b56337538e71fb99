import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseToolstack, parseAppOptions, usageText, UsageError } from '../../../src/main/core/options';
import { demoStateDir, resetDemoState } from '../../../src/main/core/runner-factory';

describe('parseAppOptions', () => {
  it('defaults to a window on loopback with nothing forced', () => {
    expect(parseAppOptions([], {})).toMatchObject({ web: false, demo: false, sshTarget: null, listen: '127.0.0.1', port: 0, demoDomains: null });
  });
  it('reads --web, --demo, --host, --listen, --port in both spellings', () => {
    expect(parseAppOptions(['--web', '--demo', '--listen', '127.0.0.2', '--port=8080'], {})).toMatchObject({ web: true, demo: true, listen: '127.0.0.2', port: 8080 });
    expect(parseAppOptions(['--host', 'root@dom0', '--ssh-port', '2222'], {})).toMatchObject({ sshTarget: 'root@dom0', sshPort: 2222 });
  });
  it('seeds the demo host from XENITH_DEMO_DOMAINS', () => {
    expect(parseAppOptions([], { XENITH_DEMO_DOMAINS: '500' }).demoDomains).toBe(500);
    expect(() => parseAppOptions([], { XENITH_DEMO_DOMAINS: 'lots' })).toThrow(UsageError);
  });
  it('names the flag in every refusal', () => {
    expect(() => parseAppOptions(['--port', 'x'], {})).toThrow(/--port/);
    expect(() => parseAppOptions(['--host'], {})).toThrow(/--host needs a value/);
    expect(() => parseAppOptions(['--host', 'root@dom0;reboot'], {})).toThrow(/--host must look like user@host/);
    expect(() => parseAppOptions(['--host', '-oProxyCommand=sh'], {})).toThrow(/--host/);
    expect(() => parseAppOptions(['--demo', '--host', 'root@x'], {})).toThrow(/together/);
  });
  it('passes through switches that Electron and Chromium take, and refuses any other option with the list', () => {
    expect(parseAppOptions(['--no-sandbox', '--enable-logging', '--ozone-platform=wayland'], {}).web).toBe(false);
    expect(() => parseAppOptions(['--demo', '--hots', 'root@x'], {})).toThrow(/^unknown option --hots\n\nUsage: xenith/);
    expect(() => parseAppOptions(['-x'], {})).toThrow(/unknown option -x/);
  });

  it('--help asks for the list, which names every flag Xenith takes', () => {
    expect(parseAppOptions(['--help'], {}).help).toBe(true);
    expect(parseAppOptions(['-h'], {}).help).toBe(true);
    for (const flag of ['--demo', '--host', '--ssh-port', '--ssh-key', '--ssh-option', '--web', '--listen', '--port', '--open', '--demo-state', '--reset-demo', '--help']) {
      expect(usageText()).toContain(flag);
    }
    expect(usageText()).toContain('XENITH_DEMO_DOMAINS');
  });
});

describe('chooseToolstack', () => {
  const base = parseAppOptions([], {});
  it('uses local Xen as root, the broker otherwise, the demo host without Xen', () => {
    expect(chooseToolstack(base, { hasXenCapabilities: true, isRoot: true, hasPkexec: false }).kind).toBe('local');
    expect(chooseToolstack(base, { hasXenCapabilities: true, isRoot: false, hasPkexec: true }).kind).toBe('broker');
    expect(chooseToolstack(base, { hasXenCapabilities: false, isRoot: true, hasPkexec: false })).toEqual({ kind: 'demo', reason: 'no Xen on this machine' });
  });
  it('obeys --demo and --host over what the machine has', () => {
    expect(chooseToolstack({ ...base, demo: true }, { hasXenCapabilities: true, isRoot: true, hasPkexec: false }).kind).toBe('demo');
    expect(chooseToolstack({ ...base, sshTarget: 'root@dom0' }, { hasXenCapabilities: false, isRoot: false, hasPkexec: false })).toEqual({
      kind: 'ssh',
      target: 'root@dom0',
      port: null,
      identity: null,
      options: [],
    });
    expect(parseAppOptions(['--host', 'root@dom0', '--ssh-option', 'StrictHostKeyChecking=no'], {}).sshOptions).toEqual(['StrictHostKeyChecking=no']);
    expect(() => parseAppOptions(['--ssh-option', 'ProxyCommand sh -c x'], {})).toThrow(/--ssh-option/);
  });
});

describe('the demo host\'s state', () => {
  it('keeps a seeded size apart from the default, and --reset-demo removes only a demo state', () => {
    const base = parseAppOptions([], {});
    expect(demoStateDir(base, '/d')).toBe('/d/demo-host');
    expect(demoStateDir(parseAppOptions([], { XENITH_DEMO_DOMAINS: '500' }), '/d')).toBe('/d/demo-host-500');
    expect(demoStateDir(parseAppOptions(['--demo-state', '/s'], { XENITH_DEMO_DOMAINS: '500' }), '/d')).toBe('/s');
    const dir = mkdtempSync(join(tmpdir(), 'xenith-reset-'));
    writeFileSync(join(dir, 'precious'), 'x');
    expect(resetDemoState(dir)).toBe(false);
    expect(existsSync(join(dir, 'precious'))).toBe(true);
    writeFileSync(join(dir, 'sim-state.json'), '{}');
    expect(resetDemoState(dir)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  });
});
