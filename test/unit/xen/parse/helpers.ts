import { isXenError } from '../../../../src/xen/errors';

/** Runs fn and returns the PARSE error's message and line; fails the test if fn does not throw one. */
export function parseError(fn: () => unknown): { message: string; line: unknown } {
  try {
    fn();
  } catch (e) {
    if (isXenError(e, 'PARSE')) return { message: e.message, line: e.detail.line };
    throw e;
  }
  throw new Error('expected a PARSE error');
}
