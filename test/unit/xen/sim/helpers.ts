import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoExecutor, createDemoRunner, type DemoExecutor, type DemoRunner, type DemoRunnerOptions } from '../../../../src/xen/sim/index';

/** A fake clock tests move by hand. */
export interface FakeClock {
  now: number;
  (): number;
  advance(ms: number): void;
}

/** A clock starting at a fixed instant. */
export function fakeClock(start = 1_800_000_000_000): FakeClock {
  const f = (() => f.now) as FakeClock;
  f.now = start;
  f.advance = (ms: number) => {
    f.now += ms;
  };
  return f;
}

/** A fresh state directory. */
export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'xenith-sim-'));
}

/** Tracks runners and directories so afterEach can close and remove them. */
export class SimFixture {
  private readonly runners: (DemoRunner | DemoExecutor)[] = [];
  private readonly dirs: string[] = [];

  /** A demo runner on a fresh (or given) state dir. */
  runner(opts: Partial<DemoRunnerOptions> = {}): DemoRunner {
    return this.track(createDemoRunner(this.options(opts)));
  }

  /** The demo host's executor (argv as xl takes it), for tests of the simulator itself. */
  executor(opts: Partial<DemoRunnerOptions> = {}): DemoExecutor {
    return this.track(createDemoExecutor(this.options(opts)));
  }

  /** The state directory of the runner made last. */
  lastStateDir(): string {
    const d = this.lastDir;
    if (d === null) throw new Error('no runner made yet');
    return d;
  }

  private lastDir: string | null = null;

  /** Options with a fresh state dir (removed by cleanup) unless one was given. */
  private options(opts: Partial<DemoRunnerOptions>): DemoRunnerOptions {
    const stateDir = opts.stateDir ?? tempStateDir();
    if (!opts.stateDir) this.dirs.push(stateDir);
    this.lastDir = stateDir;
    return { speed: 20, ...opts, stateDir };
  }

  private track<R extends DemoRunner | DemoExecutor>(r: R): R {
    this.runners.push(r);
    return r;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.runners.splice(0).map((r) => r.close()));
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** Waits until `pred` holds, polling every 10 ms. */
export async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
