import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatsBatch } from '../../../../src/shared/dto';
import { createDemoRunner, type DemoRunner } from '../../../../src/xen/sim/index';
import { createStatsService } from '../../../../src/xen/stats/stats-service';

// End to end against the demo host: its xentop, xl info and xl list go through the real parsers and the service.
describe('createStatsService on the demo host', () => {
  let dir = '';
  let runner: DemoRunner | null = null;
  afterEach(async () => {
    await runner?.close();
    runner = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('delivers batches whose names and domids match xl list', async () => {
    dir = mkdtempSync(join(tmpdir(), 'xenith-stats-'));
    runner = createDemoRunner({ stateDir: dir, speed: 20 });
    const errors: unknown[] = [];
    const svc = createStatsService(runner, { onError: (e) => errors.push(e) });
    const batches: StatsBatch[] = [];
    await new Promise<void>((resolve) => {
      const off = svc.subscribe((b) => {
        batches.push(b);
        if (batches.length === 4) {
          off();
          resolve();
        }
      });
    });
    expect(errors).toEqual([]);
    const list = await runner.run('domains.list', {});
    const running = list.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    const last = batches[3]!;
    expect(last.domains.map((d) => [d.name, d.domid]).sort()).toEqual(running.map((r) => [r[0], Number(r[1])]).sort());
    expect(last.host.memTotalKiB).toBeGreaterThan(0);
    expect(last.domains.every((d) => d.cpuHostPct >= 0 && d.cpuHostPct <= 100 && d.cpuGuestPct <= 100)).toBe(true);
  });
});
