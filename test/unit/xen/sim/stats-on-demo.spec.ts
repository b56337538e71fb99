import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isUnreachable } from '../../../../src/xen/errors';
import type { StatsBatch } from '../../../../src/shared/dto';
import { createStatsService } from '../../../../src/xen/stats/stats-service';
import { SimFixture, waitFor } from './helpers';

const fx = new SimFixture();
afterEach(() => fx.cleanup());

// The app's stats service reading the demo host's streamed xentop, as the live graphs will.
describe('stats service on the demo host', () => {
  it('turns the streamed xentop frames into batches with per-domain CPU and memory', async () => {
    const r = fx.runner({ speed: 20 });
    const errors: unknown[] = [];
    const svc = createStatsService(r, { intervalS: 1, onError: (e) => errors.push(e) });
    const batches: StatsBatch[] = [];
    const off = svc.subscribe((b) => batches.push(b));
    try {
      await waitFor(() => batches.length >= 3);
    } finally {
      off();
      svc.stop();
    }
    expect(errors).toEqual([]);
    const last = batches[batches.length - 1]!;
    expect(last.host.memTotalKiB).toBe(16384 * 1024);
    const db = last.domains.find((d) => d.name === 'db01');
    expect(db).toMatchObject({ domid: 2, memKiB: 4096 * 1024, vcpus: 4 });
    expect(last.domains.find((d) => d.name === 'win-desktop')?.domid).toBe(3);
    expect(last.domains.some((d) => d.cpuHostPct > 0)).toBe(true);
    expect(last.domains.find((d) => d.name === 'build01')?.state).toBe('paused');
    // Names and domids are the ones xl list gives.
    const list = await r.run('domains.list', {});
    const running = list.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    expect(last.domains.map((d) => [d.name, d.domid]).sort()).toEqual(running.map((x) => [x[0], Number(x[1])]).sort());
    expect(last.domains.every((d) => d.cpuHostPct >= 0 && d.cpuHostPct <= 100 && d.cpuGuestPct <= 100)).toBe(true);
  });

  it('stops answering while an "unreachable" file is in its state directory, and answers again once it is gone', async () => {
    const r = fx.runner({ speed: 20 });
    const errors: unknown[] = [];
    const svc = createStatsService(r, { intervalS: 1, onError: (e) => errors.push(e), backoff: { initialMs: 50, maxMs: 200 } });
    const batches: StatsBatch[] = [];
    const off = svc.subscribe((b) => batches.push(b));
    const switchFile = join(fx.lastStateDir(), 'unreachable');
    try {
      await waitFor(() => batches.length >= 1);
      writeFileSync(switchFile, '');
      await expect(r.run('domains.list', {})).rejects.toSatisfy(isUnreachable);
      await waitFor(() => errors.some(isUnreachable)); // the open xentop ended as over a lost connection
      const during = batches.length;
      await waitFor(() => errors.filter(isUnreachable).length >= 3); // and every restart fails the same way
      expect(batches.length).toBe(during);
      rmSync(switchFile);
      await waitFor(() => batches.length >= during + 2);
      await expect(r.run('domains.list', {})).resolves.toMatchObject({ exitCode: 0 });
    } finally {
      off();
      svc.stop();
    }
  });
});
