// What the shared operation suite does not cover, on the real Xen host through src/xen: the live stats stream, the
// text console on a pty, and PVH and HVM guests.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStatsService } from '../../src/xen/stats/stats-service';
import type { StatsBatch } from '../../src/shared/dto';
import { closeConnection, describeHost, destroyIfPresent, remote } from './support';
import { busyboxGuest, xenOver } from './xen-env';

const PV = 'xenith-feat-pv';
const PVH = 'xenith-feat-pvh';
const HVM = 'xenith-feat-hvm';

describeHost('src/xen on the real Xen host: stats, console, PVH and HVM', (h) => {
  const { runner, api } = xenOver(h);
  const paths: string[] = [];

  async function createGuest(name: string, type: 'pv' | 'pvh' | 'hvm'): Promise<void> {
    await destroyIfPresent(h, name);
    await remote(h, ['rm', '-f', `/etc/xen/${name}.cfg`]);
    const { path } = await api.writeConfig(name, busyboxGuest(h, name, type));
    paths.push(path);
    await api.create(path);
  }

  beforeAll(async () => {
    for (const n of [PV, PVH, HVM]) await destroyIfPresent(h, n);
  });
  afterAll(async () => {
    for (const n of [PV, PVH, HVM]) await destroyIfPresent(h, n);
    if (paths.length) await remote(h, ['rm', '-f', ...paths]);
    await runner.close();
    await closeConnection(h);
  });

  it('refuses a config carrying a second statement on a line or "+=" before anything reaches the host', async () => {
    const name = 'xenith-feat-evil';
    const base = `name = "${name}"\ntype = "pv"\nkernel = "${h.guestDir}/vmlinuz"\nramdisk = "${h.guestDir}/initrd.gz"\nmemory = 128\n`;
    await expect(api.writeConfig(name, `${base}vcpus = 1; bootloader = "/tmp/evil"\n`)).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'bootloader', rule: 'one-per-line' } });
    await expect(api.writeConfig(name, `${base}extra = "console=hvc0"\nextra += " init=/tmp/evil"\n`)).rejects.toMatchObject({ code: 'INVALID_ARG', detail: { field: 'extra', rule: 'no-append' } });
    // Nothing was written, so there is nothing xl create could be pointed at, and no domain appeared.
    expect((await remote(h, ['test', '-e', `/etc/xen/${name}.cfg`])).code).toBe(1);
    expect((await api.listDomains()).some((d) => d.name === name)).toBe(false);
  });

  it('creates a PV guest whose text console on a pty shows the banner and runs a typed command', async () => {
    await createGuest(PV, 'pv');
    const list = await api.listDomains();
    expect(list.find((d) => d.name === PV)).toMatchObject({ type: 'pv', configPath: `/etc/xen/${PV}.cfg` });
    const pty = runner.pty('console.open', { dom: PV }, { cols: 100, rows: 30 });
    let out = '';
    pty.onData((d) => (out += d));
    const waitFor = async (re: RegExp, ms: number): Promise<void> => {
      const t0 = Date.now();
      while (!re.test(out)) {
        if (Date.now() - t0 > ms) throw new Error(`console never showed ${re}; it showed:\n${out.slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    try {
      // The first console client after boot gets everything buffered since boot.
      await waitFor(/XENITH-TEST-GUEST up/, 120_000);
      // busybox's prompt is "/ # "; heartbeat lines may follow it on the same line, so look for the prompt anywhere.
      pty.write('\r');
      await waitFor(/\/ # /, 30_000);
      pty.write('echo xenith-$((6*7))\r');
      await waitFor(/xenith-42/, 30_000);
    } finally {
      // Ctrl-] detaches like a person would.
      pty.write('\x1d');
      pty.kill();
    }
  }, 300_000);

  it('streams live stats from one xentop: the guest is listed and its CPU time rises', async () => {
    const stats = createStatsService(runner, { intervalS: 1 });
    const batches: StatsBatch[] = [];
    const off = stats.subscribe((b) => batches.push(b));
    // Give the guest work: a shell loop on its console keeps its vCPU busy for a while, so its CPU time must grow.
    const pty = runner.pty('console.open', { dom: PV }, { cols: 100, rows: 30 });
    try {
      const t0 = Date.now();
      const mine = () => batches.map((b) => b.domains.find((d) => d.name === PV)).filter((d) => d !== undefined);
      while (mine().length < 2 && Date.now() - t0 < 90_000) await new Promise((r) => setTimeout(r, 500));
      const first = mine()[0];
      expect(first).toBeDefined();
      pty.write('\r');
      pty.write('i=0; while [ $i -lt 3000000 ]; do i=$((i+1)); done\r');
      // xentop counts whole seconds; wait (generously, TCG) for a later sample to pass the first one.
      while (!mine().some((s) => s.cpuTimeS > first!.cpuTimeS) && Date.now() - t0 < 150_000) await new Promise((r) => setTimeout(r, 500));
      const samples = mine();
      const last = samples[samples.length - 1]!;
      expect(last.cpuTimeS).toBeGreaterThan(first!.cpuTimeS);
      expect(last.memKiB).toBeGreaterThan(64 * 1024);
      expect(batches.at(-1)?.domains.some((d) => d.name === 'Domain-0')).toBe(true);
      expect(samples.every((s) => s.cpuHostPct >= 0 && s.cpuHostPct <= 100)).toBe(true);
    } finally {
      pty.write('\x03');
      pty.write('\x1d');
      pty.kill();
      off();
      stats.stop();
    }
  }, 240_000);

  it('creates a PVH guest that boots: its console prints the guest\'s banner', async () => {
    await createGuest(PVH, 'pvh');
    const d = (await api.listDomains()).find((x) => x.name === PVH);
    expect(d).toMatchObject({ type: 'pvh' });
    const pty = runner.pty('console.open', { dom: PVH }, { cols: 100, rows: 30 });
    let out = '';
    pty.onData((x) => (out += x));
    try {
      const t0 = Date.now();
      while (!/XENITH-TEST-GUEST up/.test(out) && Date.now() - t0 < 180_000) await new Promise((r) => setTimeout(r, 500));
      expect(out).toContain('XENITH-TEST-GUEST up');
    } finally {
      pty.write('\x1d');
      pty.kill();
    }
    await api.destroy(PVH);
  }, 420_000);

  it('creates an HVM guest (qemu-system-xen in dom0) and reads its serial console', async () => {
    await createGuest(HVM, 'hvm');
    const d = (await api.listDomains()).find((x) => x.name === HVM);
    expect(d).toMatchObject({ type: 'hvm' });
    const pty = runner.pty('console.open', { dom: HVM, type: 'serial' }, { cols: 100, rows: 30 });
    let out = '';
    pty.onData((x) => (out += x));
    try {
      const t0 = Date.now();
      while (!/XENITH-TEST-GUEST up|Linux version/.test(out) && Date.now() - t0 < 180_000) await new Promise((r) => setTimeout(r, 500));
      expect(out).toMatch(/XENITH-TEST-GUEST up|Linux version/);
    } finally {
      pty.write('\x1d');
      pty.kill();
    }
    await api.destroy(HVM);
  }, 420_000);
});
