import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlowWriter } from '../../../../src/renderer/lib/console-flow';
import { ConsoleChannel } from '../../../../src/renderer/lib/console-channel';
import type { ConsoleStatusEvent } from '../../../../src/shared/contract-types';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('FlowWriter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('acks only what the terminal has processed, and at once when it has caught up with everything written', async () => {
    const pending: (() => void)[] = [];
    const written: string[] = [];
    const acks: number[] = [];
    const w = new FlowWriter({
      write: (d, done) => {
        written.push(text(d));
        pending.push(done);
      },
      ack: (n) => acks.push(n),
    });
    w.push(utf8('abc'));
    w.push(utf8('defgh'));
    await vi.advanceTimersByTimeAsync(5);
    expect(written).toEqual(['abc', 'defgh']);
    expect(acks).toEqual([]);
    // Part of the backlog, and little: nothing yet, not even when the task ends.
    pending.shift()!();
    await vi.advanceTimersByTimeAsync(1);
    expect(acks).toEqual([]);
    // The terminal has caught up: the ack goes from inside the callback.
    pending.shift()!();
    expect(acks).toEqual([8]);
    expect([w.written, w.processed]).toEqual([8, 8]);
    w.push(utf8('xy'));
    pending.shift()!();
    expect(acks).toEqual([8, 2]);
  });
});

describe('FlowWriter pieces and early acks', () => {
  function rig(piece: number, ackStep: number) {
    const pending: (() => void)[] = [];
    const written: Uint8Array[] = [];
    const acks: number[] = [];
    const w = new FlowWriter(
      {
        write: (d, done) => {
          written.push(d);
          pending.push(done);
        },
        ack: (n) => acks.push(n),
      },
      { piece, ackStep },
    );
    return { w, pending, written, acks };
  }

  it('hands the terminal views of the chunk no larger than asked, in order, without copying', () => {
    const r = rig(4, 1000);
    const chunk = utf8('abcdefghij');
    r.w.push(chunk);
    expect(r.written.map(text)).toEqual(['abcd', 'efgh', 'ij']);
    expect(r.written.every((p) => p.buffer === chunk.buffer)).toBe(true);
    // '😀' is four bytes: a piece may end inside it (xterm's decoder keeps the partial sequence for the next write).
    r.w.push(utf8('abc😀def'));
    expect(r.written.slice(3).map((p) => p.length)).toEqual([4, 4, 2]);
    const all = new Uint8Array(r.written.reduce((n, p) => n + p.length, 0));
    r.written.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    expect(text(all)).toBe('abcdefghijabc😀def');
    expect(r.w.written).toBe(20);
  });

  it('while a backlog remains, acks each step at once and an eighth of a step or more when the task ends', async () => {
    const r = rig(10, 80);
    r.w.push(utf8('x'.repeat(200)));
    expect(r.written).toHaveLength(20);
    // Five pieces, 50: more than an eighth of the step, less than a step: one ack when the task ends.
    for (let i = 0; i < 5; i++) r.pending.shift()!();
    expect(r.acks).toEqual([]);
    await Promise.resolve();
    expect(r.acks).toEqual([50]);
    // Eight more: the step is reached in the middle of the task and the ack goes at once.
    for (let i = 0; i < 8; i++) r.pending.shift()!();
    expect(r.acks).toEqual([50, 80]);
    // Less than an eighth of a step left over: held until more comes.
    await Promise.resolve();
    expect(r.acks).toEqual([50, 80]);
    r.pending.shift()!();
    await Promise.resolve();
    expect(r.acks).toEqual([50, 80, 10]);
    // The last pieces: caught up, acked at once.
    while (r.pending.length > 0) r.pending.shift()!();
    expect(r.acks).toEqual([50, 80, 10, 60]);
    expect([r.w.written, r.w.processed]).toEqual([200, 200]);
  });
});

describe('ConsoleChannel', () => {
  function fakeApi() {
    const subs = new Map<string, Set<(p: unknown) => void>>();
    return {
      on: ((event: string, cb: (p: unknown) => void) => {
        let s = subs.get(event);
        if (!s) subs.set(event, (s = new Set()));
        s.add(cb);
        return () => s.delete(cb);
      }) as never,
      fire: (event: string, p: unknown) => subs.get(event)?.forEach((cb) => cb(p)),
    };
  }

  it('routes by id and replays what came before the session was claimed', () => {
    const api = fakeApi();
    const ch = new ConsoleChannel(api);
    ch.listen();
    api.fire('console:data', { id: 'aaaaaaaa', data: utf8('early ') });
    api.fire('console:status', { id: 'aaaaaaaa', state: 'connected', message: 'hi' });
    const got: string[] = [];
    const states: ConsoleStatusEvent[] = [];
    const off = ch.claim('aaaaaaaa', { data: (d) => got.push(text(d)), status: (s) => states.push(s) });
    api.fire('console:data', { id: 'aaaaaaaa', data: utf8('late') });
    api.fire('console:data', { id: 'bbbbbbbb', data: utf8('not mine') });
    expect(got).toEqual(['early ', 'late']);
    expect(states.map((s) => s.state)).toEqual(['connected']);
    off();
    api.fire('console:data', { id: 'aaaaaaaa', data: utf8('after release') });
    expect(got).toEqual(['early ', 'late']);
  });
});
