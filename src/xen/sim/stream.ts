import { Readable } from 'node:stream';
import type { StreamHandle, XenProgram } from '../runner/types';
import { SimFailure, type SimHost } from './host';
import { parseXentopArgs, XentopSampler } from './tools';

/** What a demo stream may do besides xentop: convert images; and how it learns that the host stopped answering. */
export interface SimStreamHooks {
  convert?: (args: readonly string[]) => void;
  /** Non-null while the host does not answer: the stream ends with this error, as a lost connection would end it. */
  down?: () => Error | null;
}

/**
 * A long-running `xentop -b -d N` on the demo host: one frame per delay until stopped or its iterations are done.
 * `live` holds the kill of every open stream so closing the host ends them.
 */
export function simStream(host: SimHost, live: Set<() => void>, program: XenProgram, args: readonly string[], hooks: SimStreamHooks = {}): StreamHandle {
  const { convert } = hooks;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveExit: (code: number | null) => void = () => undefined;
  let rejectExit: (e: Error) => void = () => undefined;
  const exited = new Promise<number | null>((resolve, reject) => {
    resolveExit = resolve;
    rejectExit = reject;
  });
  exited.catch(() => undefined); // a caller that never awaits `exited` must not get an unhandled rejection
  const stdout = new Readable({ read() {} });
  const finish = (code: number | null, err?: Error): void => {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    live.delete(kill);
    stdout.push(null);
    if (err) rejectExit(err);
    else resolveExit(code);
  };
  const kill = (): void => finish(null);
  const failSoon = (text: string): StreamHandle => {
    setImmediate(() => {
      stdout.push(text);
      finish(1);
    });
    return { stdout, exited, kill };
  };
  if (program === 'qemu-img' && args[0] === 'convert' && convert) {
    live.add(kill);
    convertSteps(host, stdout, () => stopped, (t) => (timer = t), finish, () => convert(args));
    return { stdout, exited, kill };
  }
  if (program !== 'xentop') return failSoon(`${program}: streaming is only available for xentop on the demo host\n`);
  let o: ReturnType<typeof parseXentopArgs>;
  try {
    o = parseXentopArgs(args);
  } catch (e) {
    return failSoon(e instanceof SimFailure ? e.stderr : '');
  }
  const sampler = new XentopSampler(host, o.fullNames);
  let left = o.iterations ?? Infinity;
  const emit = (): void => {
    if (stopped) return;
    const down = hooks.down?.();
    if (down) return finish(null, down);
    stdout.push(sampler.frame());
    if (--left <= 0) return finish(0);
    timer = setTimeout(emit, host.delay(o.delayS * 1000));
  };
  live.add(kill);
  setImmediate(emit);
  return { stdout, exited, kill };
}

/** qemu-img convert -p on the demo host: progress in a few steps, then the copy, then exit 0 (or its error and exit 1). */
function convertSteps(host: SimHost, stdout: Readable, stopped: () => boolean, setTimer: (t: NodeJS.Timeout) => void, finish: (code: number) => void, copy: () => void): void {
  let pct = 0;
  const step = (): void => {
    if (stopped()) return;
    stdout.push(`    (${pct.toFixed(2)}/100%)\r`);
    if (pct < 100) {
      pct = Math.min(100, pct + 25);
      setTimer(setTimeout(step, host.delay(400)));
      return;
    }
    try {
      copy();
      stdout.push('\n');
      finish(0);
    } catch (e) {
      stdout.push(e instanceof SimFailure ? e.stderr : String(e));
      finish(1);
    }
  };
  setImmediate(step);
}
