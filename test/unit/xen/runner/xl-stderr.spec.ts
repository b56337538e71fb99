import { describe, expect, it } from 'vitest';
import { commandFailure, looksLikePermissionError, xlCause, xlErrorMessage } from '../../../../src/xen/runner/xl-stderr';

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
      detail: { argv: ['xl', 'info'], exitCode: 1, stderr: noXen, cause: 'Xen is not running on this host: xl cannot reach the hypervisor' },
    });
  });

  it('names the cause of the failures people meet most, keeping xl\'s words as the message', () => {
    const save = 'Failed to open temp file /var/lib/xen/save/a.save for writing\n';
    expect(commandFailure(['xl', 'save', 'a', '/var/lib/xen/save/a.save'], 1, save)).toMatchObject({
      code: 'XL_FAILED',
      message: 'Failed to open temp file /var/lib/xen/save/a.save for writing',
      detail: { cause: '/var/lib/xen/save/a.save could not be created: its folder does not exist or cannot be written' },
    });
    expect(xlCause('Parsing config from /etc/xen/x.cfg\nFailed to read config file: /etc/xen/x.cfg: No such file or directory\n')).toBe('/etc/xen/x.cfg does not exist');
    expect(xlCause("libxl: error: libxl_device.c:1224:device_backend_callback: Domain 3:unable to add device with path /local/domain/0/backend/vif/3/0\nlibxl: error: libxl_linux.c:36:libxl__hotplug: /etc/xen/scripts/vif-bridge online [-1] exited with error status 1\nCould not find bridge device xenbr9\n")).toBe('The bridge xenbr9 does not exist on this host');
    expect(xlCause("'ghost' is an invalid domain identifier (rc=-6)\n")).toBe('There is no domain called ghost on this host');
    expect(xlCause('libxl: error: libxl_dom.c:597:libxl__build_dom: xc_dom_boot_mem_init failed: Cannot allocate memory\n')).toBe('The host does not have enough free memory for this domain');
    expect(xlCause('something nobody has seen before\n')).toBeNull();
    expect(commandFailure(['xl', 'pause', 'a'], 1, 'something nobody has seen before\n').detail).not.toHaveProperty('cause');
  });

  it('names the command and exit code when stderr is empty', () => {
    expect(commandFailure(['xl', 'pause', 'a'], 2, '').message).toBe('xl pause a failed with exit code 2');
  });
});
