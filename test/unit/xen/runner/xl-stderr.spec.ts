import { describe, expect, it } from 'vitest';
import { commandFailure, looksLikePermissionError, xlErrorMessage } from '../../../../src/xen/runner/xl-stderr';

// What xl prints as a normal user (Permission denied) and as root when Xen is not running (No such file or directory).
const nonRoot =
  'xencall: error: Could not obtain handle on privileged command interface: Permission denied\n' +
  'libxl: error: libxl.c:102:libxl_ctx_alloc: cannot open libxc handle: Permission denied\n' +
  'cannot init xl context\n';
const noXen = nonRoot.replace(/Permission denied/g, 'No such file or directory');

describe('xl stderr', () => {
  it('picks the libxl error line without its source location', () => {
    expect(xlErrorMessage(nonRoot)).toBe('cannot open libxc handle: Permission denied');
    expect(xlErrorMessage('libxl: error: libxl_mem.c:278:libxl_set_memory_target: Domain 1:memory_dynamic_max must be less than or equal to memory_static_max\n\ncannot set domid 1 dynamic max memory to : 512m\n'))
      .toBe('Domain 1:memory_dynamic_max must be less than or equal to memory_static_max');
  });

  it('skips progress chatter and falls back to the first line, or nothing', () => {
    expect(xlErrorMessage('Parsing config from /etc/xen/a.cfg\nsomething broke\n')).toBe('something broke');
    expect(xlErrorMessage('Parsing config from /etc/xen/a.cfg\n')).toBe('Parsing config from /etc/xen/a.cfg');
    expect(xlErrorMessage('\n \n')).toBe('');
  });

  it('tells a permission problem from Xen not running', () => {
    expect(looksLikePermissionError(nonRoot)).toBe(true);
    expect(looksLikePermissionError(noXen)).toBe(false);
    expect(commandFailure(['xl', 'info'], 1, nonRoot)).toMatchObject({ code: 'PERMISSION', message: 'cannot open libxc handle: Permission denied' });
    expect(commandFailure(['xl', 'info'], 1, noXen)).toMatchObject({
      code: 'XL_FAILED',
      message: 'cannot open libxc handle: No such file or directory',
      detail: { argv: ['xl', 'info'], exitCode: 1, stderr: noXen },
    });
  });

  it('names the command and exit code when stderr is empty', () => {
    expect(commandFailure(['xl', 'pause', 'a'], 2, '').message).toBe('xl pause a failed with exit code 2');
  });
});
