import { vdevKey } from '../../shared/disk-spec';

/**
 * The first free virtual device name with `prefix` (xvd, hd, sd): xvda, xvdb, ... In an HVM guest a name is taken too
 * when it is the same emulated disk as one in use (xvda is hda).
 */
export function nextVdev(used: readonly string[], prefix = 'xvd', hvm = false): string {
  const keys = new Set(used.map((v) => vdevKey(v, hvm)));
  const taken = { has: (v: string): boolean => used.includes(v) || keys.has(vdevKey(v, hvm)) };
  for (let i = 0; i < 26; i++) {
    const v = `${prefix}${String.fromCharCode(97 + i)}`;
    if (!taken.has(v)) return v;
  }
  for (let i = 0; i < 26; i++)
    for (let j = 0; j < 26; j++) {
      const v = `${prefix}${String.fromCharCode(97 + i)}${String.fromCharCode(97 + j)}`;
      if (!taken.has(v)) return v;
    }
  return `${prefix}zz`;
}

/** A locally administered Xen MAC (00:16:3e OUI) from a random source. */
export function randomXenMac(rand: () => number = Math.random): string {
  const b = [0x00, 0x16, 0x3e, Math.floor(rand() * 128), Math.floor(rand() * 256), Math.floor(rand() * 256)];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}
