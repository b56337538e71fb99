// Smoke test of the Xen test host itself: the toolstack answers over ssh, and the busybox PV test guest
// can be created, shows its banner and heartbeat on the PV console, and destroyed.
// Runs only with XENITH_TEST_HOST set (npm run test:xen sets it for the QEMU host).
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  closeConnection,
  describeHost,
  destroyIfPresent,
  infoField,
  remote,
  remoteCollect,
  remoteOk,
  testGuestConfig,
  waitForDomain,
} from './support';

const PLAIN = 'xenith-smoke';
const WITH_DEVICES = 'xenith-smoke-dev';

describeHost('Xen test host (smoke)', (h) => {
  const cfg = (name: string): string => `${h.guestDir}/${name}.cfg`;
  const diskPath = `${h.guestDir}/${WITH_DEVICES}.img`;

  beforeAll(async () => {
    await destroyIfPresent(h, PLAIN);
    await destroyIfPresent(h, WITH_DEVICES);
  });

  afterAll(async () => {
    await destroyIfPresent(h, PLAIN);
    await destroyIfPresent(h, WITH_DEVICES);
    await remote(h, ['rm', '-f', cfg(PLAIN), cfg(WITH_DEVICES), diskPath]);
    await closeConnection(h);
  });

  /** Polls a block-list/network-list until every device reaches state 4 (or 90 s pass); returns the states. */
  async function deviceStates(argv: string[], column: number): Promise<string[]> {
    let states: string[] = [];
    for (let i = 0; i < 45; i++) {
      const out = await remoteOk(h, argv);
      states = out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/)[column] ?? '?');
      if (states.length > 0 && states.every((s) => s === '4')) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    return states;
  }

  it('xl info reports Xen 4.17 and the PV/HVM capabilities', async () => {
    const out = await remoteOk(h, ['xl', 'info']);
    expect(infoField(out, 'xen_version')).toMatch(/^4\.17\./);
    expect(infoField(out, 'xen_caps')).toContain('xen-3.0-x86_64');
    expect(Number(infoField(out, 'nr_cpus'))).toBeGreaterThanOrEqual(1);
  });

  it('xl list lists Domain-0 with id 0', async () => {
    const out = await remoteOk(h, ['xl', 'list']);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^Name\s+ID\s+Mem\s+VCPUs\s+State\s+Time\(s\)$/);
    const dom0 = lines.find((l) => l.startsWith('Domain-0 '));
    expect(dom0).toBeDefined();
    expect(dom0?.split(/\s+/)[1]).toBe('0');
  });

  it('creates the busybox PV guest, reads banner and heartbeat on its console, destroys it', async () => {
    await remoteOk(h, ['test', '-r', `${h.guestDir}/vmlinuz`]);
    await remoteOk(h, ['test', '-r', `${h.guestDir}/initrd.gz`]);
    await remoteOk(h, ['sh', '-c', `cat > ${cfg(PLAIN)}`], { input: testGuestConfig(h, PLAIN) });

    // 12 s on an idle 2-core machine under TCG, 30+ s when the cores are shared.
    await remoteOk(h, ['xl', 'create', cfg(PLAIN)], { timeoutMs: 180_000 });
    await waitForDomain(h, PLAIN, true, 30_000);
    const listed = await remoteOk(h, ['xl', 'list', PLAIN]);
    expect(listed).toMatch(new RegExp(`^${PLAIN}\\s+\\d+\\s+\\d+\\s+\\d+\\s`, 'm'));

    // Without a tty, xl console streams and never exits: bound it remotely and locally. The first
    // client after boot gets the output buffered since boot, so the banner is there even if we are late.
    const text = await remoteCollect(h, ['timeout', '90', 'xl', 'console', PLAIN], /heartbeat \d+/, 120_000);
    expect(text).toContain('XENITH-TEST-GUEST up');
    expect(text).toMatch(/heartbeat \d+/);

    await remoteOk(h, ['xl', 'destroy', PLAIN], { timeoutMs: 60_000 });
    await waitForDomain(h, PLAIN, false, 60_000);
    const after = await remote(h, ['xl', 'list', PLAIN]);
    expect(after.code).not.toBe(0);
  }, 420_000);

  it('creates the guest with a file disk and a vif on the bridge; the frontends see them', async () => {
    await remoteOk(h, ['sh', '-c', `cat > ${cfg(WITH_DEVICES)}`], {
      input: testGuestConfig(h, WITH_DEVICES, { disk: diskPath, vif: true }),
    });
    await remoteOk(h, ['truncate', '-s', '64M', diskPath]);

    // The block and vif-bridge hotplug scripts cost 10-15 s idle; libxl kills each after 40 s, which a
    // heavily shared machine can reach (the error then names async_exec_timeout).
    await remoteOk(h, ['xl', 'create', cfg(WITH_DEVICES)], { timeoutMs: 300_000 });
    // State 4 (connected) needs the guest's frontend driver, which connects a little after boot.
    expect(await deviceStates(['xl', 'block-list', WITH_DEVICES], 3)).toEqual(['4']);
    expect(await deviceStates(['xl', 'network-list', WITH_DEVICES], 4)).toEqual(['4']);

    const text = await remoteCollect(h, ['timeout', '90', 'xl', 'console', WITH_DEVICES], /heartbeat \d+/, 120_000);
    expect(text).toContain('XENITH-TEST-GUEST up');
    expect(text).toContain('eth0 up');
    expect(text).toContain('xvda present');

    await remoteOk(h, ['xl', 'destroy', WITH_DEVICES], { timeoutMs: 180_000 });
    await waitForDomain(h, WITH_DEVICES, false, 120_000);
  }, 600_000);
});
