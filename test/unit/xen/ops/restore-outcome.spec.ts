import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createXenApi, type XenApi } from '../../../../src/xen/ops/api';
import type { Runner } from '../../../../src/xen/runner/types';
import { createDemoRunner, type DemoRunner } from '../../../../src/xen/sim/index';

let dir: string;
let demo: DemoRunner;
let api: XenApi;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenith-restore-'));
  demo = createDemoRunner({ stateDir: dir, speed: 50 });
  api = createXenApi(demo, {});
});
afterEach(async () => {
  await demo.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Running, whether it is using its CPU this instant (running) or waiting (blocked). */
const RUNNING = ['running', 'blocked'];

describe('a restore whose outcome was reported as a failure', () => {
  it('removes the used saved state when the domain runs all the same, so it is not restored twice', async () => {
    await api.save('mail01', '/var/lib/xen/save/mail01.save');
    expect((await api.listDomains()).find((d) => d.name === 'mail01')?.savedFile).toBe('/var/lib/xen/save/mail01.save');
    const late: Runner = Object.create(demo) as Runner;
    late.run = (async (op: string, args: never, o?: never) => {
      const r = await demo.run(op as never, args, o);
      if (op === 'domain.restore') throw Object.assign(new Error('xl restore timed out after 240 s'), { code: 'TIMEOUT', detail: {} });
      return r;
    }) as Runner['run'];
    await expect(createXenApi(late, {}).startDomain('mail01', { saved: 'restore' })).rejects.toThrow(/running all the same; its saved state \/var\/lib\/xen\/save\/mail01.save was removed/);
    const row = (await api.listDomains()).find((d) => d.name === 'mail01');
    expect(RUNNING).toContain(row?.state);
    expect(row?.savedFile ?? null).toBeNull();
  });
});
