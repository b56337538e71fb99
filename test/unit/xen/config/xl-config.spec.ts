import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../fixtures/load';
import { formatXlValue, parseXlConfig } from '../../../../src/xen/config/xl-config';
import { isXenError, type XenError } from '../../../../src/xen/errors';

const REAL = ['test1.cfg', 'pvh1.cfg', 'hvm1.cfg', 'test2-nodev.cfg'];

function parseError(text: string): XenError {
  try {
    parseXlConfig(text);
  } catch (e) {
    if (isXenError(e, 'PARSE')) return e;
    throw e;
  }
  throw new Error('expected a PARSE error');
}

describe('parseXlConfig on real configs', () => {
  it.each(REAL)('%s round-trips byte for byte', (name) => {
    const { command, text } = loadFixture(name);
    expect(command).toBe(`cat /etc/xen/${name}`);
    expect(parseXlConfig(text).toString()).toBe(text);
  });

  it('reads test1.cfg values with numbers as numbers and lists as lists', () => {
    const doc = parseXlConfig(loadFixture('test1.cfg').text);
    expect(doc.toObject()).toEqual({
      name: 'test1',
      type: 'pv',
      kernel: '/root/domu/vmlinuz',
      ramdisk: '/root/domu/initrd.gz',
      extra: 'console=hvc0 quiet',
      memory: 128,
      maxmem: 256,
      vcpus: 1,
      maxvcpus: 2,
      disk: ['file:/root/d.img,xvda,w'],
      vif: ['bridge=xenbr0'],
      on_poweroff: 'destroy',
      on_reboot: 'restart',
      on_crash: 'destroy',
    });
    expect(doc.keys()).toEqual(Object.keys(doc.toObject()));
  });

  it('reads hvm1.cfg single-quoted serial', () => {
    const doc = parseXlConfig(loadFixture('hvm1.cfg').text);
    expect(doc.get('serial')).toBe('pty');
    expect(doc.get('nographic')).toBe(1);
    expect(doc.get('maxmem')).toBeUndefined();
  });
});

const TRICKY = [
  '# only a comment\n',
  '',
  'name="h0"; type="hvm"\n',
  'name="h0";type="hvm";\n;;\n',
  'memory = 512 # MiB, says the admin\n',
  "disk = [ 'a', # first disk\n  # a comment line inside the list\n  'b',\n\n]\n",
  "vif = [\n    'bridge=xenbr0',\n    'bridge=xenbr1',\n    ]\n",
  "nested = [ [ 1, 'x' ], [], 0x10 ]\n",
  'name = "no newline at end"',
  '\t name\t=\t"tabs"\t\n',
  "extra = 'it\\'s \"quoted\" \\\\ here'\n",
  'empty = []\nempty2 = [\n]\n',
  'extra = "a"\nextra += " b"\ndisk = [ "x" ]\ndisk += [ "y" ]\n',
  '# trailing comment without newline',
];

describe('parseXlConfig on tricky syntax', () => {
  it.each(TRICKY)('round-trips %j', (text) => {
    expect(parseXlConfig(text).toString()).toBe(text);
  });

  it('reads semicolon-separated statements on one line', () => {
    expect(parseXlConfig('name="h0"; type="hvm"\n').toObject()).toEqual({ name: 'h0', type: 'hvm' });
  });

  it('reads lists spanning lines with comments and a trailing comma', () => {
    expect(parseXlConfig(TRICKY[5] as string).get('disk')).toEqual(['a', 'b']);
    expect(parseXlConfig(TRICKY[6] as string).get('vif')).toEqual(['bridge=xenbr0', 'bridge=xenbr1']);
  });

  it('decodes xl string escapes in either quote', () => {
    expect(parseXlConfig(TRICKY[10] as string).get('extra')).toBe('it\'s "quoted" \\ here');
    expect(parseXlConfig('a = "t\\tn\\n"\n').get('a')).toBe('t\tn\n');
    // xl drops an unknown escaped character entirely.
    expect(parseXlConfig('a = "x\\qy"\n').get('a')).toBe('xy');
  });

  it('reads numbers the way strtol(..., 0) does and keeps odd number tokens as text', () => {
    const doc = parseXlConfig('a = 0x1f\nb = 010\nc = 0\nd = 08\ne = 1e5\n');
    expect(doc.toObject()).toEqual({ a: 31, b: 8, c: 0, d: '08', e: '1e5' });
  });

  it('reads nested lists', () => {
    expect(parseXlConfig(TRICKY[7] as string).get('nested')).toEqual([[1, 'x'], [], 16]);
  });

  it('lets the last assignment win and applies += like xl', () => {
    expect(parseXlConfig('memory = 1\nmemory = 2\n').get('memory')).toBe(2);
    const doc = parseXlConfig(TRICKY[12] as string);
    expect(doc.get('extra')).toBe('a b');
    expect(doc.get('disk')).toEqual(['x', 'y']);
  });
});

describe('parseXlConfig errors', () => {
  const cases: [string, string, number, RegExp][] = [
    ['unquoted string', 'name = test1\n', 1, /strings must be quoted/],
    ['upper-case key', 'memory = 1\nName = "x"\n', 2, /lower case/],
    ['python', 'memory = 1\n\nvcpus = 1 + 1\n', 3, /Python/],
    ['unterminated string', 'name = "abc\n', 1, /unterminated string/],
    ['string across lines', 'extra = "a\nb"\n', 1, /unterminated/],
    ['missing =', 'name "x"\n', 1, /expected "="/],
    ['missing value', 'name =\n', 1, /expected a value/],
    ['two statements on one line', 'a = 1 b = 2\n', 1, /end of the line/],
    ['unclosed list', "disk = [ 'a'\n", 2, /expected "," or "]"/],
    ['empty list item', 'disk = [ , ]\n', 1, /expected a value/],
    ['CRLF', 'name = "x"\r\n', 1, /carriage return/],
    ['list added to string', 'a = "x"\na += [ "y" ]\n', 2, /can't add/],
    ['hex escape', 'a = "\\x41"\n', 1, /numeric escape/],
    ['NUL byte', 'a = 1\u0000\n', 1, /U\+0000/],
  ];
  it.each(cases)('%s', (_label, text, line, message) => {
    const e = parseError(text);
    expect(e.detail.line).toBe(line);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(new RegExp(`line ${line}, column \\d+`));
  });

  it('names the column', () => {
    expect(parseError('memory = 1\nvcpus  = x\n').detail).toMatchObject({ line: 2, column: 10 });
  });
});

describe('editing a document', () => {
  const test1 = (): string => loadFixture('test1.cfg').text;

  it('changes one value and keeps every other byte', () => {
    const doc = parseXlConfig(test1());
    doc.set('memory', 512);
    expect(doc.toString()).toBe(test1().replace('memory  = 128', 'memory  = 512'));
    expect(doc.get('memory')).toBe(512);
  });

  it('hands out copies, so changing a returned list does not change the document', () => {
    const doc = parseXlConfig("disk = [ 'a' ]\n");
    (doc.get('disk') as string[]).push('b');
    (doc.toObject()['disk'] as string[]).push('c');
    expect(doc.get('disk')).toEqual(['a']);
    doc.set('disk', ['a']);
    expect(doc.toString()).toBe("disk = [ 'a' ]\n");
  });

  it('is a no-op when the value is unchanged', () => {
    const doc = parseXlConfig('memory = 0x80 # hex on purpose\n');
    doc.set('memory', 128);
    expect(doc.toString()).toBe('memory = 0x80 # hex on purpose\n');
  });

  it('keeps a trailing comment and the quote style of the line', () => {
    const doc = parseXlConfig("serial = 'pty' # console\nname = \"a\"\n");
    doc.set('serial', 'file:/tmp/x');
    doc.set('name', 'b');
    expect(doc.toString()).toBe("serial = 'file:/tmp/x' # console\nname = \"b\"\n");
  });

  it('keeps a multi-line list multi-line', () => {
    const doc = parseXlConfig("vif = [\n    'bridge=xenbr0',\n]\nname = 'x'\n");
    doc.set('vif', ['bridge=xenbr0', 'bridge=xenbr1']);
    expect(doc.toString()).toBe("vif = [\n    'bridge=xenbr0',\n    'bridge=xenbr1',\n]\nname = 'x'\n");
  });

  describe('lists, item by item', () => {
    const multi = "disk = [\n    'a',   # root disk\n    # spare below\n    'b',\n]\nx = 1\n";

    it('replaces only the changed item and keeps comments around it', () => {
      const doc = parseXlConfig(multi);
      doc.set('disk', ['a', 'c']);
      expect(doc.toString()).toBe(multi.replace("'b'", "'c'"));
    });

    it('appends items on their own lines before the bracket', () => {
      const doc = parseXlConfig(multi);
      doc.set('disk', ['a', 'b', 'c', 'd']);
      expect(doc.toString()).toBe(multi.replace("    'b',\n]", "    'b',\n    'c',\n    'd',\n]"));
    });

    it('adds the missing comma when the last item had none', () => {
      const doc = parseXlConfig("disk = [\n  'a'\n]\n");
      doc.set('disk', ['a', 'b']);
      expect(doc.toString()).toBe("disk = [\n  'a',\n  'b',\n]\n");
    });

    it('appends inline on a one-line list', () => {
      const doc = parseXlConfig("vif = [ 'bridge=xenbr0' ] # nics\n");
      doc.set('vif', ['bridge=xenbr0', 'bridge=xenbr1']);
      expect(doc.toString()).toBe("vif = [ 'bridge=xenbr0', 'bridge=xenbr1' ] # nics\n");
    });

    it('removes an item that has its own line, with its comment', () => {
      const doc = parseXlConfig(multi);
      doc.set('disk', ['b']);
      expect(doc.toString()).toBe("disk = [\n    # spare below\n    'b',\n]\nx = 1\n");
    });

    it('removes items from a one-line list, first, middle or last', () => {
      const cases: [string[], string][] = [
        [['b', 'c'], "l = [ 'b', 'c' ]\n"],
        [['a', 'c'], "l = [ 'a', 'c' ]\n"],
        [['a', 'b'], "l = [ 'a', 'b' ]\n"],
      ];
      for (const [next, expected] of cases) {
        const doc = parseXlConfig("l = [ 'a', 'b', 'c' ]\n");
        doc.set('l', next);
        expect(doc.toString()).toBe(expected);
      }
    });

    it('rewrites the whole list when items move around', () => {
      const doc = parseXlConfig(multi);
      doc.set('disk', ['b', 'a', 'z']);
      expect(doc.toString()).toBe("disk = [\n    'b',\n    'a',\n    'z',\n]\nx = 1\n");
      expect(doc.get('disk')).toEqual(['b', 'a', 'z']);
    });

    it('writes an emptied list as []', () => {
      const doc = parseXlConfig(multi);
      doc.set('disk', []);
      expect(doc.toString()).toBe('disk = []\nx = 1\n');
    });
  });

  it('appends new keys lined up with the file', () => {
    const doc = parseXlConfig(test1());
    doc.set('vnc', true);
    doc.set('on_watchdog', 'destroy');
    expect(doc.toString()).toBe(`${test1()}vnc     = 1\non_watchdog = "destroy"\n`);
  });

  it('appends after a last line that has no newline', () => {
    const doc = parseXlConfig('name = "x"');
    doc.set('memory', 64);
    expect(doc.toString()).toBe('name = "x"\nmemory = 64\n');
  });

  it('appends to an empty file', () => {
    const doc = parseXlConfig('');
    doc.set('name', 'x');
    expect(doc.toString()).toBe('name = "x"\n');
  });

  it('deletes a key and its whole line, comment included', () => {
    const doc = parseXlConfig('a = 1\nmaxmem = 256 # ceiling\nb = 2\n');
    expect(doc.delete('maxmem')).toBe(true);
    expect(doc.toString()).toBe('a = 1\nb = 2\n');
    expect(doc.delete('maxmem')).toBe(false);
  });

  it('deletes a multi-line list', () => {
    const doc = parseXlConfig("a = 1\ndisk = [\n  'x',\n  'y',\n]\nb = 2\n");
    doc.delete('disk');
    expect(doc.toString()).toBe('a = 1\nb = 2\n');
  });

  it('deletes one statement of a line shared with others', () => {
    const doc = parseXlConfig('name="h0"; type="hvm"\nx = 1\n');
    doc.delete('name');
    expect(doc.toString()).toBe('type="hvm"\nx = 1\n');
    doc.delete('type');
    expect(doc.toString()).toBe('x = 1\n');
  });

  it('deletes every statement of a repeated key', () => {
    const doc = parseXlConfig('a = 1\nb = 2\na = 3\n');
    doc.delete('a');
    expect(doc.toString()).toBe('b = 2\n');
  });

  it('edits the statement that wins when a key repeats, turning += into =', () => {
    const doc = parseXlConfig('extra = "a"\nextra += " b"\n');
    doc.set('extra', 'c');
    expect(doc.toString()).toBe('extra = "a"\nextra = "c"\n');
    expect(doc.get('extra')).toBe('c');
  });

  it('writes hostile strings so that they read back unchanged', () => {
    const hostile = [`it's "x"`, 'back\\slash', `both ' and " quotes`, '$(rm -rf /)', '`id`; # not a comment', ']'];
    for (const value of hostile) {
      const doc = parseXlConfig('extra = "a"\n');
      doc.set('extra', value);
      expect(parseXlConfig(doc.toString()).get('extra')).toBe(value);
    }
  });

  it('refuses values that cannot be written and leaves the text alone', () => {
    const doc = parseXlConfig('extra = "a"\n');
    for (const bad of ['a\nmemory = 99999', 'nul\u0000', 'cr\r', 'esc\u001b[0m']) {
      expect(() => doc.set('extra', bad)).toThrow(/extra contains/);
    }
    expect(() => doc.set('disk', ['ok', 'bad\n'])).toThrow(/disk\[1\] contains a newline/);
    expect(() => doc.set('memory', 1.5)).toThrow(/not a whole number/);
    expect(doc.toString()).toBe('extra = "a"\n');
  });

  it('refuses keys xl would not read', () => {
    const doc = parseXlConfig('');
    for (const key of ['Name', 'a-b', '1a', '', 'x=1\ny']) {
      expect(() => doc.set(key, 1)).toThrow(expect.objectContaining({ code: 'INVALID_ARG' }));
    }
  });
});

describe('formatXlValue', () => {
  it('formats strings, numbers, booleans and lists', () => {
    expect(formatXlValue('pty')).toBe('"pty"');
    expect(formatXlValue('pty', { quote: "'" })).toBe("'pty'");
    expect(formatXlValue(`say "hi"`)).toBe(`'say "hi"'`);
    expect(formatXlValue(`it's "x"`)).toBe(`"it's \\"x\\""`);
    expect(formatXlValue('a\\b')).toBe('"a\\\\b"');
    expect(formatXlValue(128)).toBe('128');
    expect(formatXlValue(-1)).toBe('"-1"');
    expect(formatXlValue(true)).toBe('1');
    expect(formatXlValue(false)).toBe('0');
    expect(formatXlValue(['a', 1])).toBe('[ "a", 1 ]');
    expect(formatXlValue([])).toBe('[]');
    expect(formatXlValue(['a'], { listIndent: '  ' })).toBe('[\n  "a",\n]');
  });

  it('rejects what cannot be written safely, naming the field', () => {
    const cases: [unknown, RegExp][] = [
      ['a\nb', /newline/],
      ['a\u0000', /NUL/],
      ['a\r', /control character/],
      [Number.NaN, /whole number/],
      [Infinity, /whole number/],
      [2 ** 60, /whole number/],
      [0.5, /whole number/],
      [{}, /unsupported/],
    ];
    for (const [value, message] of cases) {
      expect(() => formatXlValue(value as string, { field: 'extra' })).toThrow(message);
      expect(() => formatXlValue(value as string, { field: 'extra' })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARG', detail: { field: 'extra' } }),
      );
    }
  });

  it('produces text the parser reads back to the same value', () => {
    const values = ['', 'plain', `'`, `"`, `\\`, `\\'`, 'tab\there', 'ünïcödé', [['nested', 2], []]];
    for (const v of values) {
      expect(parseXlConfig(`k = ${formatXlValue(v)}\n`).get('k')).toEqual(v);
    }
  });
});
