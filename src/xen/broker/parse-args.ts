import type { z } from 'zod';
import { XenError } from '../errors';

/** Parses an operation's `v` with `schema`; a refusal is INVALID_ARG naming the field (`what` names the operation). */
export function parseArgs<S extends z.ZodType>(schema: S, v: unknown, what: string): z.output<S> {
  const r = schema.safeParse(v);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue !== undefined && issue.path.length > 0 ? issue.path.map(String).join('.') : 'args';
  throw new XenError('INVALID_ARG', `${what}: ${field}: ${issue?.message ?? 'invalid'}`, { field });
}
