import { XenError } from '../../xen/errors';
import { domainNameSchema } from '../../shared/schemas';

/** Which console of a domain: `-t pv|serial` and `-n N` of `xl console`. */
export interface ConsoleTarget {
  name: string;
  type?: 'pv' | 'serial';
  index?: number;
}

/**
 * The argv after `xl` for one console: `console [-t pv|serial] [-n N] NAME`. Checks every part again (the contract
 * did too) because this is the last step before a command line; the name goes last so it can never be read as a flag.
 */
export function consoleArgs(t: ConsoleTarget): string[] {
  if (!domainNameSchema.safeParse(t.name).success) throw new XenError('INVALID_ARG', `Bad domain name ${JSON.stringify(t.name)}`, { field: 'name' });
  const args = ['console'];
  if (t.type !== undefined) {
    if (t.type !== 'pv' && t.type !== 'serial') throw new XenError('INVALID_ARG', `Bad console type ${JSON.stringify(t.type)}`, { field: 'type' });
    args.push('-t', t.type);
  }
  if (t.index !== undefined) {
    if (!Number.isInteger(t.index) || t.index < 0 || t.index > 15) throw new XenError('INVALID_ARG', `Bad console number ${String(t.index)}`, { field: 'index' });
    args.push('-n', String(t.index));
  }
  args.push(t.name);
  return args;
}
