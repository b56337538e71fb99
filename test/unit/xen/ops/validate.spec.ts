import { describe, expect, it } from 'vitest';
import {
  checkAbsPath,
  checkCpuList,
  checkDomainName,
  checkDomainRef,
  checkMac,
  checkVdev,
  isValidDomainName,
} from '../../../../src/xen/ops/validate';
import { thrown } from './fakes';

describe('domain identifiers', () => {
  it.each(['test1', 'Domain-0', 'web_01', 'a.b-c', 'x'])('accepts the name %s', (n) => {
    expect(isValidDomainName(n)).toBe(true);
    expect(checkDomainRef(n)).toBe(n);
  });

  it.each([
    '',
    'a;touch /tmp/x',
    "it's",
    '"q"',
    'two words',
    'line\nbreak',
    '$(reboot)',
    '`id`',
    '-h',
    '--help',
    '.hidden',
    'a/b',
    'x'.repeat(65),
    'tab\there',
  ])('refuses the name %j', (n) => {
    expect(isValidDomainName(n)).toBe(false);
    expect(thrown(() => checkDomainRef(n)).code).toBe('INVALID_ARG');
  });

  it('takes numeric domids as numbers or digit strings, and refuses out-of-range ones', () => {
    expect(checkDomainRef(0)).toBe('0');
    expect(checkDomainRef('12')).toBe('12');
    expect(() => checkDomainRef(-1)).toThrow(/domain/);
    expect(() => checkDomainRef(1.5)).toThrow(/domain/);
    expect(() => checkDomainRef(0x7ff0)).toThrow(/domain/);
    expect(() => checkDomainRef('999999')).toThrow(/domain/);
  });

  it('never takes an all-digit string as a name (xl would read it as a domid)', () => {
    expect(thrown(() => checkDomainName('123'))).toMatchObject({ code: 'INVALID_ARG', detail: { field: 'name' } });
  });

  it('names the field in the error', () => {
    expect(thrown(() => checkDomainName('a b', 'newName')).detail.field).toBe('newName');
  });
});

describe('paths and device names', () => {
  it('accepts absolute normalised paths', () => {
    expect(checkAbsPath('/var/lib/xen/images/a.img')).toBe('/var/lib/xen/images/a.img');
  });

  it.each(['relative.img', '/a/../etc/shadow', '/a/./b', '//a', '/a/', '/a\nb', '/a,b', '/a=b', "/a'b", '/a;b', '/$(x)', '-rf', ''])(
    'refuses the path %j',
    (p) => {
      expect(thrown(() => checkAbsPath(p, 'file'))).toMatchObject({ code: 'INVALID_ARG', detail: { field: 'file' } });
    },
  );

  it('accepts vdevs, numeric device ids, MACs and CPU lists; refuses the rest', () => {
    expect(checkVdev('xvdb')).toBe('xvdb');
    expect(checkVdev('hdc')).toBe('hdc');
    expect(checkVdev(51712)).toBe('51712');
    expect(() => checkVdev('xvdb;ls')).toThrow(/vdev/);
    expect(() => checkVdev('-f')).toThrow(/vdev/);
    expect(checkMac('00:16:3E:08:38:84')).toBe('00:16:3e:08:38:84');
    expect(() => checkMac('00:16:3e:08:38')).toThrow(/mac/);
    expect(checkCpuList('0-3,^2', 'hard')).toBe('0-3,^2');
    expect(checkCpuList('all', 'hard')).toBe('all');
    expect(() => checkCpuList('0;1', 'hard')).toThrow(/hard/);
  });
});
