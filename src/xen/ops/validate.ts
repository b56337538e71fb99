import { absPathProblem, domainNameProblem, macProblem, passes, vdevProblem } from '../../shared/rules';
import { XenError } from '../errors';

/** A domain as the caller names it: its Xen name or its numeric domid. */
export type DomainRef = string | number;

// The rules themselves live once, in src/shared/rules.ts; these checks turn a refusal into INVALID_ARG naming the field.
// DOMID_FIRST_RESERVED is 0x7FF0; anything at or above it is not a real domain.
const MAX_DOMID = 0x7fef;

function invalid(field: string, message: string, value: unknown): XenError {
  return new XenError('INVALID_ARG', `${field}: ${message}`, { field, value: String(value).slice(0, 200) });
}

/** True for a name this app will hand to xl: letters, digits, `_ . -`, not starting with `-` or `.`, ≤ 64 chars. */
export function isValidDomainName(name: string): boolean {
  return domainNameProblem(name) === null;
}

/** Checks a domain name (never a bare number, which xl would read as a domid). */
export function checkDomainName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string') throw invalid(field, 'must be text', value);
  const p = domainNameProblem(value);
  if (p !== null) throw invalid(field, p, value);
  return value;
}

/** Checks a domain reference (name or domid) and returns it as the string xl gets. */
export function checkDomainRef(value: unknown, field = 'domain'): string {
  if (typeof value === 'number') return String(checkDomid(value, field));
  if (typeof value === 'string' && /^\d{1,5}$/.test(value)) return String(checkDomid(Number(value), field));
  if (passes(domainNameProblem, value)) return value;
  throw invalid(field, 'must be a domain name or a numeric domid', value);
}

/** Checks a numeric domid. */
export function checkDomid(value: unknown, field = 'domid'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_DOMID) {
    throw invalid(field, `must be an integer domid between 0 and ${MAX_DOMID}`, value);
  }
  return value;
}

/** Checks an integer within [min, max]. */
export function checkInt(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer between ${min} and ${max}`, value);
  }
  return value;
}

/** Checks an absolute, normalised host path (no `..`, no `.`, no `//`, no control characters). */
export function checkAbsPath(value: unknown, field = 'path'): string {
  if (typeof value !== 'string') throw invalid(field, 'must be an absolute path', value);
  const p = absPathProblem(value);
  if (p !== null || value === '/') throw invalid(field, p ?? 'must name a file, not "/"', value);
  return value;
}

/** Checks a virtual device name (xvda, hdc, sdb1) or its numeric id (51712). */
export function checkVdev(value: unknown, field = 'vdev'): string {
  if (typeof value === 'number') return String(checkInt(value, field, 0, 2 ** 28));
  if (passes(vdevProblem, value) || (typeof value === 'string' && /^\d{1,9}$/.test(value))) return value;
  throw invalid(field, 'must be a virtual device like xvdb or hdc, or its numeric id', value);
}

/** Checks a MAC address written as six colon-separated hex pairs. */
export function checkMac(value: unknown, field = 'mac'): string {
  if (!passes(macProblem, value)) {
    throw invalid(field, 'must be a MAC address like 00:16:3e:12:34:56', value);
  }
  return value.toLowerCase();
}

/** Checks an xl CPU list: `all`, `-` (leave alone), or numbers/ranges optionally negated with `^`, comma separated. */
export function checkCpuList(value: unknown, field: string): string {
  if (typeof value === 'string' && (value === 'all' || value === '-' || /^\^?\d{1,4}(-\d{1,4})?(,\^?\d{1,4}(-\d{1,4})?)*$/.test(value))) {
    return value;
  }
  throw invalid(field, 'must be "all", "-" or CPU numbers and ranges like 0-3,^2', value);
}

/** Builds the INVALID_ARG error this layer uses, for checks that live elsewhere. */
export function invalidArg(field: string, message: string, value?: unknown): XenError {
  return invalid(field, message, value);
}

/**
 * Refuses dom0 for operations that would stop, freeze or move the host itself (`xl shutdown 0` asks dom0's own
 * kernel to power off the machine). `ref` is a checked reference from checkDomainRef.
 */
export function checkNotDom0(ref: string, what: string, field = 'domain'): string {
  if (ref === '0' || ref === 'Domain-0') {
    throw invalid(field, `${what} does not apply to Domain-0: it is the host itself`, ref);
  }
  return ref;
}
