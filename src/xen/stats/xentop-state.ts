import type { PowerState } from '../../shared/dto';
import { stateFromFlags } from '../parse/xl-list';

/** A domain's state in the app's terms, from xentop's flags. */
export interface MappedState {
  /** The same facts in xl's letter order ("rbps" + reason + "d"), so every view shows one notation. */
  xlFlags: string;
  state: PowerState;
}

// Real xentop prints a handful of distinct flag strings; caching them keeps the per-tick path free of string building.
const cache = new Map<string, MappedState>();

/**
 * Maps xentop's "dsbcpr" flags (dying, shutdown, blocked, crashed, paused, running; read by letter) to xl's layout.
 * xentop has no shutdown reason; a crashed domain becomes xl's shutdown-with-reason-c ("---sc-"), as xl lists it.
 */
export function mapXentopState(flags: string): MappedState {
  const hit = cache.get(flags);
  if (hit) return hit;
  const has = (ch: string): boolean => flags.includes(ch);
  const crashed = has('c');
  const xlFlags =
    (has('r') ? 'r' : '-') +
    (has('b') ? 'b' : '-') +
    (has('p') ? 'p' : '-') +
    (has('s') || crashed ? 's' : '-') +
    (crashed ? 'c' : '-') +
    (has('d') ? 'd' : '-');
  const mapped: MappedState = { xlFlags, state: stateFromFlags(xlFlags) };
  if (cache.size < 256) cache.set(flags, mapped);
  return mapped;
}
