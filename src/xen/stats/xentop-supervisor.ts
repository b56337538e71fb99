import { StringDecoder } from 'node:string_decoder';
import type { CommandArgs } from '../commands/table';
import { XenError, isXenError } from '../errors';
import type { Runner, StreamHandle } from '../runner/types';

/** Restart delays of a dead xentop, every default filled in (see BackoffOptions). */
export interface Backoff {
  initialMs: number;
  maxMs: number;
  healthyMs: number;
}

/** What the supervisor is given: the runner, the xentop arguments, and where the text and the failures go. */
export interface XentopSupervisorOptions {
  runner: Runner;
  args: CommandArgs<'stats.xentop'>;
  now: () => number;
  backoff: Backoff;
  report: (err: unknown) => void;
  /** True while someone listens: a dead xentop is restarted only then. */
  wanted: () => boolean;
  /** Called at every start, before xentop runs: whatever was read from the previous process must go. */
  onStart: () => void;
  /** Receives xentop's stdout as text (the stream parser). */
  sink: { push(text: string): void };
}

/**
 * Keeps one `xentop -b` running: starts it, decodes its stdout into the sink, and restarts it with a doubling delay
 * when it dies. Every start gets a new generation, so events of a process we killed or replaced are ignored.
 */
export class XentopSupervisor {
  private handle: StreamHandle | null = null;
  private generation = 0;
  private startedAt = 0;
  private failures = 0;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly opts: XentopSupervisorOptions) {}

  /** Starts a new xentop (the caller has stopped any previous one). */
  start(): void {
    const gen = ++this.generation;
    this.startedAt = this.opts.now();
    this.opts.onStart();
    let h: StreamHandle;
    try {
      h = this.opts.runner.stream('stats.xentop', this.opts.args);
    } catch (e) {
      this.opts.report(e);
      this.scheduleRestart();
      return;
    }
    this.handle = h;
    this.watch(h, gen);
  }

  /** Kills xentop and cancels a pending restart; the next start begins again from the initial delay. */
  halt(): void {
    this.generation++;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const h = this.handle;
    this.handle = null;
    h?.kill();
    this.failures = 0;
  }

  private watch(h: StreamHandle, gen: number): void {
    const { sink, report } = this.opts;
    const decoder = new StringDecoder('utf8');
    h.stdout.on('data', (chunk: Buffer | string) => {
      if (gen !== this.generation) return;
      sink.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
    });
    h.stdout.on('error', (e: Error) => {
      if (gen === this.generation) report(e);
    });
    const died = (why: unknown): void => {
      if (gen !== this.generation) return; // we killed it, or it was replaced
      this.handle = null;
      report(why);
      this.scheduleRestart();
    };
    void h.exited.then(
      (code) => died(new XenError('XL_FAILED', `xentop exited (code ${code ?? 'signal'})`, { op: 'stats.xentop', exitCode: code })),
      (e: unknown) => died(isXenError(e) ? e : new XenError('XL_FAILED', `xentop failed: ${String(e)}`, { op: 'stats.xentop' })),
    );
  }

  private scheduleRestart(): void {
    if (!this.opts.wanted() || this.restartTimer !== null) return;
    const { initialMs, maxMs, healthyMs } = this.opts.backoff;
    const ranMs = this.opts.now() - this.startedAt;
    const healthy = ranMs >= healthyMs;
    if (healthy) this.failures = 0;
    const backoff = Math.min(initialMs * 2 ** this.failures, maxMs);
    // An attempt that failed after waiting (ssh's ConnectTimeout against a host that does not answer) has waited already.
    const delay = healthy ? backoff : Math.max(0, backoff - ranMs);
    this.failures++;
    const gen = this.generation;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (gen === this.generation && this.opts.wanted()) this.start();
    }, delay);
  }
}
