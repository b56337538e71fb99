// Smoke test of the Xen test host itself: the toolstack answers over ssh, and the busybox PV test guest
// can be created, shows its banner and heartbeat on the PV console, and destroyed.
// Runs only with XENITH_TEST_HOST set (npm run test:xen sets it for the QEMU host).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeConnection,
  destroyIfPresent,
  infoField,
  remote,
  remoteCollect,
  remoteOk,
  testGuestConfig,
  testHost,
  waitForDomain,
} from './support';

const host = testHost();
const GUEST = 'xenith-smoke';

describe.skipIf(!host)('Xen test host (smoke)', () => {
  // skipIf guarantees this inside the block; the assertion narrows the type.
  const h = host!;
  const cfgPath = `${h.guestDir}/${GUEST}.cfg`;
  const diskPath = `${h.guestDir}/${GUEST}.img`;

  beforeAll(async () => {
    await destroyIfPresent(h, GUEST);
  });

  afterAll(async () => {
    await destroyIfPresent(h, GUEST);
    await remote(h, ['rm', '-f', cfgPath, diskPath]);
    await closeConnection(h);
  });

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
    await remoteOk(h, ['sh', '-c', `cat > ${cfgPath}`], { input: testGuestConfig(h, GUEST, diskPath) });
    await remoteOk(h, ['truncate', '-s', '64M', diskPath]);

    // PV with disk and vif takes 21-28 s under TCG (hotplug scripts); allow far more.
    await remoteOk(h, ['xl', 'create', cfgPath], { timeoutMs: 180_000 });
    await waitForDomain(h, GUEST, true, 30_000);
    const listed = await remoteOk(h, ['xl', 'list', GUEST]);
    expect(listed).toMatch(new RegExp(`^${GUEST}\\s+\\d+\\s+\\d+\\s+\\d+\\s`, 'm'));

    // Without a tty, xl console streams and never exits: bound it remotely and locally. The first
    // client after boot gets the output buffered since boot, so the banner is there even if we are late.
    const text = await remoteCollect(h, ['timeout', '40', 'xl', 'console', GUEST], /heartbeat \d+/, 60_000);
    expect(text).toContain('XENITH-TEST-GUEST up');
    expect(text).toMatch(/heartbeat \d+/);

    await remoteOk(h, ['xl', 'destroy', GUEST], { timeoutMs: 60_000 });
    await waitForDomain(h, GUEST, false, 60_000);
    const after = await remote(h, ['xl', 'list', GUEST]);
    expect(after.code).not.toBe(0);
  });
});
