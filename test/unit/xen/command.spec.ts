import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_TIMEOUTS, commandClass, exec, timeoutFor, type Command } from '../../../src/xen/command';
import { XenError } from '../../../src/xen/errors';
import type { Runner } from '../../../src/xen/runner/types';

/** A runner whose run() records its call and answers with `stdout`. */
function fakeRunner(stdout: string): { runner: Runner; run: ReturnType<typeof vi.fn> } {
  const run = vi.fn(async () => ({ stdout, stderr: '', exitCode: 0 }));
  const runner = { kind: 'demo', label: 'fake', run } as unknown as Runner;
  return { runner, run };
}

const countLines: Command<number> = { program: 'xl', args: ['list'], parse: (s) => s.trim().split('\n').length };

describe('exec', () => {
  it('runs the exact argv with the class timeout and returns the parsed value', async () => {
    const { runner, run } = fakeRunner('Name ID\nDomain-0 0\n');
    expect(await exec(runner, countLines)).toBe(2);
    expect(run).toHaveBeenCalledWith('xl', ['list'], { timeoutMs: 30_000, signal: undefined });
  });

  it('lets a per-call timeout beat the command\'s, and the command\'s beat the table', async () => {
    const { runner, run } = fakeRunner('x');
    await exec(runner, { ...countLines, timeoutMs: 5 });
    expect(run.mock.calls[0]?.[2]).toMatchObject({ timeoutMs: 5 });
    await exec(runner, { ...countLines, timeoutMs: 5 }, { timeoutMs: 7 });
    expect(run.mock.calls[1]?.[2]).toMatchObject({ timeoutMs: 7 });
    await exec(runner, { program: 'xl', args: ['create', '/etc/xen/a.cfg'], parse: () => 0 }, { timeouts: { create: 1234 } });
    expect(run.mock.calls[2]?.[2]).toMatchObject({ timeoutMs: 1234 });
  });

  it('reports a parser\'s plain Error as PARSE, and passes a XenError through untouched', async () => {
    const { runner } = fakeRunner('garbage');
    const bad: Command<never> = { program: 'xl', args: ['info'], parse: () => { throw new Error('no colon'); } };
    await expect(exec(runner, bad)).rejects.toMatchObject({ code: 'PARSE', detail: { argv: ['xl', 'info'] } });
    const own = new XenError('PARSE', 'line 3: bad', { line: 3 });
    await expect(exec(runner, { ...bad, parse: () => { throw own; } })).rejects.toBe(own);
  });

  it('propagates the runner\'s failure', async () => {
    const run = vi.fn(async () => { throw new XenError('TIMEOUT', 't'); });
    await expect(exec({ run } as unknown as Runner, countLines)).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});

describe('command classes', () => {
  it('classes xl subcommands, skipping leading options', () => {
    expect(commandClass('xl', ['list', '-l'])).toBe('query');
    expect(commandClass('xl', ['-v', 'info'])).toBe('query');
    expect(commandClass('xl', ['create', '-p', 'a.cfg'])).toBe('create');
    expect(commandClass('xl', ['save', 'd', '/x'])).toBe('saveRestore');
    expect(commandClass('xl', ['restore', '/x'])).toBe('saveRestore');
    expect(commandClass('xl', ['shutdown', '-w', 'd'])).toBe('change');
    expect(commandClass('xentop', ['-b', '-i', '1'])).toBe('query');
    expect(commandClass('qemu-img', ['create'])).toBe('change');
  });

  it('uses the documented defaults', () => {
    expect(timeoutFor({ program: 'xl', args: ['create', 'a'] })).toBe(DEFAULT_TIMEOUTS.create);
    expect(DEFAULT_TIMEOUTS).toEqual({ query: 30_000, change: 60_000, create: 180_000, saveRestore: 600_000 });
  });
});
