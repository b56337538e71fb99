import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createXenApi } from '../../src/xen/ops/api';
import { createDemoRunner } from '../../src/xen/sim/index';
import { cpuMsPer, type BenchResult } from '../types';

/** Suite name, as `--only` matches it. */
export const name = 'storage';

const VOLUMES = 1000;
/** The goal: a pool of 1,000 volumes lists in under 0.5 s of main-process CPU (issue: Storage, "Speed"). */
const LIMIT_MS = 500;

/**
 * Lists storage on the demo host with a directory pool of 1,000 image files (beside the seeded pools): the CPU this
 * process spends, the demo host's own df/vgs/lvs and header probes included, since it answers in-process.
 */
export async function run(): Promise<BenchResult[]> {
  const stateDir = mkdtempSync(join(tmpdir(), 'xenith-bench-storage-'));
  const demo = createDemoRunner({ stateDir, speed: 50 });
  try {
    const api = createXenApi(demo, {});
    const dir = join(stateDir, 'root/srv/big');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < VOLUMES; i++) {
      const fd = openSync(join(dir, `vol-${String(i).padStart(4, '0')}.img`), 'w');
      ftruncateSync(fd, 1024 ** 3);
      closeSync(fd);
    }
    await api.addPool({ name: 'bigdir', kind: 'dir', path: '/srv/big' });
    await api.storageOverview();
    const n = 10;
    const ms = await cpuMsPer(n, async () => {
      for (let i = 0; i < n; i++) await api.storageOverview();
    });
    const t0 = performance.now();
    const o = await api.storageOverview();
    const wall = performance.now() - t0;
    if (o.volumes.filter((v) => v.pool === 'bigdir').length !== VOLUMES) throw new Error('the big pool did not list every volume');
    return [
      { name: `storage.list_cpu_ms.${VOLUMES}`, value: ms, unit: 'ms' },
      { name: `storage.list_cpu_ratio.${VOLUMES}`, value: ms / LIMIT_MS, unit: 'of 500 ms' },
      { name: `storage.list_wall_ms.${VOLUMES}`, value: wall, unit: 'ms' },
    ];
  } finally {
    await demo.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
