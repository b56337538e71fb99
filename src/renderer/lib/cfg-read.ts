import type { DomainConfigView } from '../../shared/contract-types';

/** Reads one xl.cfg option from a config view's model (fields are named as xl.cfg options), as unknown. */
export function cfgField(view: DomainConfigView | null, key: string): unknown {
  const c = view?.config as unknown;
  if (c === null || typeof c !== 'object') return undefined;
  return (c as Record<string, unknown>)[key];
}

/** An option as text for display and form fields ('' when unset); lists are joined with ", ". */
export function cfgText(view: DomainConfigView | null, key: string): string {
  const v = cfgField(view, key);
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v as string | number | boolean);
}

/** An option as a number, or null. */
export function cfgNum(view: DomainConfigView | null, key: string): number | null {
  const v = cfgField(view, key);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** An option as a boolean (xl writes 1/0 or true/false). */
export function cfgBool(view: DomainConfigView | null, key: string): boolean | null {
  const v = cfgField(view, key);
  if (v === true || v === 1 || v === '1' || v === 'true') return true;
  if (v === false || v === 0 || v === '0' || v === 'false') return false;
  return null;
}
