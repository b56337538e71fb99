import { PassThrough } from 'node:stream';
import { buildCommand } from '../../../../src/xen/commands/build';
import type { CommandName } from '../../../../src/xen/commands/table';
import { vi } from 'vitest';
import type { Runner, RunResult, StreamHandle, XenProgram } from '../../../../src/xen/runner/types';

/** What a test sets per domain row; everything else gets a plausible value. */
export interface RowSpec {
  name: string;
  state?: string;
  cpuS?: number;
  cpuPct?: number;
  memKiB?: number;
  maxMem?: number | 'no limit';
  vcpus?: number;
  netTxKiB?: number;
  netRxKiB?: number;
  rsect?: number | '-';
  wsect?: number | '-';
}

export const HEADER =
  '      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID';

const pad = (v: string | number, w: number): string => String(v).padStart(w);

/** One row laid out like xentop.c's printf widths, host of 3 GiB. */
export function row(s: RowSpec): string {
  const total = 3145728;
  const mem = s.memKiB ?? 131072;
  const maxMem = s.maxMem ?? mem + 1024;
  return [
    pad(s.name, 10),
    s.state ?? '--b---',
    pad(s.cpuS ?? 10, 10),
    pad((s.cpuPct ?? 0).toFixed(1), 6),
    pad(mem, 10),
    pad(((mem / total) * 100).toFixed(1), 6),
    pad(maxMem, 10),
    pad(maxMem === 'no limit' ? 'n/a' : ((maxMem / total) * 100).toFixed(1), 9),
    pad(s.vcpus ?? 2, 5),
    pad(1, 4),
    pad(s.netTxKiB ?? 0, 8),
    pad(s.netRxKiB ?? 0, 8),
    pad(1, 4),
    pad(0, 8),
    pad(3, 8),
    pad(0, 8),
    pad(s.rsect ?? 0, 10),
    pad(s.wsect ?? 0, 10),
    pad(0, 4),
  ].join(' ');
}

/** A whole frame: header plus rows, newline-terminated as xentop prints it. */
export function frame(rows: RowSpec[]): string {
  return `${[HEADER, ...rows.map(row)].join('\n')}\n`;
}

/** One fake xentop process the test drives. */
export interface FakeStream {
  stdout: PassThrough;
  kill: ReturnType<typeof vi.fn>;
  exit(code: number | null): void;
  fail(e: unknown): void;
}

/** A Runner whose stream() hands out FakeStreams and whose run() answers xl info / xl list from given text. */
export function fakeRunner(answers: Partial<Record<string, string | Error>> = {}) {
  const streams: FakeStream[] = [];
  const streamCalls: [XenProgram, readonly string[]][] = [];
  const runCalls: string[] = [];
  const run = vi.fn(async (op: CommandName, callArgs: unknown): Promise<RunResult> => {
    const { program, argv: args } = buildCommand(op, callArgs);
    const cmd = [program, ...args].join(' ');
    runCalls.push(cmd);
    const a = answers[cmd];
    if (a === undefined) throw new Error(`unexpected command ${cmd}`);
    if (a instanceof Error) throw a;
    return { stdout: a, stderr: '', exitCode: 0 };
  });
  const runner: Runner = {
    kind: 'local',
    label: 'fake',
    run: run as Runner['run'],
    stream(op, a): StreamHandle {
      const { program, argv: args } = buildCommand(op, a);
      streamCalls.push([program, args]);
      let resolve!: (c: number | null) => void;
      let reject!: (e: unknown) => void;
      const exited = new Promise<number | null>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      const stdout = new PassThrough();
      const kill = vi.fn(() => resolve(null));
      streams.push({ stdout, kill, exit: (c) => resolve(c), fail: (e) => reject(e) });
      return { stdout, exited, kill };
    },
    pty() {
      throw new Error('no pty in this fake');
    },
    fs: {} as Runner['fs'],
    close: async () => undefined,
  };
  return { runner, streams, streamCalls, runCalls };
}

/** Lets stream 'data' events and settled promises run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
