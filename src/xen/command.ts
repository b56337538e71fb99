import { XenError, isXenError } from './errors';
import type { RunOptions, Runner, XenProgram } from './runner/types';

/** One toolstack command: what to run and how to read its stdout. Running and parsing stay separate. */
export interface Command<T> {
  program: XenProgram;
  args: readonly string[];
  parse(stdout: string): T;
  /** Overrides the class default from DEFAULT_TIMEOUTS. */
  timeoutMs?: number;
}

/** How long each kind of command may take before it is killed. */
export interface TimeoutTable {
  /** list, info, vcpu-list, xenstore reads, xentop -i 1 ... */
  query: number;
  /** pause, unpause, shutdown, reboot, destroy, mem-set, block-attach ... */
  change: number;
  /** xl create: hotplug scripts alone can take 10-15 s on a slow host. */
  create: number;
  /** xl save / restore move the whole guest memory through a file. */
  saveRestore: number;
}

/** Defaults; generous because a slow dom0 is not a failure, but nothing may hang forever. */
export const DEFAULT_TIMEOUTS: Readonly<TimeoutTable> = {
  query: 30_000,
  change: 60_000,
  create: 180_000,
  saveRestore: 600_000,
};

const QUERY_SUBCOMMANDS = new Set(['list', 'info', 'vcpu-list', 'uptime', 'dmesg', 'network-list', 'block-list', 'domid', 'domname']);

/** The class of a command, from its program and xl subcommand (the first argument that is not an option). */
export function commandClass(program: XenProgram, args: readonly string[]): keyof TimeoutTable {
  if (program !== 'xl') return program === 'qemu-img' ? 'change' : 'query';
  const sub = args.find((a) => !a.startsWith('-'));
  if (sub === 'create') return 'create';
  if (sub === 'save' || sub === 'restore') return 'saveRestore';
  if (sub === undefined || QUERY_SUBCOMMANDS.has(sub)) return 'query';
  // sched-credit2 with -s changes settings, without it only reads; either way it is quick.
  return sub === 'sched-credit2' ? 'query' : 'change';
}

/** Options for exec: a per-call timeout wins over the command's, which wins over the table. */
export interface ExecOptions extends RunOptions {
  timeouts?: Partial<TimeoutTable>;
}

/** The timeout exec will use for `cmd`. */
export function timeoutFor(cmd: Pick<Command<unknown>, 'program' | 'args' | 'timeoutMs'>, opts: ExecOptions = {}): number {
  return opts.timeoutMs ?? cmd.timeoutMs ?? { ...DEFAULT_TIMEOUTS, ...opts.timeouts }[commandClass(cmd.program, cmd.args)];
}

/** Runs `cmd` on `runner` and parses its stdout; a parser that throws something else is reported as PARSE. */
export async function exec<T>(runner: Runner, cmd: Command<T>, opts: ExecOptions = {}): Promise<T> {
  const { stdout } = await runner.run(cmd.program, cmd.args, { timeoutMs: timeoutFor(cmd, opts), signal: opts.signal });
  try {
    return cmd.parse(stdout);
  } catch (e) {
    if (isXenError(e)) throw e;
    throw new XenError('PARSE', `Could not read the output of ${cmd.program} ${cmd.args.join(' ')}: ${e instanceof Error ? e.message : String(e)}`, {
      argv: [cmd.program, ...cmd.args],
    });
  }
}
