import type { CallContext } from '../gateway/registry';
import type { EventHub } from '../gateway/events';
import { transferWords } from '../../shared/transfer';

/** How often a transfer tells its client (job:progress) and the task log how far it is. */
const EVENT_MS = 200;
const LOG_MS = 1000;
/** The rate is measured over about this long, so it follows the link rather than one chunk. */
const RATE_WINDOW_MS = 2000;

/** Reports one transfer: throttled progress with bytes and rate to the client that runs it, then its end. */
export function progressReporter(hub: EventHub, ctx: CallContext, jobId: string, phase: 'upload' | 'download', what: string, now: () => number = Date.now) {
  let lastEvent = 0;
  let lastLog = 0;
  // The rate counts from the first byte, not from the checks before it.
  const samples: { t: number; done: number }[] = [];
  const rateAt = (t: number, done: number): number => {
    if (samples.length === 0) samples.push({ t: t - EVENT_MS, done: 0 });
    samples.push({ t, done });
    while (samples.length > 2 && samples[0]!.t < t - RATE_WINDOW_MS) samples.shift();
    const first = samples[0]!;
    return t > first.t ? ((done - first.done) * 1000) / (t - first.t) : 0;
  };
  return {
    progress: (done: number, total: number): void => {
      const t = now();
      if (t - lastEvent < EVENT_MS && done < total) return;
      lastEvent = t;
      const rate = rateAt(t, done);
      const message = transferWords(what, done, total, rate);
      hub.emit('job:progress', { jobId, phase, state: 'running', message, bytes: { done, total, rate } }, ctx.clientId);
      if (t - lastLog >= LOG_MS) {
        lastLog = t;
        ctx.progress?.(message);
      }
    },
    end: (state: 'done' | 'failed', message: string): void => {
      hub.emit('job:progress', { jobId, phase, state, message }, ctx.clientId);
    },
  };
}
