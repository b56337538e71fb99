import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConsoleSessionManager, type ConsoleManagerDeps } from '../../../src/main/console/session-manager';
import { consoleCall, type ConsoleTarget } from '../../../src/main/console/console-args';
import { buildCommand } from '../../../src/xen/commands/build';

/** The argv the command table builds for a console. */
const consoleArgs = (t: ConsoleTarget): readonly string[] => buildCommand('console.open', consoleCall(t)).argv;
import type { PtyHandle } from '../../../src/xen/runner/types';
import type { ConsoleStatusEvent } from '../../../src/shared/contract-types';

/** A pty the test drives by hand: it records writes, resizes and pause state. */
class FakePty implements PtyHandle {
  dataCbs = new Set<(d: string) => void>();
  exitCbs = new Set<(c: number) => void>();
  written: string[] = [];
  sizes: [number, number][] = [];
  paused = false;
  pauses = 0;
  resumes = 0;
  killed = false;
  constructor(readonly args: readonly string[]) {}
  onData(cb: (d: string) => void) {
    this.dataCbs.add(cb);
    return () => this.dataCbs.delete(cb);
  }
  onExit(cb: (c: number) => void) {
    this.exitCbs.add(cb);
    return () => this.exitCbs.delete(cb);
  }
  write(d: string) {
    this.written.push(d);
  }
  resize(c: number, r: number) {
    this.sizes.push([c, r]);
  }
  pause() {
    this.paused = true;
    this.pauses++;
  }
  resume() {
    this.paused = false;
    this.resumes++;
  }
  kill() {
    this.killed = true;
  }
  emit(d: string) {
    for (const cb of [...this.dataCbs]) cb(d);
  }
  exit(code: number) {
    for (const cb of [...this.exitCbs]) cb(code);
  }
}

interface Rig {
  m: ConsoleSessionManager;
  ptys: FakePty[];
  data: { client: string; id: string; data: string }[];
  status: { client: string; ev: ConsoleStatusEvent }[];
  domid: { value: number | null };
  received(client: string, id: string): string;
}

function rig(opts: ConstructorParameters<typeof ConsoleSessionManager>[1] = {}): Rig {
  const ptys: FakePty[] = [];
  const data: Rig['data'] = [];
  const status: Rig['status'] = [];
  const domid = { value: 7 as number | null };
  const deps: ConsoleManagerDeps = {
    spawn: (call) => {
      const p = new FakePty(buildCommand('console.open', call).argv);
      ptys.push(p);
      return p;
    },
    findDomid: async () => domid.value,
    // Every batch ends on a character boundary, so each decodes alone.
    emitData: (client, p) => data.push({ client, id: p.id, data: new TextDecoder('utf-8', { fatal: true }).decode(p.data) }),
    emitStatus: (client, ev) => status.push({ client, ev }),
  };
  const m = new ConsoleSessionManager(deps, { highWatermark: 1000, lowWatermark: 200, batchMs: 4, reconnectPollMs: 50, confirmMs: 100, ...opts });
  return {
    m,
    ptys,
    data,
    status,
    domid,
    received: (client, id) => data.filter((d) => d.client === client && d.id === id).map((d) => d.data).join(''),
  };
}

const size = { cols: 80, rows: 24 };

describe('consoleArgs', () => {
  it('builds xl console argv with the name last', () => {
    expect(consoleArgs({ name: 'web01' })).toEqual(['console', 'web01']);
    expect(consoleArgs({ name: 'web01', type: 'serial', index: 1 })).toEqual(['console', '-t', 'serial', '-n', '1', 'web01']);
    expect(consoleArgs({ name: 'db.2', type: 'pv' })).toEqual(['console', '-t', 'pv', 'db.2']);
  });
  it('refuses names and values that could become flags or shell', () => {
    for (const name of ['-t', '', 'a b', '$(x)', 'a'.repeat(65), '.hidden', '123']) expect(() => consoleArgs({ name })).toThrow(/console\.open: dom:/);
    expect(() => consoleArgs({ name: 'a', type: 'vga' as 'pv' })).toThrow(/console\.open: type:/);
    expect(() => consoleArgs({ name: 'a', index: 16 })).toThrow(/console\.open: index:/);
    expect(() => consoleArgs({ name: 'a', index: 1.5 })).toThrow(/console\.open: index:/);
  });
});

describe('ConsoleSessionManager', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens xl console on a pty with the asked size and refuses a domain that is not running', async () => {
    const r = rig();
    const res = await r.m.open('c1', { name: 'web01', type: 'serial' }, size);
    expect(res.highWatermark).toBe(1000);
    expect(res.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(r.ptys[0]?.args).toEqual(['console', '-t', 'serial', 'web01']);
    r.domid.value = null;
    await expect(r.m.open('c1', { name: 'off01' }, size)).rejects.toThrow(/not running/);
    expect(r.ptys).toHaveLength(1);
  });

  it('sends output after a quiet spell at once and coalesces what follows while it is unacknowledged', async () => {
    const r = rig();
    const { id } = await r.m.open('c1', { name: 'web01' }, size);
    const p = r.ptys[0]!;
    // Nothing out, nothing waiting: a key's echo goes without waiting for the batch timer.
    p.emit('a');
    expect(r.data).toEqual([{ client: 'c1', id, data: 'a' }]);
    // 'a' is not acknowledged yet: what follows within the batch window goes as one event.
    p.emit('b');
    p.emit('c');
    expect(r.data).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5);
    expect(r.data.map((d) => d.data)).toEqual(['a', 'bc']);
    // All acknowledged: quiet again, so the next output goes at once.
    r.m.ack('c1', id, 3);
    p.emit('d');
    expect(r.data.map((d) => d.data)).toEqual(['a', 'bc', 'd']);
  });

  it('sends a keystroke at once while output is queued, and resumes a paused pty so the guest can answer it', async () => {
    const r = rig({ highWatermark: 1000, lowWatermark: 200, inputAllowance: 300 });
    const { id } = await r.m.open('c1', { name: 'web01' }, size);
    const p = r.ptys[0]!;
    p.emit('x'.repeat(600));
    p.emit('y'.repeat(500));
    expect(p.paused).toBe(true);
    // Output is waiting for the batch timer and the window is full; the key still reaches the guest now.
    r.m.write('c1', id, 'q');
    expect(p.written).toEqual(['q']);
    expect([p.paused, p.resumes]).toEqual([false, 1]);
    // The guest answers behind what it was writing: up to the allowance more flows before the window closes again.
    p.emit('z'.repeat(100));
    expect(p.paused).toBe(false);
    p.emit('z'.repeat(300));
    expect([p.paused, p.pauses]).toEqual([true, 2]);
    await vi.advanceTimersByTimeAsync(5);
    expect(r.received('c1', id)).toBe(`${'x'.repeat(600)}${'y'.repeat(500)}${'z'.repeat(400)}`);
    // Acks resume it as before, once the backlog is down to the low watermark.
    r.m.ack('c1', id, 1300);
    expect(p.paused).toBe(false);
    // A key while not paused changes nothing but the allowance.
    r.m.write('c1', id, 'w');
    expect(p.resumes).toBe(2);
  });

  it('routes output only to the client that opened the session and refuses others', async () => {
    const r = rig();
    const a = await r.m.open('c1', { name: 'web01' }, size);
    const b = await r.m.open('c2', { name: 'web01' }, size);
    r.ptys[0]!.emit('for one');
    r.ptys[1]!.emit('for two');
    await vi.advanceTimersByTimeAsync(5);
    expect(r.data).toEqual([
      { client: 'c1', id: a.id, data: 'for one' },
      { client: 'c2', id: b.id, data: 'for two' },
    ]);
    expect(() => r.m.write('c2', a.id, 'x')).toThrow(/No such console/);
    expect(() => r.m.close('c2', a.id)).toThrow(/No such console/);
    expect(() => r.m.ack('c2', a.id, 5)).toThrow(/No such console/);
    expect(r.ptys[0]!.written).toEqual([]);
    r.m.write('c1', a.id, 'ls\r');
    r.m.resize('c1', a.id, 120, 40);
    expect(r.ptys[0]!.written).toEqual(['ls\r']);
    expect(r.ptys[0]!.sizes).toEqual([[120, 40]]);
  });

  it('pauses the pty above the high watermark and resumes only below the low one, losing nothing', async () => {
    const r = rig();
    const { id } = await r.m.open('c1', { name: 'web01' }, size);
    const p = r.ptys[0]!;
    let sent = '';
    for (let i = 0; i < 12; i++) {
      const chunk = String.fromCharCode(65 + i).repeat(100);
      sent += chunk;
      p.emit(chunk);
    }
    expect(p.paused).toBe(true);
    expect(p.pauses).toBe(1);
    // Bytes the pty had already read still arrive after pause(): they are forwarded, not dropped.
    await vi.advanceTimersByTimeAsync(5);
    expect(r.m.flowState(id)).toEqual({ unacked: 1200, paused: true });
    r.m.ack('c1', id, 900);
    expect(p.paused).toBe(true);
    r.m.ack('c1', id, 100);
    expect(r.m.flowState(id)).toEqual({ unacked: 200, paused: false });
    expect(p.resumes).toBe(1);
    p.emit('tail');
    await vi.advanceTimersByTimeAsync(5);
    expect(r.received('c1', id)).toBe(`${sent}tail`);
    r.m.ack('c1', id, 10_000);
    expect(r.m.flowState(id)).toEqual({ unacked: 0, paused: false });
  });

  it('delivers a large flood complete and in order when the client acks as it goes', async () => {
    const r = rig({ highWatermark: 4096, lowWatermark: 1024, maxBatch: 2048 });
    const { id } = await r.m.open('c1', { name: 'web01' }, size);
    const p = r.ptys[0]!;
    let expected = '';
    let acked = 0;
    for (let i = 0; i < 2000; i++) {
      // A producer that honours pause(): it only writes while resumed.
      while (p.paused) {
        const got = r.received('c1', id).length;
        r.m.ack('c1', id, got - acked);
        acked = got;
        await vi.advanceTimersByTimeAsync(5);
      }
      const chunk = `line ${i} ${'x'.repeat(i % 37)}\r\n`;
      expected += chunk;
      p.emit(chunk);
    }
    await vi.advanceTimersByTimeAsync(5);
    expect(r.received('c1', id)).toBe(expected);
    expect(p.pauses).toBeGreaterThan(5);
    expect(p.pauses - p.resumes).toBeLessThanOrEqual(1);
  });

  describe('adaptive window', () => {
    /**
     * Drives a flood through a session whose client processes output `lagMs` after it was sent: every 3 ms the producer
     * writes up to 256 KiB in 4 KiB chunks, stopping when the pty is paused, and each batch is acked once the (manual)
     * clock passes its time + lag.
     */
    async function flood(lagMs: number, opts: ConstructorParameters<typeof ConsoleSessionManager>[1], rounds = 400) {
      const clock = { t: 0 };
      const r = rig({ highWatermark: 1024 * 1024, lowWatermark: 512 * 1024, minWindow: 8192, initialWindow: 16384, targetDelayMs: 30, maxBatch: 16384, now: () => clock.t, ...opts });
      const { id } = await r.m.open('c1', { name: 'web01' }, size);
      const p = r.ptys[0]!;
      const inflight: { n: number; at: number }[] = [];
      let seen = 0;
      const windows: number[] = [];
      let expected = '';
      for (let i = 0; i < rounds; i++) {
        for (let k = 0; k < 64 && !p.paused; k++) {
          const chunk = String.fromCharCode(97 + ((i + k) % 26)).repeat(4096);
          expected += chunk;
          p.emit(chunk);
        }
        await vi.advanceTimersByTimeAsync(3);
        clock.t += 3;
        for (const d of r.data.slice(seen)) inflight.push({ n: d.data.length, at: clock.t });
        seen = r.data.length;
        while (inflight.length > 0 && clock.t - inflight[0]!.at >= lagMs) r.m.ack('c1', id, inflight.shift()!.n);
        windows.push(r.m.windowOf(id)!);
      }
      while (p.paused || inflight.length > 0) {
        await vi.advanceTimersByTimeAsync(3);
        clock.t += 3;
        for (const d of r.data.slice(seen)) inflight.push({ n: d.data.length, at: clock.t });
        seen = r.data.length;
        while (inflight.length > 0) r.m.ack('c1', id, inflight.shift()!.n);
      }
      return { windows, received: r.received('c1', id), expected, pty: p };
    }

    it('grows the window while the client keeps up, never past the high watermark', async () => {
      const got = await flood(6, {});
      expect(got.windows[0]).toBe(16384);
      // Doubling up to 16 times the start: 256 KiB within a few round trips (here 3 ms each), not dozens.
      expect(got.windows.findIndex((w) => w >= 256 * 1024)).toBeLessThanOrEqual(8);
      expect(Math.max(...got.windows)).toBeGreaterThan(512 * 1024);
      expect(Math.max(...got.windows)).toBeLessThanOrEqual(1024 * 1024);
      expect(got.received).toBe(got.expected);
    });

    it('shrinks the window while output waits in the client longer than the target, but not below the minimum', async () => {
      const got = await flood(120, { initialWindow: 256 * 1024 });
      expect(got.windows[0]).toBe(256 * 1024);
      expect(got.windows.at(-1)).toBeLessThanOrEqual(2 * 8192);
      expect(Math.min(...got.windows)).toBeGreaterThanOrEqual(8192);
      expect(got.received).toBe(got.expected);
      expect(got.pty.pauses).toBeGreaterThanOrEqual(10);
    });

    it('keeps the window at the high watermark when the target delay is 0', async () => {
      const got = await flood(120, { targetDelayMs: 0, highWatermark: 65536, lowWatermark: 32768 });
      expect(new Set(got.windows)).toEqual(new Set([65536]));
      expect(got.received).toBe(got.expected);
    });

    it('ignores acknowledgements for more than was sent', async () => {
      const r = rig({ highWatermark: 65536, lowWatermark: 1024, initialWindow: 16384, minWindow: 4096 });
      const { id } = await r.m.open('c1', { name: 'web01' }, size);
      r.ptys[0]!.emit('x'.repeat(20000));
      await vi.advanceTimersByTimeAsync(5);
      r.m.ack('c1', id, 10_000_000);
      expect(r.m.flowState(id)).toEqual({ unacked: 0, paused: false });
      // The window still bounds what may be unacknowledged: the bogus ack bought no credit.
      r.ptys[0]!.emit('y'.repeat(70000));
      expect(r.ptys[0]!.paused).toBe(true);
      expect(r.m.windowOf(id)).toBeLessThanOrEqual(65536);
    });
  });

  it('after the console exits it says disconnected, polls, and reconnects to the new domid with its size', async () => {
    const r = rig();
    const { id } = await r.m.open('c1', { name: 'web01', index: 0 }, size);
    r.m.resize('c1', id, 100, 30);
    r.ptys[0]!.emit('before reboot');
    r.domid.value = null;
    r.ptys[0]!.exit(0);
    expect(r.status.map((s) => s.ev.state)).toEqual(['disconnected', 'reconnecting']);
    expect(r.data.map((d) => d.data)).toEqual(['before reboot']);
    await vi.advanceTimersByTimeAsync(200);
    expect(r.ptys).toHaveLength(1);
    r.domid.value = 9;
    await vi.advanceTimersByTimeAsync(60);
    expect(r.ptys).toHaveLength(2);
    expect(r.ptys[1]!.args).toEqual(['console', '-n', '0', 'web01']);
    r.ptys[1]!.emit('boot log');
    await vi.advanceTimersByTimeAsync(110);
    expect(r.status.map((s) => s.ev.state)).toEqual(['disconnected', 'reconnecting', 'connected']);
    expect(r.status[2]?.ev.message).toContain('domain 9');
    await vi.advanceTimersByTimeAsync(5);
    expect(r.received('c1', id)).toBe('before rebootboot log');
    r.m.write('c1', id, 'x');
    expect(r.ptys[1]!.written).toEqual(['x']);
  });

  it('retries quietly when xl exits at once while the domain is being rebuilt, dropping its error text', async () => {
    const r = rig();
    const { id } = await r.m.open('c1', { name: 'web01' }, size);
    r.ptys[0]!.exit(1);
    await vi.advanceTimersByTimeAsync(55);
    expect(r.ptys).toHaveLength(2);
    r.ptys[1]!.emit('Unable to attach console\r\n');
    r.ptys[1]!.exit(1);
    await vi.advanceTimersByTimeAsync(55);
    expect(r.ptys).toHaveLength(3);
    r.ptys[2]!.emit('login: ');
    await vi.advanceTimersByTimeAsync(120);
    expect(r.status.map((s) => s.ev.state)).toEqual(['disconnected', 'reconnecting', 'connected']);
    expect(r.received('c1', id)).toBe('login: ');
  });

  it('polls quickly at first and more slowly while the domain stays off', async () => {
    const r = rig();
    let polls = 0;
    const { id } = await r.m.open('c1', { name: 'web01' }, size);
    r.domid.value = null;
    const m = r.m as unknown as { deps: { findDomid: (n: string) => Promise<number | null> } };
    const inner = m.deps.findDomid;
    m.deps.findDomid = (n) => {
      polls++;
      return inner(n);
    };
    r.ptys[0]!.exit(0);
    await vi.advanceTimersByTimeAsync(10 * 50 + 5);
    expect(polls).toBe(10);
    // The next ten come every 100 ms, then every 150, 200 and finally 250 ms.
    await vi.advanceTimersByTimeAsync(1000);
    expect(polls).toBe(20);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(polls).toBeGreaterThan(20 + 60_000 / 250 - 20);
    expect(polls).toBeLessThan(20 + 60_000 / 250 + 20);
    r.domid.value = 4;
    await vi.advanceTimersByTimeAsync(400);
    expect(r.ptys).toHaveLength(2);
    r.m.close('c1', id);
  });

  it('ends the session after Ctrl-] instead of reconnecting', async () => {
    const r = rig();
    const { id } = await r.m.open('c1', { name: 'web01' }, size);
    r.m.write('c1', id, '\x1d');
    r.ptys[0]!.exit(0);
    expect(r.status.map((s) => [s.ev.state, s.ev.message])).toEqual([['closed', 'Detached with Ctrl-]']]);
    await vi.advanceTimersByTimeAsync(500);
    expect(r.ptys).toHaveLength(1);
    expect(r.m.sessionsOf('c1')).toEqual([]);
  });

  it('close kills the pty, stops reconnecting and forgets the id', async () => {
    const r = rig();
    const { id } = await r.m.open('c1', { name: 'web01' }, size);
    r.ptys[0]!.exit(0);
    r.m.close('c1', id);
    await vi.advanceTimersByTimeAsync(500);
    expect(r.ptys).toHaveLength(1);
    expect(() => r.m.write('c1', id, 'x')).toThrow(/No such console/);
    const b = await r.m.open('c1', { name: 'web01' }, size);
    r.m.close('c1', b.id);
    expect(r.ptys[1]!.killed).toBe(true);
  });

  it('closes every session of a client that leaves and only those', async () => {
    const r = rig();
    await r.m.open('c1', { name: 'a' }, size);
    await r.m.open('c1', { name: 'b' }, size);
    const other = await r.m.open('c2', { name: 'a' }, size);
    r.m.closeClient('c1');
    expect(r.ptys.map((p) => p.killed)).toEqual([true, true, false]);
    expect(r.m.sessionsOf('c1')).toEqual([]);
    expect(r.m.sessionsOf('c2')).toEqual([other.id]);
    r.ptys[0]!.emit('late');
    await vi.advanceTimersByTimeAsync(5);
    expect(r.data).toEqual([]);
  });

  it('flushes pending output before a session closes on exit and refuses too many sessions', async () => {
    const r = rig({ maxSessionsPerClient: 2 });
    const { id } = await r.m.open('c1', { name: 'a' }, size);
    await r.m.open('c1', { name: 'b' }, size);
    await expect(r.m.open('c1', { name: 'c' }, size)).rejects.toMatchObject({ code: 'LIMIT', message: expect.stringMatching(/already has 2 consoles open/) as string });
    r.ptys[0]!.emit('last words');
    r.ptys[0]!.exit(0);
    expect(r.received('c1', id)).toBe('last words');
  });
});

describe('ConsoleSessionManager and clients that leave mid-open', () => {
  it('undoes an open whose client left while the domain list was being read', async () => {
    let release: (v: number) => void = () => undefined;
    const ptys: PtyHandle[] = [];
    const m = new ConsoleSessionManager({
      spawn: () => {
        const p = new FakePty([]);
        ptys.push(p);
        return p;
      },
      findDomid: () => new Promise<number>((r) => (release = r)),
      emitData: () => undefined,
      emitStatus: () => undefined,
    });
    const opening = m.open('gone', { name: 'web01' }, size);
    m.closeClient('gone');
    release(3);
    await expect(opening).rejects.toThrow(/has gone/);
    expect(ptys).toHaveLength(0);
    expect(m.sessionsOf('gone')).toEqual([]);
  });
});
