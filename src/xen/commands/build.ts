import { XenError } from '../errors';
import type { XenProgram } from '../runner/types';
import type { TimeoutTable } from '../command';
import { COMMANDS, type CommandName } from './table';

/** A command from the table with its arguments checked and turned into an argv. */
export interface BuiltCommand {
  readonly op: CommandName;
  readonly program: XenProgram;
  readonly argv: readonly string[];
  readonly mode: 'run' | 'stream' | 'pty';
  readonly cls: keyof TimeoutTable;
}

/** True when `op` names a command in the table (own keys only: never `toString` or `__proto__`). */
export function isCommandName(op: unknown): op is CommandName {
  return typeof op === 'string' && Object.hasOwn(COMMANDS, op);
}

/**
 * Checks `args` with the command's schema and builds its argv. Every runner calls this, and the broker calls it again
 * on what its client sent: a refusal is INVALID_ARG naming the field.
 */
export function buildCommand(op: unknown, args: unknown): BuiltCommand {
  if (!isCommandName(op)) throw new XenError('INVALID_ARG', `${JSON.stringify(op)?.slice(0, 80) ?? String(op)} is not an operation Xenith runs`, { field: 'op' });
  const def = COMMANDS[op];
  const parsed = def.args.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue !== undefined && issue.path.length > 0 ? issue.path.map(String).join('.') : 'args';
    throw new XenError('INVALID_ARG', `${op}: ${field}: ${issue?.message ?? 'invalid'}`, { field, op });
  }
  // The schema's output is the argv builder's input; TypeScript cannot relate the two through the table's union.
  const argv = (def.argv as (a: unknown) => string[])(parsed.data);
  return { op, program: def.program, argv, mode: def.mode, cls: def.cls };
}
