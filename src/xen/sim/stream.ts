import { Readable } from 'node:stream';
import type { StreamHandle, XenProgram } from '../runner/types';
import { SimFailure, type SimHost } from './host';
import { parseXentopArgs, XentopSampler } from './tools';

/**
 * A long-running `xentop -b -d N` on the demo host: one frame per delay until stopped or its iterations are done.
 * `live` holds the kill of every open stream so closing the host ends them.
 */
export function simStream(host: SimHost, live: Set<() => void>, program: XenProgram, args: readonly string[], convert?: (args: readonly string[]) => void): StreamHandle {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveExit: (code: number | null) => void = () => undefined;
  const exited = new Promise<number | null>((r) => (resolveExit = r));
  const stdout = new Readable({ read() {} });
  const finish = (code: number | null): void => {
    if (stopped) return;
    stopped = true;
    if (timer) clearTimeout(timer);
    live.delete(kill);
    stdout.push(null);
    resolveExit(code);
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
