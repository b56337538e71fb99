import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainSummary } from '../../src/shared/dto';
import type { DomainConfig } from '../../src/shared/domain-config';
import { XenError } from '../../src/xen/errors';
import type { XenApi } from '../../src/xen/ops/api';
import type { Runner } from '../../src/xen/runner/types';

/** One backend to run the shared operation suite against (demo simulator or a real Xen host). */
export interface SharedOpsEnv {
  api: XenApi;
  runner: Runner;
  /** Removes whatever the backend set up (temp state dir, ssh master...). Domains are cleaned by the suite. */
  cleanup(): Promise<void>;
  /** A small PV guest this backend can boot, named `name`, with one file disk and one vif. */
  pvConfig(name: string): DomainConfig;
}

/** Timeouts per step: a real host under TCG needs ~30 s for xl create, the simulator milliseconds. */
export interface SharedOpsOptions {
  createMs?: number;
  opMs?: number;
  saveRestoreMs?: number;
  /** Directory on the host for the suite's scratch images. */
  scratchDir?: string;
  /** Directory for the save file: the broker allows save files only under the config roots (/var/lib/xen/save). */
  saveDir?: string;
  /** Bridge for network-attach. */
  bridge?: string;
  /** Prefix of the suite's domain names; distinct per run so a leftover never collides. */
  namePrefix?: string;
}

/** Polls `check` until it returns true or `ms` pass; returns the last list it saw. */
async function until(api: XenApi, check: (list: DomainSummary[]) => boolean, ms: number): Promise<DomainSummary[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const list = await api.listDomains();
    if (check(list) || Date.now() > deadline) return list;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The error `p` rejects with; fails the test if it resolves. */
async function rejection(p: Promise<unknown>): Promise<XenError> {
  const r = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(r instanceof XenError)) throw new Error(`expected a XenError rejection, got ${String(r)}`);
  return r;
}

function row(list: readonly DomainSummary[], name: string): DomainSummary | undefined {
  return list.find((d) => d.name === name);
}

/**
 * Behaviour that must hold on every backend: a PV guest's whole life through XenApi, plus the refusals. Tests run in
 * order and share one guest; each step leaves it in a known state for the next.
 */
export function defineSharedOpsSuite(suiteName: string, makeEnv: () => Promise<SharedOpsEnv>, o: SharedOpsOptions = {}): void {
  const createMs = o.createMs ?? 15_000;
  const opMs = o.opMs ?? 10_000;
  const saveRestoreMs = o.saveRestoreMs ?? 30_000;
  const scratch = o.scratchDir ?? '/var/lib/xen/images';
  const bridge = o.bridge ?? 'xenbr0';
  const name = `${o.namePrefix ?? 'xenith-ops'}-${Date.now().toString(36)}`;
  const extraImg = `${scratch}/${name}-extra.img`;
  const saveDir = o.saveDir ?? '/var/lib/xen/save';
  const saveFile = `${saveDir}/${name}.save`;

  describe(suiteName, () => {
    let env: SharedOpsEnv;
    let api: XenApi;
    let configPath = '';
    /** Disk images of the config that the suite had to create (the backend's pvConfig names them). */
    const createdDisks: string[] = [];

    beforeAll(async () => {
      env = await makeEnv();
      api = env.api;
    }, createMs);

    afterAll(async () => {
      if (api !== undefined) {
        // Best effort: leave the host as it was even when a step failed half way.
        const list = await api.listDomains().catch(() => []);
        if (row(list, name)?.domid != null) await api.destroy(name).catch(() => undefined);
        await api.deleteDomain(name, { disks: [] }).catch(() => undefined);
        for (const f of [extraImg, saveFile, ...createdDisks]) {
          if ((await env.runner.fs.stat(f).catch(() => null)) !== null) await env.runner.fs.remove(f).catch(() => undefined);
        }
      }
      await env?.cleanup();
    }, createMs + saveRestoreMs);

    it('refuses hostile names with INVALID_ARG', async () => {
      for (const bad of ['a;touch /tmp/x', "it's", 'two words', 'new\nline', '$(reboot)', '-h']) {
        await expect(api.pause(bad)).rejects.toMatchObject({ code: 'INVALID_ARG' });
        await expect(api.create(bad)).rejects.toMatchObject({ code: 'INVALID_ARG' });
        await expect(api.writeConfig(bad, env.pvConfig('x'))).rejects.toMatchObject({ code: 'INVALID_ARG' });
      }
    });

    it('reads host facts: CPUs, memory, PV support, the bridge', async () => {
      const h = await api.hostInfo();
      expect(h.nrCpus).toBeGreaterThan(0);
      expect(h.totalMemMiB).toBeGreaterThan(h.freeMemMiB);
      expect(h.guestTypes).toContain('pv');
      expect(h.dom0MemMiB).toBeGreaterThan(0);
      expect(h.bridges).toContain(bridge);
    }, opMs);

    it('writes a PV config, creates the guest and lists it running', async () => {
      const cfg = env.pvConfig(name);
      // The guest boots from its initramfs: an empty sparse file is a good enough disk, and makes the suite self-contained.
      for (const d of cfg.disks) {
        if (d.devtype === 'cdrom' || !d.target.startsWith('/') || (await env.runner.fs.stat(d.target)) !== null) continue;
        await env.runner.fs.mkdirp(d.target.slice(0, d.target.lastIndexOf('/')) || '/');
        await env.runner.fs.createSparse(d.target, 64 * 1024 * 1024);
        createdDisks.push(d.target);
      }
      const w = await api.writeConfig(name, cfg);
      configPath = w.path;
      expect((await api.readConfig(name)).config).toMatchObject({ name, type: 'pv' });
      expect(row(await api.listDomains(), name)).toMatchObject({ state: 'stopped', domid: null, configPath });
      await api.create(configPath);
      const list = await api.listDomains();
      expect(row(list, name)).toMatchObject({ name, type: 'pv', configPath, isDom0: false });
      expect(row(list, name)?.domid).toBeGreaterThan(0);
      expect(['running', 'blocked']).toContain(row(list, name)?.state);
    }, createMs);

    it('refuses a second domain with the same name, with xl\'s words, and refuses to delete a running one', async () => {
      const dup = await rejection(api.create(configPath));
      expect(dup.code).toBe('XL_FAILED');
      expect(dup.message).toMatch(/already exists/);
      await expect(api.deleteDomain(name, { disks: [] })).rejects.toMatchObject({ code: 'INVALID_ARG' });
      expect(row(await api.listDomains(), name)?.domid).toBeGreaterThan(0);
    }, createMs);

    it('finds the running guest\'s console pty in xenstore', async () => {
      const domid = row(await api.listDomains(), name)?.domid ?? -1;
      const c = await api.consoleInfo(domid);
      expect(c.tty).toMatch(/^\/dev\/pts\/\d+$/);
    }, opMs);

    it('renames the running guest and its config, and back', async () => {
      const other = `${name}-r`;
      const r = await api.rename(name, other);
      expect(r.configPath).toBe(configPath.replace(`${name}.cfg`, `${other}.cfg`));
      let list = await api.listDomains();
      expect(row(list, name)).toBeUndefined();
      expect(row(list, other)).toMatchObject({ configPath: r.configPath });
      expect(row(list, other)?.domid).toBeGreaterThan(0);
      await api.rename(other, name);
      list = await api.listDomains();
      expect(row(list, name)).toMatchObject({ configPath });
      expect(row(list, other)).toBeUndefined();
    }, opMs);

    it('pauses and unpauses', async () => {
      await api.pause(name);
      expect(row(await api.listDomains(), name)).toMatchObject({ state: 'paused' });
      await api.unpause(name);
      expect(row(await api.listDomains(), name)?.state).not.toBe('paused');
    }, opMs);

    it('mem-set within maxmem works; above it fails with xl\'s message', async () => {
      const cfg = env.pvConfig(name);
      const max = cfg.maxmem ?? cfg.memory ?? 128;
      const target = Math.max(64, (cfg.memory ?? 128) - 32);
      await api.memSet(name, target);
      const list = await until(api, (l) => row(l, name)?.memoryMiB === target, opMs / 2);
      expect(row(list, name)?.memoryMiB).toBe(target);
      const over = await rejection(api.memSet(name, max + 256));
      expect(over.code).toBe('XL_FAILED');
      expect(over.message).toMatch(/memory_static_max|maxmem/);
    }, opMs);

    it('vcpu-set up to maxvcpus works; beyond it fails', async () => {
      const cfg = env.pvConfig(name);
      const max = cfg.maxvcpus ?? cfg.vcpus;
      await api.vcpuSet(name, max);
      // A real guest may leave the new vCPU offline (xl still returns 0), so only the bounds are certain.
      const r = row(await api.listDomains(), name);
      expect(r?.maxVcpus).toBe(max);
      expect(r?.vcpus).toBeGreaterThanOrEqual(1);
      expect(r?.vcpus).toBeLessThanOrEqual(max);
      expect(await api.vcpuList(name)).toHaveLength(max);
      await expect(api.vcpuSet(name, max + 1)).rejects.toMatchObject({ code: 'XL_FAILED' });
    }, opMs);

    it('attaches a new sparse image and detaches it', async () => {
      if (api.options.imageDirs.includes(scratch)) {
        await api.createImage(extraImg, { sizeBytes: 64 * 1024 * 1024 });
        await expect(api.createImage(extraImg, { sizeBytes: 64 * 1024 * 1024 })).rejects.toMatchObject({ code: 'EXISTS' });
      } else {
        await env.runner.fs.mkdirp(scratch);
        await env.runner.fs.createSparse(extraImg, 64 * 1024 * 1024);
      }
      const before = (await api.blockList(name)).length;
      await api.blockAttach(name, `format=raw,vdev=xvdb,access=rw,target=${extraImg}`);
      expect((await api.blockList(name)).length).toBe(before + 1);
      await api.blockDetach(name, 'xvdb');
      const deadline = Date.now() + opMs / 2;
      while ((await api.blockList(name)).length !== before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect((await api.blockList(name)).length).toBe(before);
    }, opMs * 2);

    it('attaches a network interface and detaches it', async () => {
      const before = await api.networkList(name);
      await api.networkAttach(name, `bridge=${bridge}`);
      const after = await api.networkList(name);
      expect(after.length).toBe(before.length + 1);
      const added = after.find((n) => !before.some((b) => b.devid === n.devid));
      expect(added).toBeDefined();
      await api.networkDetach(name, added?.devid ?? -1);
      const deadline = Date.now() + opMs / 2;
      while ((await api.networkList(name)).length !== before.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      expect((await api.networkList(name)).length).toBe(before.length);
    }, opMs * 2);

    it('saves to a new file (the guest stops) and restores it', async () => {
      await env.runner.fs.mkdirp(saveDir);
      await api.save(name, saveFile);
      // NAME.save in the save directory: the domain's saved state, which Start would offer to restore.
      expect(row(await api.listDomains(), name)).toMatchObject({ state: 'stopped', domid: null, savedFile: saveFile });
      await expect(api.save(name, saveFile)).rejects.toMatchObject({ code: 'EXISTS' });
      await api.restore(saveFile);
      const list = await api.listDomains();
      expect(row(list, name)?.domid).toBeGreaterThan(0);
      // Used up: restoring the same memory again over disks written since would corrupt them.
      expect(await env.runner.fs.stat(saveFile)).toBeNull();
      expect(row(list, name)?.savedFile).toBeNull();
    }, saveRestoreMs);

    it('shuts down and waits until the guest is really gone', async () => {
      await api.shutdown(name, { timeoutMs: opMs * 3 });
      expect(row(await api.listDomains(), name)).toMatchObject({ state: 'stopped', domid: null });
    }, opMs * 4);

    it('creates it again at once and destroys it', async () => {
      // The create right after shutdown is the race TESTHOST saw fail when shutdown returned too early.
      await api.create(configPath);
      expect(row(await api.listDomains(), name)?.domid).toBeGreaterThan(0);
      await api.destroy(name);
      const list = await until(api, (l) => row(l, name)?.domid === null, opMs);
      expect(row(list, name)).toMatchObject({ state: 'stopped', domid: null });
    }, createMs + opMs);

    it('deletes the stopped guest\'s config and only the disks asked for', async () => {
      // The hot-plugged image is not a disk of the config: refused, and nothing is removed.
      await expect(api.deleteDomain(name, { disks: [extraImg] })).rejects.toMatchObject({ code: 'INVALID_ARG' });
      expect((await api.readConfig(name)).path).toBe(configPath);
      const r = await api.deleteDomain(name, { disks: createdDisks });
      expect(r.steps).toEqual([
        { what: 'config', path: configPath, ok: true },
        ...createdDisks.map((d) => ({ what: 'disk', path: d, ok: true })),
      ]);
      for (const d of createdDisks) expect(await env.runner.fs.stat(d)).toBeNull();
      expect(await env.runner.fs.stat(extraImg)).not.toBeNull();
      expect(row(await api.listDomains(), name)).toBeUndefined();
      createdDisks.length = 0;
    }, opMs);
  });
}
