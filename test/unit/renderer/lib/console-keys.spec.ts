import { describe, expect, it } from 'vitest';
import { comboEvents, KEY_COMBOS, KEYSYM, textKeysyms } from '../../../../src/renderer/lib/console-keys';

describe('console key combinations', () => {
  it('lists Ctrl+Alt+Del (asking first), Ctrl+Alt+Backspace and Ctrl+Alt+F1..F12', () => {
    expect(KEY_COMBOS.map((c) => c.label)).toEqual([
      'Ctrl+Alt+Del',
      'Ctrl+Alt+Backspace',
      ...Array.from({ length: 12 }, (_, i) => `Ctrl+Alt+F${i + 1}`),
    ]);
    expect(KEY_COMBOS.filter((c) => c.confirm).map((c) => c.label)).toEqual(['Ctrl+Alt+Del']);
    expect(KEY_COMBOS.find((c) => c.label === 'Ctrl+Alt+F12')?.keys.at(-1)).toEqual({ keysym: 0xffc9, code: 'F12' });
  });

  it('presses in order and releases in reverse', () => {
    const del = KEY_COMBOS[0]!;
    expect(comboEvents(del)).toEqual([
      { keysym: KEYSYM.Control_L, code: 'ControlLeft', down: true },
      { keysym: KEYSYM.Alt_L, code: 'AltLeft', down: true },
      { keysym: KEYSYM.Delete, code: 'Delete', down: true },
      { keysym: KEYSYM.Delete, code: 'Delete', down: false },
      { keysym: KEYSYM.Alt_L, code: 'AltLeft', down: false },
      { keysym: KEYSYM.Control_L, code: 'ControlLeft', down: false },
    ]);
  });
});

describe('textKeysyms', () => {
  it('maps ASCII and Latin-1 to themselves, newlines to Return and tabs to Tab', () => {
    expect(textKeysyms('Ab 1')).toEqual([0x41, 0x62, 0x20, 0x31]);
    expect(textKeysyms('é\tx\r\ny\rz\n')).toEqual([0xe9, KEYSYM.Tab, 0x78, KEYSYM.Return, 0x79, KEYSYM.Return, 0x7a, KEYSYM.Return]);
  });
  it('maps other Unicode by the X11 rule and skips control characters', () => {
    expect(textKeysyms('€😀')).toEqual([0x01000000 + 0x20ac, 0x01000000 + 0x1f600]);
    expect(textKeysyms('a\x00\x1b\x7f\x85b')).toEqual([0x61, 0x62]);
    expect(textKeysyms('')).toEqual([]);
  });
});
