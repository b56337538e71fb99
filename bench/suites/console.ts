import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HandlerRegistry } from '../../src/main/gateway/registry';
import { EventHub } from '../../src/main/gateway/events';
import { startWebServer } from '../../src/main/web/server';
import { ConsoleSessionManager } from '../../src/main/console/session-manager';
import { registerConsoleChannels } from '../../src/main/ipc/console';
import { spawnPty } from '../../src/xen/runner/pty-process';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test/e2e/support/harness';
import type { BenchResult } from '../types';
import { measureQuietly } from '../load';
import { CdpBrowser, type CdpPage } from '../cdp-pipe';

/** Suite name, as `--only` matches it. */
export const name = 'console';

/** Bytes of console text the guest prints (before the pty turns each \n into \r\n). */
const FLOOD_BYTES = 20_000_000;
/** OSC number the flood program answers keystrokes with: invisible in xterm, and xterm tells us when it parsed one. */
const ECHO_OSC = 7777;

/** Lines of console text the flood repeats: 10 000 lines of 99 printable characters and \n (1 000 000 bytes). */
function floodBlock(): string {
  let seed = 12345;
  const lines: string[] = [];
  for (let l = 0; l < 10_000; l++) {
    let s = '';
    for (let i = 0; i < 99; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      s += String.fromCharCode(32 + ((seed >>> 16) % 95));
    }
    lines.push(`${s}\n`);
  }
  return lines.join('');
}

/**
 * The "guest": waits for Ctrl-A, prints the block again and again (FLOOD_BYTES in all) as fast as the pty takes it,
 * going back to its event loop between chunks as a guest keeps reading input while it prints, and answers every other
 * key at once with an OSC sequence naming it. It logs what it wrote, in order (content up to an offset, or a literal),
 * so the bench can rebuild the exact stream and its hash without slowing the guest down.
 */
const FLOOD_PROGRAM = String.raw`'use strict';
const fs = require('fs');
const [resultFile, blockFile, totalArg] = process.argv.slice(2);
const block = fs.readFileSync(blockFile, 'latin1');
const total = Number(totalArg);
const CHUNK = 25000;
const log = [];
let produced = 0;
let started = false;
let done = false;
const literal = (s) => { log.push(s); process.stdout.write(s); };
const save = () => fs.writeFileSync(resultFile, JSON.stringify({ log }));
function pump() {
  if (produced < total) {
    const at = produced % block.length;
    const chunk = block.slice(at, at + CHUNK);
    produced += chunk.length;
    if (typeof log[log.length - 1] === 'number') log[log.length - 1] = produced;
    else log.push(produced);
    if (!process.stdout.write(chunk)) process.stdout.once('drain', pump);
    else setImmediate(pump);
    return;
  }
  literal('\nFLOOD-END\n');
  done = true;
  save();
}
process.stdin.setRawMode(true);
// Only now may keys come: before raw mode the tty would echo them itself.
literal(']${ECHO_OSC + 1};ready');
process.stdin.on('data', (buf) => {
  for (const b of buf) {
    if (b === 1) { if (!started) { started = true; setImmediate(pump); } }
    else if (b >= 0x20 && b < 0x7f) { literal(']${ECHO_OSC};' + String.fromCharCode(b) + ''); if (done) save(); }
  }
});
`;

/**
 * The length of what the guest wrote, as the pty delivers it, in bytes, without touching its content (cheap enough to
 * run while the page is still working): all it writes is ASCII, one byte a character, and every line of the block is
 * 100 characters ending in \n, which gains a \r.
 */
function expectedLength(log: (number | string)[]): number {
  let length = 0;
  let produced = 0;
  for (const item of log) {
    if (typeof item === 'string') {
      length += item.length + (item.match(/\n/g)?.length ?? 0);
      continue;
    }
    length += item - produced + (Math.floor(item / 100) - Math.floor(produced / 100));
    produced = item;
  }
  return length;
}

/**
 * The checksum the page computes as output reaches the terminal: FNV-1a over the UTF-8 bytes taken four at a time
 * (little-endian words), then over the 0-3 bytes left at the end, then the byte count. Words, not characters, so the
 * page spends a quarter of the loop on it; the encoding itself is native.
 */
function wordHash(bytes: Uint8Array): number {
  const words = bytes.length >>> 2;
  // An aligned copy, so the words can be read through an Int32Array (x86 and ARM are little-endian, as the page is).
  const aligned = new Uint8Array(words * 4);
  aligned.set(bytes.subarray(0, words * 4));
  const w = new Int32Array(aligned.buffer);
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < words; i++) h = Math.imul(h ^ w[i]!, 16777619);
  for (let i = words * 4; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 16777619);
  return Math.imul(h ^ bytes.length, 16777619) >>> 0;
}

/** Rebuilds what the guest wrote from its log, as the pty delivers it (\n becomes \r\n): its checksum and length in bytes. */
function expectedStream(block: string, log: (number | string)[]): { hash: number; length: number } {
  const parts: Buffer[] = [];
  let length = 0;
  const add = (s: string) => {
    const crlf = s.replace(/\n/g, '\r\n');
    const bytes = Buffer.from(crlf, 'utf8');
    length += bytes.length;
    parts.push(bytes);
  };
  let at = 0;
  for (const item of log) {
    if (typeof item === 'string') {
      add(item);
      continue;
    }
    while (at < item) {
      const off = at % block.length;
      const piece = block.slice(off, Math.min(block.length, off + (item - at)));
      add(piece);
      at += piece.length;
    }
  }
  return { hash: wordHash(Buffer.concat(parts)), length };
}

interface PageResult {
  hash: number;
  length: number;
  firstAt: number;
  doneAt: number;
}

/** One flood's figures. */
interface FloodRun {
  mbPerS: number;
  /** The same amount of the same text written straight into the same terminal in the same page. */
  xtermMbPerS: number;
  latencies: number[];
}

/** How many floods a run of the suite measures (each in a fresh browser and server); XENITH_BENCH_CONSOLE_RUNS overrides. */
const RUNS = 5;

/**
 * The console figures over several floods, each from a cold start and each on a calm machine (bench/load.ts): the
 * pipeline's throughput, xterm's own throughput on the same text in the same page right after it (the limit the
 * pipeline cannot beat), their ratio per flood, and every keystroke's echo time across all floods (p95 and worst).
 * Medians stand for throughput and ratio; the load reported is the highest any flood started at.
 */
export async function run(): Promise<BenchResult[]> {
  const n = Number(process.env.XENITH_BENCH_CONSOLE_RUNS ?? RUNS);
  if (!Number.isInteger(n) || n < 1) throw new Error('XENITH_BENCH_CONSOLE_RUNS must be a positive whole number');
  const runs: FloodRun[] = [];
  let load = 0;
  let noisy = false;
  for (let i = 0; i < n; i++) {
    const m = await measureQuietly(`console flood ${i + 1}`, floodOnce);
    runs.push(m.value);
    load = Math.max(load, m.load);
    noisy ||= m.noisy;
  }
  const mb = runs.map((r) => r.mbPerS);
  const alone = runs.map((r) => r.xtermMbPerS);
  const ratios = runs.map((r) => r.mbPerS / r.xtermMbPerS);
  const all = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const p95 = all[Math.min(all.length - 1, Math.ceil(0.95 * all.length) - 1)] ?? NaN;
  console.error(
    `bench: console: ${n} floods: pipeline ${mb.map((v) => v.toFixed(1)).join(' ')} MB/s, xterm alone ${alone.map((v) => v.toFixed(1)).join(' ')} MB/s, ratios ${ratios.map((v) => v.toFixed(2)).join(' ')}; ${all.length} keystrokes, p95 ${p95.toFixed(1)} ms, worst ${(all.at(-1) ?? NaN).toFixed(1)} ms`,
  );
  const at = { load, ...(noisy ? { noisy: true } : {}) };
  return [
    { name: 'console.xterm_only_mb_per_s', value: median(alone), unit: 'MB/s', ...at },
    { name: 'console.mb_per_s', value: median(mb), unit: 'MB/s', ...at },
    { name: 'console.ratio', value: median(ratios), unit: 'x', limit: 'console.xterm_only_mb_per_s', ...at },
    { name: 'console.input_latency_p95_ms', value: p95, unit: 'ms', ...at },
    { name: 'console.input_latency_max_ms', value: all.at(-1) ?? NaN, unit: 'ms', ...at },
  ];
}

/**
 * xterm alone: the same text (the guest's block as the pty delivers it, \n made \r\n) written into the same terminal
 * of the same page, in the form and pieces the app hands it (UTF-8 bytes, 32 KiB views; encoded before the clock
 * starts), through the same checksum tap the pipeline's output goes through, from the first write to xterm's callback
 * for the last. What the pipeline adds to this is its whole cost.
 */
async function xtermAlone(page: CdpPage, block: string, total: number): Promise<number> {
  const text = block.replace(/\n/g, '\r\n');
  const ms = await evaluate(
    page,
    ({ text, total }: { text: string; total: number }) =>
      new Promise<number>((resolveMs) => {
        const hooks = window.__xenithTestHooks!;
        const term = hooks.console!.term;
        term.reset();
        // The block is ASCII: its bytes and characters line up.
        const bytes = new TextEncoder().encode(text);
        term.write('', () => {
          const t0 = performance.now();
          const piece = 32 * 1024;
          let sent = 0;
          while (sent < total) {
            const at = sent % bytes.length;
            const b = bytes.subarray(at, Math.min(bytes.length, at + piece, at + total - sent));
            sent += b.length;
            hooks.tap?.(b);
            term.write(b, sent >= total ? () => resolveMs(performance.now() - t0) : undefined);
          }
        });
      }),
    { text, total },
  );
  return total / 1e6 / (ms / 1000);
}

/** 20 MB of console output through the real pipeline: pty -> session manager -> WebSocket -> xterm in Chromium. */
async function floodOnce(): Promise<FloodRun> {
  const staticDir = resolve('dist/renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error('dist/renderer is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'xenith-bench-console-'));
  const program = join(dir, 'flood.cjs');
  const resultFile = join(dir, 'result.json');
  const blockFile = join(dir, 'block.txt');
  const block = floodBlock();
  writeFileSync(program, FLOOD_PROGRAM);
  writeFileSync(blockFile, block, 'latin1');

  const paused = { count: 0, ms: 0 };
  const hub = new EventHub();
  const registry = new HandlerRegistry();
  const manager = new ConsoleSessionManager({
    spawn: (_args, size) => {
      const p = spawnPty(process.execPath, [program, resultFile, blockFile, String(FLOOD_BYTES)], size, { ...process.env, ELECTRON_RUN_AS_NODE: '1' });
      // Counts how long flow control held the guest back: the share of the run the terminal was the slow part.
      let since = 0;
      return {
        ...p,
        pause: () => {
          paused.count++;
          since = performance.now();
          p.pause();
        },
        resume: () => {
          paused.ms += performance.now() - since;
          p.resume();
        },
      };
    },
    findDomid: () => Promise.resolve(1),
    emitData: (clientId, p) => hub.emit('console:data', p, clientId),
    emitStatus: (clientId, ev) => hub.emit('console:status', ev, clientId),
  });
  registerConsoleChannels(registry, manager);
  registry.register('app:status', () => ({ kind: 'demo', label: 'bench', connection: 'connected', healthy: true, message: 'ok' }));
  hub.onClientLeft((c) => manager.closeClient(c));
  const server = await startWebServer({ registry, hub, staticDir });
  // A bare CDP pipe, not Playwright: Playwright copies every WebSocket frame into this process, which would make the
  // bench measure its own instrument (see cdp-pipe.ts).
  const browser = CdpBrowser.launch(CHROMIUM, CHROMIUM_ARGS);
  try {
    const page = await browser.newPage(1280, 800);
    // Installed before the app loads, so the tap sees the guest's very first bytes: it hashes every chunk the terminal
    // receives, notes when the first arrives, and spots the guest's "ready" marker.
    await addInitScript(page, (osc: number) => {
      const st = { h: 0x811c9dc5 | 0, bytes: 0, firstAt: 0, echoes: new Map<string, number>(), down: new Map<string, number>(), head: '', tail: '', ready: false, digest: () => 0 };
      (window as unknown as { __bench: typeof st }).__bench = st;
      const marker = `\x1b]${osc + 1};ready\x07`;
      // The checksum of wordHash() in the bench, kept as output arrives: each chunk is copied (natively) after the
      // 0-3 bytes the last one left over, and hashed a 32-bit word at a time.
      const decoder = new TextDecoder();
      let u8 = new Uint8Array(1 << 20);
      let u32 = new Int32Array(u8.buffer);
      let carry = 0;
      st.digest = () => {
        let h = st.h;
        for (let i = 0; i < carry; i++) h = Math.imul(h ^ u8[i]!, 16777619);
        return Math.imul(h ^ st.bytes, 16777619) >>> 0;
      };
      window.__xenithTestHooks = {
        tap: (d: Uint8Array) => {
          if (carry + d.length > u8.length) {
            const bigger = new Uint8Array(2 ** Math.ceil(Math.log2(carry + d.length)));
            bigger.set(u8.subarray(0, carry));
            u8 = bigger;
            u32 = new Int32Array(u8.buffer);
          }
          u8.set(d, carry);
          const total = carry + d.length;
          const words = total >>> 2;
          let h = st.h;
          for (let i = 0; i < words; i++) h = Math.imul(h ^ u32[i]!, 16777619);
          st.h = h;
          carry = total & 3;
          for (let i = 0; i < carry; i++) u8[i] = u8[words * 4 + i]!;
          st.bytes += d.length;
          if (st.head.length < 200) st.head += decoder.decode(d.subarray(0, 200));
          // Only the last 200 bytes, as text: never decode a whole chunk.
          const end = decoder.decode(d.subarray(-200));
          st.tail = d.length >= 200 ? end : (st.tail + end).slice(-200);
          if (!st.ready && st.tail.includes(marker)) st.ready = true;
          else if (st.ready && st.firstAt === 0) st.firstAt = performance.now();
        },
      };
    }, ECHO_OSC);
    await page.goto(server.url);
    await page.goto('about:blank');
    await page.goto(`${server.origin}/#/console/flood/text`);
    await page.waitFor('window.__xenithTestHooks?.console?.sessionId() != null', 30_000);
    // The guest's answers to keys: xterm calls this when it parses one, which is when the user would see it.
    await evaluate(page, (osc: number) => {
      const st = (window as unknown as { __bench: { echoes: Map<string, number>; onEcho?: (k: string) => void } }).__bench;
      const c = window.__xenithTestHooks!.console!;
      c.term.parser.registerOscHandler(osc, (data) => {
        st.echoes.set(data, performance.now());
        st.onEcho?.(data);
        return true;
      });
      c.term.focus();
    }, ECHO_OSC);
    await page.waitFor('window.__bench.ready', 30_000);
    // XENITH_BENCH_PROFILE=FILE records the page's CPU profile during the flood (open it in Chrome's DevTools).
    const profileFile = process.env.XENITH_BENCH_PROFILE;
    if (profileFile) {
      await page.send('Profiler.enable');
      await page.send('Profiler.setSamplingInterval', { interval: 250 });
      await page.send('Profiler.start');
    }
    await evaluate(page, () => window.__xenithTestHooks!.console!.term.input('\x01', true), undefined);

    // Keystrokes during the flood: each is timed from its keydown in the page to xterm parsing the guest's answer.
    const latencies: number[] = [];
    const keys = 'abcdefghijklmnopqrstuvwxyz';
    const floodOver = async (): Promise<boolean> => {
      if (!existsSync(resultFile)) return false;
      // Cheap (this process is main too): every 100-character line gains a \r; literals count with theirs.
      const log = (JSON.parse(readFileSync(resultFile, 'utf8')) as { log: (number | string)[] }).log;
      return evaluate(page, (n: number) => window.__xenithTestHooks!.console!.flow.processed >= n, expectedLength(log));
    };
    for (let i = 0; i < 400 && (i < 5 || !(await floodOver())); i++) {
      const key = keys[i % keys.length]!;
      await evaluate(page, (k: string) => {
        const st = (window as unknown as { __bench: { echoes: Map<string, number>; down: Map<string, number> } }).__bench;
        st.echoes.delete(k);
        const onDown = (e: KeyboardEvent) => {
          if (e.key === k) {
            st.down.set(k, performance.now());
            document.removeEventListener('keydown', onDown, true);
          }
        };
        document.addEventListener('keydown', onDown, true);
      }, key);
      await page.press(key);
      const ms = await evaluate(
        page,
        (k: string) =>
          new Promise<number>((resolveMs) => {
            // Woken by the echo's OSC handler, not by polling: a timer firing every few milliseconds would be work
            // on the main thread the flood competes with.
            const st = (window as unknown as { __bench: { echoes: Map<string, number>; down: Map<string, number>; onEcho?: (k: string) => void } }).__bench;
            const settle = (): boolean => {
              const at = st.echoes.get(k);
              const down = st.down.get(k);
              if (at === undefined || down === undefined) return false;
              clearTimeout(timer);
              st.onEcho = undefined;
              resolveMs(at - down);
              return true;
            };
            const timer = setTimeout(() => {
              st.onEcho = undefined;
              resolveMs(Number.POSITIVE_INFINITY);
            }, 5000);
            if (!settle()) st.onEcho = () => void settle();
          }),
        key,
      );
      latencies.push(ms);
      await new Promise((r) => setTimeout(r, 25));
    }

    const deadline = Date.now() + 120_000;
    while (!existsSync(resultFile)) {
      if (Date.now() > deadline) throw new Error('the flood did not finish within 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const log = (JSON.parse(readFileSync(resultFile, 'utf8')) as { log: (number | string)[] }).log;
    const got = await evaluate(
      page,
      (total: number) =>
        new Promise<PageResult>((resolveRes) => {
          const st = (window as unknown as { __bench: { digest: () => number; bytes: number; firstAt: number } }).__bench;
          const flow = window.__xenithTestHooks!.console!.flow;
          const check = () => {
            if (flow.processed >= total || performance.now() - st.firstAt > 180_000) {
              resolveRes({ hash: st.digest(), length: st.bytes, firstAt: st.firstAt, doneAt: performance.now() });
            } else setTimeout(check, 2);
          };
          check();
        }),
      expectedLength(log),
    );
    // Only now, with the page done, the full hash of what the guest wrote: computing it earlier would take CPU from
    // the flood it checks.
    const expected = expectedStream(block, log);
    if (expected.length !== expectedLength(log)) throw new Error(`bench: expected length ${expectedLength(log)} disagrees with the stream's ${expected.length}`);
    if (profileFile) {
      const { profile } = await page.send<{ profile: unknown }>('Profiler.stop');
      writeFileSync(profileFile, JSON.stringify(profile));
    }
    if (got.length !== expected.length || got.hash !== expected.hash) {
      const ends = await evaluate(page, () => {
        const st = (window as unknown as { __bench: { head: string; tail: string } }).__bench;
        return JSON.stringify([st.head, st.tail]);
      }, undefined);
      throw new Error(`console flood arrived damaged (first and last characters: ${ends}): ${got.length} bytes, hash ${got.hash.toString(16)}; the guest wrote ${expected.length}, hash ${expected.hash.toString(16)}`);
    }
    const seconds = (got.doneAt - got.firstAt) / 1000;
    const finite = latencies.filter(Number.isFinite);
    if (finite.length < latencies.length) throw new Error(`${latencies.length - finite.length} keystroke(s) got no answer within 5 s: ${latencies.map((l) => l.toFixed(1)).join(" ")}`);
    const xtermMbPerS = await xtermAlone(page, block, expected.length);
    console.error(
      `bench: console: ${(expected.length / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s (xterm alone ${xtermMbPerS.toFixed(1)} MB/s), ${latencies.length} keystrokes, latency median ${median(finite).toFixed(1)} ms, max ${Math.max(...finite).toFixed(1)} ms; pty paused ${paused.count} times, ${(paused.ms / 1000).toFixed(2)} s in all; load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs`,
    );
    return { mbPerS: expected.length / 1e6 / seconds, xtermMbPerS, latencies: finite };
  } finally {
    await browser.close();
    manager.closeAll();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `fn(arg)` in the page and returns its (awaited, JSON) value; `fn` must use nothing but its argument. */
function evaluate<A, R>(page: CdpPage, fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
  return page.evaluate<R>(`(${fn.toString()})(${arg === undefined ? '' : JSON.stringify(arg)})`);
}

/** Installs `fn(arg)` to run before the page's own scripts on every load. */
function addInitScript<A>(page: CdpPage, fn: (arg: A) => void, arg: A): Promise<void> {
  return page.addInitScript(`(${fn.toString()})(${JSON.stringify(arg)})`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}
