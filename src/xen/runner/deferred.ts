import { PassThrough } from 'node:stream';
import { assertPtySize } from './pty-process';
import type { PtyHandle, StreamHandle } from './types';

/**
 * A stream handle available at once whose process starts when `ready` resolves (the ssh master is up). If `ready`
 * rejects, `exited` rejects with its error; killed before then, the process never starts and `exited` gives null.
 */
export function deferStream(ready: Promise<void>, open: () => StreamHandle): StreamHandle {
  const stdout = new PassThrough();
  let inner: StreamHandle | null = null;
  let killed = false;
  const exited = ready.then(
    () => {
      if (killed) return null;
      const h = open();
      inner = h;
      h.stdout.pipe(stdout);
      return h.exited;
    },
    (e: unknown) => {
      stdout.end();
      throw e;
    },
  );
  exited.catch(() => undefined); // a caller that never awaits `exited` must not get an unhandled rejection
  return {
    stdout,
    exited,
    kill() {
      killed = true;
      if (inner !== null) inner.kill();
      else stdout.end();
    },
  };
}

/** What a deferred terminal remembers until its process exists. */
interface PtyWaiting {
  data: ((d: string) => void)[];
  exit: ((code: number) => void)[];
  writes: string[];
  size: { cols: number; rows: number };
  paused: boolean;
  killed: boolean;
}

/**
 * A terminal handle available at once whose process starts when `ready` resolves; listeners, keystrokes, a resize
 * and flow control given before then are handed over. A failed `ready` ends the terminal with exit code 255 and
 * ssh's words on the screen.
 */
export function deferPty(ready: Promise<void>, size: { cols: number; rows: number }, open: () => PtyHandle): PtyHandle {
  assertPtySize(size.cols, size.rows);
  const w: PtyWaiting = { data: [], exit: [], writes: [], size, paused: false, killed: false };
  let inner: PtyHandle | null = null;
  // A listener given now and dropped later must stay dropped whether or not the process has started meanwhile.
  const listen = <T>(list: ((v: T) => void)[], cb: (v: T) => void): (() => void) => {
    let on = true;
    list.push((v) => on && cb(v));
    return () => void (on = false);
  };
  ready.then(
    () => {
      if (w.killed) return w.exit.forEach((cb) => cb(0));
      const h = open();
      inner = h;
      w.data.forEach((cb) => h.onData(cb));
      w.exit.forEach((cb) => h.onExit(cb));
      if (w.size.cols !== size.cols || w.size.rows !== size.rows) h.resize(w.size.cols, w.size.rows);
      w.writes.forEach((d) => h.write(d));
      if (w.paused) h.pause();
    },
    (e: unknown) => {
      const said = e instanceof Error ? e.message : String(e);
      w.data.forEach((cb) => cb(`\r\n${said}\r\n`));
      w.exit.forEach((cb) => cb(255));
    },
  );
  return {
    onData: (cb) => (inner !== null ? inner.onData(cb) : listen(w.data, cb)),
    onExit: (cb) => (inner !== null ? inner.onExit(cb) : listen(w.exit, cb)),
    write: (d) => (inner !== null ? inner.write(d) : void w.writes.push(d)),
    resize: (cols, rows) => {
      assertPtySize(cols, rows);
      if (inner !== null) inner.resize(cols, rows);
      else w.size = { cols, rows };
    },
    pause: () => (inner !== null ? inner.pause() : void (w.paused = true)),
    resume: () => (inner !== null ? inner.resume() : void (w.paused = false)),
    kill: () => (inner !== null ? inner.kill() : void (w.killed = true)),
  };
}
