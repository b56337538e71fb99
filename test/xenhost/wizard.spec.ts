// The new-VM wizard's create pipeline (src/xen/wizard) on the real Xen test host: a PV and a PVH guest from the
// busybox test kernel and initramfs, each with a new sparse disk and a vif, created through the same code the
// wizard:create channel runs (over src/xen's SSH runner), then booted: the console shows the guest's banner.
// Afterwards the failure path: a plan xl refuses at create leaves none of its files behind.
// Runs only with XENITH_TEST_HOST set (npm run test:xen sets it for the QEMU host).
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { WizardPlan } from '../../src/shared/wizard-plan';
import { createXenApi } from '../../src/xen/ops/api';
import { createSshRunner } from '../../src/xen/runner/ssh';
import type { Runner } from '../../src/xen/runner/types';
import { XenError } from '../../src/xen/errors';
import { createFromPlan, type PhaseReport } from '../../src/xen/wizard/create';
import type { WizardDeps } from '../../src/xen/wizard/deps';
import { wizardOptions } from '../../src/xen/wizard/options';
import { previewPlan } from '../../src/xen/wizard/preview';
import { closeConnection, describeHost, destroyIfPresent, remote, remoteCollect, remoteOk, waitForDomain } from './support';

const PV = 'xenith-wiz-pv';
const PVH = 'xenith-wiz-pvh';
const BAD = 'xenith-wiz-bad';
const HVM = 'xenith-wiz-hvm';
const QCOW = 'xenith-wiz-qcow';
const NAMES = [PV, PVH, BAD, HVM, QCOW];

describeHost('the wizard create pipeline on the Xen test host', (h) => {
  let runner: Runner;
  let deps: WizardDeps;
  const paths = { configDir: '/etc/xen', autoDir: '/etc/xen/auto', imageDir: h.guestDir };
  /** Every file a test here may leave on failure; removed by exact path, never by pattern. */
  const files = [...NAMES.flatMap((n) => [`${paths.configDir}/${n}.cfg`, `${paths.autoDir}/${n}.cfg`, `${h.guestDir}/${n}.img`]), `${h.guestDir}/${QCOW}.qcow2`];

  /** A plan for the busybox test guest as the wizard would send it. */
  function plan(name: string, type: 'pv' | 'pvh', mac: string, over: Partial<WizardPlan> = {}): WizardPlan {
    return {
      type,
      method: 'kernel',
      preset: 'other',
      name,
      memoryMiB: 128,
      maxMemMiB: 256,
      vcpus: 1,
      maxVcpus: 2,
      kernel: `${h.guestDir}/vmlinuz`,
      ramdisk: `${h.guestDir}/initrd.gz`,
      cmdline: 'console=hvc0 quiet',
      disks: [{ mode: 'new', path: `${h.guestDir}/${name}.img`, sizeGiB: 0.1, format: 'raw', vdev: 'xvda' }],
      nics: [{ bridge: h.bridge, mac }],
      vnc: false,
      startNow: true,
      autostart: false,
      openConsole: false,
      customise: false,
      dryRun: true,
      ...over,
    };
  }

  beforeAll(async () => {
    for (const n of NAMES) await destroyIfPresent(h, n);
    await remote(h, ['rm', '-f', ...files]);
    runner = createSshRunner({
      target: h.target,
      port: h.port,
      ...(h.identityFile ? { identityFile: h.identityFile } : {}),
      // The QEMU test host's key changes with each image build (support.ts does the same for its own ssh).
      extraOptions: h.target.endsWith('@127.0.0.1') ? ['StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', 'LogLevel=ERROR'] : [],
    });
    deps = { api: createXenApi(runner, { configDir: paths.configDir, autoDir: paths.autoDir, imageDirs: [h.guestDir] }), runner, paths };
    // Open the shared ssh connection with one command: the wizard then asks several things at once, and on a busy
    // TCG host a burst of first connections can each take longer than a query's timeout.
    await runner.run('host.info', {}, { timeoutMs: 120_000 });
  });

  afterAll(async () => {
    for (const n of NAMES) await destroyIfPresent(h, n);
    await remote(h, ['rm', '-f', ...files]);
    await runner?.close();
    await closeConnection(h);
  });

  it('reads the host: guest types from virt_caps, the test bridge, a MAC nobody uses', async () => {
    const o = await wizardOptions(deps);
    expect(o.guestTypes.filter((t) => t.available).map((t) => t.type).sort()).toEqual(['hvm', 'pv', 'pvh']);
    expect(o.bridges).toContain(h.bridge);
    expect(o.hostCpus).toBeGreaterThanOrEqual(1);
    expect(o.usedNames).toContain('Domain-0');
    expect(o.usedMacs).not.toContain(o.suggestedMac);
  });

  it.each([
    ['PV', PV, 'pv'],
    ['PVH', PVH, 'pvh'],
  ] as const)('creates a %s guest from the busybox kernel, and it boots', async (_what, name, type) => {
    const mac = (await wizardOptions(deps)).suggestedMac;
    const p = plan(name, type, mac);
    const preview = await previewPlan(deps, p);
    expect(preview.problems).toEqual([]);
    const seen: PhaseReport[] = [];
    const r = await createFromPlan(deps, p, (x) => seen.push(x));
    expect(r).toEqual({ name, configPath: `/etc/xen/${name}.cfg`, created: [`${h.guestDir}/${name}.img`, `/etc/xen/${name}.cfg`], started: true });
    expect(seen.filter((x) => x.state === 'done').map((x) => x.phase)).toEqual(['validate', 'disks', 'config', 'check', 'start']);
    // The file on the host is exactly the preview.
    expect(await remoteOk(h, ['cat', `/etc/xen/${name}.cfg`])).toBe(preview.text);
    await waitForDomain(h, name, true, 30_000);
    const listed = await deps.api.listDomains();
    // (not vcpus: right after create xl list may briefly show maxvcpus, as TESTHOST.md notes)
    expect(listed.find((d) => d.name === name)).toMatchObject({ type, configPath: `/etc/xen/${name}.cfg` });
    // The first console client after boot gets everything since boot, banner included.
    const text = await remoteCollect(h, ['timeout', '60', 'xl', 'console', name], /heartbeat \d+/, 90_000);
    expect(text).toContain('XENITH-TEST-GUEST up');
    expect(text).toContain('xvda present');
    const nics = await deps.api.networkList(name);
    expect(nics.map((n) => n.mac)).toEqual([mac]);
    // Its disk is now in use read-write: a second guest may not have it, and the refusal names this one.
    const disk = `${h.guestDir}/${name}.img`;
    const second = await previewPlan(deps, plan(BAD, type, (await wizardOptions(deps)).suggestedMac, { disks: [{ mode: 'existing', path: disk, format: 'raw', vdev: 'xvda' }] }));
    expect(second.problems).toContainEqual({ field: 'disks[0].path', message: expect.stringMatching(new RegExp(`^Disk 1 path ${disk} is used read-write by running domain ${name} as xvda;`)) as string });
    await expect(deps.api.assertDiskFree(disk, 'ro', BAD)).rejects.toMatchObject({ code: 'IN_USE', detail: { domain: name, running: true } });
    await remoteOk(h, ['xl', 'destroy', name], { timeoutMs: 60_000 });
    await waitForDomain(h, name, false, 60_000);
  }, 600_000);

  it('creates an HVM guest that network-boots, where dom0 has the qemu device model', async ({ skip }) => {
    // HVM needs qemu-system-xen in dom0 (Debian installs it as xen-qemu-system-i386); without it there is nothing to test.
    const dm = await remote(h, ['sh', '-c', 'test -x /usr/libexec/xen-qemu-system-i386 || command -v qemu-system-i386']);
    if (dm.code !== 0) skip();
    const mac = (await wizardOptions(deps)).suggestedMac;
    const { kernel: _k, ramdisk: _r, cmdline: _c, ...base } = plan(HVM, 'pv', mac);
    const p: WizardPlan = { ...base, type: 'hvm', method: 'pxe', memoryMiB: 256, maxMemMiB: 256, maxVcpus: 1, nics: [{ bridge: h.bridge, mac, model: 'e1000' }] };
    const preview = await previewPlan(deps, p);
    expect(preview.problems).toEqual([]);
    expect(preview.text).toContain('boot = "nc"');
    const r = await createFromPlan(deps, p);
    expect(r.started).toBe(true);
    await waitForDomain(h, HVM, true, 30_000);
    expect((await deps.api.listDomains()).find((d) => d.name === HVM)?.type).toBe('hvm');
    await remoteOk(h, ['xl', 'destroy', HVM], { timeoutMs: 60_000 });
    await waitForDomain(h, HVM, false, 60_000);
  }, 600_000);

  it('makes a qcow2 image with qemu-img and defines the guest without starting it, where dom0 has qemu-img', async ({ skip }) => {
    const o = await wizardOptions(deps);
    if (!o.qemuImg) skip();
    const image = `${h.guestDir}/${QCOW}.qcow2`;
    const p = plan(QCOW, 'pvh', o.suggestedMac, { customise: true, disks: [{ mode: 'new', path: image, sizeGiB: 1.5, format: 'qcow2', vdev: 'xvda' }] });
    const r = await createFromPlan(deps, p);
    expect(r).toEqual({ name: QCOW, configPath: `/etc/xen/${QCOW}.cfg`, created: [image, `/etc/xen/${QCOW}.cfg`], started: false });
    const info = JSON.parse(await remoteOk(h, ['qemu-img', 'info', '--output=json', image])) as { format: string; 'virtual-size': number };
    expect(info).toMatchObject({ format: 'qcow2', 'virtual-size': 1.5 * 1024 ** 3 });
    expect((await deps.api.listDomains()).find((d) => d.name === QCOW)?.state).toBe('stopped');
    expect(await remoteOk(h, ['cat', `/etc/xen/${QCOW}.cfg`])).toContain(`disk = [ "${image},qcow2,xvda,rw" ]`);
  }, 600_000);

  it('when xl create fails it removes the image, config and autostart link it made, and keeps xl\'s message', async () => {
    const mac = (await wizardOptions(deps)).suggestedMac;
    // More memory than the host has free: xl create -n accepts the file, xl create cannot build the domain.
    const info = await deps.api.hostInfo();
    const huge = Math.max(info.freeMemMiB + 512, 4096);
    const err = await createFromPlan(deps, plan(BAD, 'pv', mac, { memoryMiB: huge, maxMemMiB: huge, autostart: true })).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(XenError);
    const xe = err as XenError;
    expect(xe.code).toBe('XL_FAILED');
    expect(String(xe.detail.stderr)).toMatch(/libxl: error/);
    expect(xe.detail).toMatchObject({ phase: 'start', left: [] });
    expect(xe.detail['removed']).toEqual([`${paths.autoDir}/${BAD}.cfg`, `${paths.configDir}/${BAD}.cfg`, `${h.guestDir}/${BAD}.img`]);
    for (const f of [`${paths.configDir}/${BAD}.cfg`, `${paths.autoDir}/${BAD}.cfg`, `${h.guestDir}/${BAD}.img`]) {
      expect((await remote(h, ['test', '-e', f])).code).not.toBe(0);
    }
    expect((await remote(h, ['xl', 'list', BAD])).code).not.toBe(0);
  });
});
