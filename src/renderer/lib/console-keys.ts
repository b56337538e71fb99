/** X11 keysyms the graphical console sends (RFB key events carry keysyms). */
export const KEYSYM = {
  Control_L: 0xffe3,
  Alt_L: 0xffe9,
  Delete: 0xffff,
  BackSpace: 0xff08,
  Return: 0xff0d,
  Tab: 0xff09,
  F1: 0xffbe,
} as const;

/** A key combination to press in order and release in reverse. */
export interface KeyCombo {
  label: string;
  keys: { keysym: number; code: string }[];
  /** Ask first: it may reboot the guest. */
  confirm?: boolean;
}

const ctrl = { keysym: KEYSYM.Control_L, code: 'ControlLeft' };
const alt = { keysym: KEYSYM.Alt_L, code: 'AltLeft' };

/** Ctrl+Alt+Del, Ctrl+Alt+Backspace and Ctrl+Alt+F1..F12, as the "Send key" menu lists them. */
export const KEY_COMBOS: readonly KeyCombo[] = [
  { label: 'Ctrl+Alt+Del', keys: [ctrl, alt, { keysym: KEYSYM.Delete, code: 'Delete' }], confirm: true },
  { label: 'Ctrl+Alt+Backspace', keys: [ctrl, alt, { keysym: KEYSYM.BackSpace, code: 'Backspace' }] },
  ...Array.from({ length: 12 }, (_, i) => ({
    label: `Ctrl+Alt+F${i + 1}`,
    keys: [ctrl, alt, { keysym: KEYSYM.F1 + i, code: `F${i + 1}` }],
  })),
];

/** Press-then-release events of a combination, in the order they must be sent. */
export function comboEvents(c: KeyCombo): { keysym: number; code: string; down: boolean }[] {
  return [...c.keys.map((k) => ({ ...k, down: true })), ...[...c.keys].reverse().map((k) => ({ ...k, down: false }))];
}

/**
 * Keysyms for typing text into a guest: Latin-1 characters map to themselves, other Unicode to 0x01000000 + code
 * point (the X11 rule), newline to Return and tab to Tab. Characters that cannot be typed (other controls) are skipped.
 */
export function textKeysyms(text: string): number[] {
  const out: number[] = [];
  for (const ch of text.replace(/\r\n?/g, '\n')) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '\n') out.push(KEYSYM.Return);
    else if (ch === '\t') out.push(KEYSYM.Tab);
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) continue;
    else if (cp <= 0xff) out.push(cp);
    else out.push(0x01000000 + cp);
  }
  return out;
}
