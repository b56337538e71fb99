import type { XlDryRunReport } from '../../shared/contract-types';
import { isXenError } from '../errors';
import { parseXlConfig, type XlValue } from '../config/xl-config';
import type { RunResult } from '../runner/types';
import type { OpsContext } from './context';

// xl's own opinion of a config, beside Xenith's: `xl create -n` parses it with libxl's parser, prints the domain it
// would build (stdout, JSON) and, on stderr, every directive it ignores or item it skips. Nothing is created. A saved
// file is checked where it is; text not written anywhere goes as `xl create -n /dev/null LINE...`, which xl reads
// as the whole config (xl_vmcontrol.c), so no file is ever written for a check.

/** Lines xl continues a warning with (device_model's second line), joined to the line before. */
const CONTINUATION = /^WARNING: (Use|Or use) /;

/** The warnings or errors in `xl create -n`'s stderr: one per message, without the "Parsing config from" line. */
export function parseXlDryRunStderr(stderr: string): string[] {
  const out: string[] = [];
  for (const raw of stderr.split('\n')) {
    const line = raw.trimEnd();
    if (line === '' || line.startsWith('Parsing config from ')) continue;
    const prev = out.length - 1;
    if (CONTINUATION.test(line) && prev >= 0) out[prev] = `${out[prev] as string} ${line.replace(/^WARNING: /, '')}`;
    else out.push(line);
  }
  return out;
}

/** A report for when xl was not asked. */
export function notRun(note: string): XlDryRunReport {
  return { ran: false, warnings: [], errors: [], note };
}

function report(r: RunResult): XlDryRunReport {
  const lines = parseXlDryRunStderr(r.stderr);
  if (r.exitCode === 0) return { ran: true, warnings: lines, errors: [], note: null };
  return { ran: true, warnings: [], errors: lines.length > 0 ? lines : [`xl create -n exited with ${r.exitCode}`], note: null };
}

/** Runs one dry run, turning "cannot ask" (no xl, a refusal of root's policy) into a note rather than an error. */
async function ask(run: () => Promise<RunResult>): Promise<XlDryRunReport> {
  try {
    return report(await run());
  } catch (e) {
    if (isXenError(e, 'XL_NOT_FOUND')) return notRun('This host has no xl, so xl create -n did not check the config.');
    if (isXenError(e, 'INVALID_ARG') || isXenError(e, 'PERMISSION') || isXenError(e, 'NOT_FOUND')) {
      return notRun(`xl create -n did not run: ${e.message}`);
    }
    throw e;
  }
}

/** What a dry run looks at: config text, and the file it was read from when the text is that file's, unchanged. */
export interface DryRunSubject {
  text: string;
  path?: string;
  savedText?: string;
}

/**
 * xl's warnings and errors for a config: the saved file itself when `text` is what it holds (`xl create -n PATH`),
 * else the values of `text` as canonical lines (`xl create -n /dev/null LINE...`). Text that does not parse is not
 * sent (Xenith's own check names its line).
 */
export async function xlDryRun(ctx: OpsContext, s: DryRunSubject): Promise<XlDryRunReport> {
  if (s.path !== undefined && s.savedText === s.text) {
    const file = s.path;
    return ask(() => ctx.run('config.dryRun', { file }, { allowFailure: true }));
  }
  let values: Record<string, XlValue>;
  try {
    values = parseXlConfig(s.text).toObject();
  } catch {
    return notRun('xl create -n checks the text once it parses.');
  }
  if (Object.keys(values).length === 0) return notRun('xl create -n checks the text once it sets some options.');
  return ask(() => ctx.run('config.dryRunValues', { values }, { allowFailure: true }));
}
