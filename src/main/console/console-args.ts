import { buildCommand, type CommandArgs } from '../../xen/index';

/** Which console of a domain: `-t pv|serial` and `-n N` of `xl console`. */
export interface ConsoleTarget {
  name: string;
  type?: 'pv' | 'serial';
  index?: number;
}

/** The command table's `console.open` arguments for one console. */
export type ConsoleCall = CommandArgs<'console.open'>;

/**
 * The `console.open` arguments for `t`, checked by the command table's schema now (INVALID_ARG naming the field), so a
 * bad target is refused before a session is made; the table builds the argv, the name last.
 */
export function consoleCall(t: ConsoleTarget): ConsoleCall {
  const call: ConsoleCall = { dom: t.name, ...(t.type !== undefined ? { type: t.type } : {}), ...(t.index !== undefined ? { index: t.index } : {}) };
  buildCommand('console.open', call);
  return call;
}
