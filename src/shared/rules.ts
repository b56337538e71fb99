import { z } from 'zod';
import { isValidVdev } from './disk-spec';
import { absPathProblem, describeControlChar, findControlChar } from './validate-helpers';
import { isValidMac } from './vif-spec';

/**
 * The one home of each rule for a value that reaches a command line or a config file: names, paths, devices, MACs,
 * bridges, plain file names. Each answers why a value is refused (a predicate: "may not start with ...") or null.
 * The IPC schemas, the wizard plan, the config model, src/xen's checks, the broker and the renderer's forms all call
 * these; nothing else spells the rule.
 */

export { absPathProblem };

/** A domain name Xen and Xenith accept: 1-64 letters, digits, `_ . -`, not starting with `-` or `.`, not all digits. */
export function domainNameProblem(n: string): string | null {
  if (n === '') return 'is empty';
  if (n.length > 64) return 'is longer than 64 characters';
  const ctl = findControlChar(n);
  if (ctl !== undefined) return `may not contain ${describeControlChar(ctl)}`;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(n)) return 'may only use letters, digits, "_", "." and "-", and may not start with "-" or "."';
  // An all-digit name would be read by xl as a domid.
  if (/^\d+$/.test(n)) return 'may not be all digits (xl would read it as a domain ID)';
  return null;
}

/** A virtual device name such as xvda, hdc or sdb (xen-vbd-interface(7)). */
export function vdevProblem(v: string): string | null {
  return isValidVdev(v) ? null : 'must be a device name like xvda, hdc or sdb';
}

/** A MAC address written as six colon-separated hex pairs. */
export function macProblem(m: string): string | null {
  return isValidMac(m) ? null : 'must be six hex pairs like 00:16:3e:12:34:56';
}

/** A Linux bridge (interface) name: 1-15 letters, digits, `_ . -`, not starting with `-` or `.`. */
export function bridgeProblem(b: string): string | null {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/.test(b) ? null : 'must be 1-15 letters, digits, "_", "." or "-", not starting with "-" or "."';
}

/** A plain file name (a hotplug script in /etc/xen/scripts, a program name): no slash, not starting with `-` or `.`. */
export function plainNameProblem(s: string): string | null {
  return /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,63}$/.test(s) ? null : 'must be a plain name (letters, digits, "_", ".", "+" or "-"; no "/", not starting with "-" or ".")';
}

/** True when `rule` accepts `v` (a string it finds no problem with). */
export function passes(rule: (v: string) => string | null, v: unknown): v is string {
  return typeof v === 'string' && rule(v) === null;
}

/** A zod string schema for one rule, its message prefixed with what the value is (for IPC errors). */
export function ruleSchema(rule: (v: string) => string | null, what: string): z.ZodType<string> {
  return z.string({ error: `${what} must be text` }).superRefine((v, ctx) => {
    const p = rule(v);
    if (p !== null) ctx.addIssue({ code: 'custom', message: `${what} ${p}` });
  });
}

/** The same, with the bare predicate as message (the config model and the wizard plan prefix the field in words). */
export function rulePredicate(rule: (v: string) => string | null): z.ZodType<string> {
  return z.string({ error: 'must be text' }).superRefine((v, ctx) => {
    const p = rule(v);
    if (p !== null) ctx.addIssue({ code: 'custom', message: p });
  });
}
