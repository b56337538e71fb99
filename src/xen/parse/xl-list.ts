import type { PowerState } from '../../shared/dto';
import { describeStateLetters } from '../../shared/state-words';
import { parseTenthsField, parseError, parseIntField, quoteLine, splitNameAndColumns, rowsUnderHeader } from './lines';

/** One row of `xl list`. */
export interface XlListRow {
  name: string;
  domid: number;
  /** Current memory plus outstanding claims, in MiB, as xl prints it. */
  memMiB: number;
  /** vCPUs online now. */
  vcpus: number;
  /** Six letters, e.g. "-b----": running, blocked, paused, shutdown, shutdown reason, dying. */
  stateFlags: string;
  /** CPU seconds used so far (xl prints one decimal). */
  cpuTimeS: number;
}

const WHAT = 'xl list';
/** The words of the header `xl list` prints. */
export const XL_LIST_HEADER = ['Name', 'ID', 'Mem', 'VCPUs', 'State', 'Time(s)'] as const;

/**
 * xl prints r b p s, then the shutdown reason letter from "-rscwS" (poweroff, reboot, suspend, crash, watchdog,
 * soft reset; "?" for an unknown reason), then d. Anything else is not xl's output.
 */
const FLAGS_RE = /^[r-][b-][p-][s-][-rscwS?][d-]$/;

/** True when `flags` has the shape of xl's six state letters. */
export function isStateFlags(flags: string): boolean {
  return FLAGS_RE.test(flags);
}

/** Parses `xl list` (the plain table) into rows; the header must be xl's and every row complete. */
export function parseXlList(text: string): XlListRow[] {
  return rowsUnderHeader(WHAT, text, XL_LIST_HEADER).map(({ n, text: line }) => parseXlListRow(WHAT, n, line));
}

/** Parses one data row of `xl list` (shared with `xl list -v`, whose rows start the same way). */
export function parseXlListRow(what: string, n: number, line: string): XlListRow {
  const split = splitNameAndColumns(line, 5);
  if (split === null || split.name === '') {
    throw parseError(what, n, `expected 6 columns, got ${quoteLine(line)}`);
  }
  return rowFromColumns(what, n, split.name, split.columns);
}

/** Builds a row from the name and the five columns after it (ID, Mem, VCPUs, State, Time). */
export function rowFromColumns(what: string, n: number, name: string, columns: readonly string[]): XlListRow {
  const [id = '', mem = '', vcpus = '', flags = '', time = ''] = columns;
  if (!FLAGS_RE.test(flags)) throw parseError(what, n, `state is not six xl state letters: ${quoteLine(flags)}`);
  return {
    name,
    domid: parseIntField(what, n, 'ID', id),
    memMiB: parseIntField(what, n, 'Mem', mem),
    vcpus: parseIntField(what, n, 'VCPUs', vcpus),
    stateFlags: flags,
    cpuTimeS: parseTenthsField(what, n, 'Time(s)', time),
  };
}

/**
 * The one state a person sees for xl's flags. The most final fact wins: dying, then crashed (shutdown with reason
 * "c"), then shutdown, then paused. Xen sets "b" only when every online vCPU is blocked, so "rb" (a vCPU caught
 * just as it blocked) counts as blocked; "------" means runnable but not on a CPU at this instant, which is running.
 * Letters are read by position, as xl prints them (an "s" in the reason slot is "suspended", not "shutdown").
 */
export function stateFromFlags(flags: string): PowerState {
  const at = (i: number, letter: string): boolean => flags.charAt(i) === letter;
  if (at(5, 'd')) return 'dying';
  if (at(3, 's') && at(4, 'c')) return 'crashed';
  if (at(3, 's')) return 'shutdown';
  if (at(2, 'p')) return 'paused';
  if (at(1, 'b')) return 'blocked';
  return 'running';
}

/** Words for xl's six state letters, e.g. "-b----" -> "blocked (idle, waiting for I/O)"; one implementation shared with the renderer. */
export const describeStateFlags = describeStateLetters;
