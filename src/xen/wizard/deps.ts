import { DEFAULT_TIMEOUTS } from '../command';
import { COMMANDS, type CommandArgs, type CommandName } from '../commands/table';
import type { XenApi } from '../ops/api';
import type { RunResult, Runner } from '../runner/types';

/** What the wizard works with; plain toolstack objects, so the host suite can drive it over ssh. */
export interface WizardDeps {
  api: XenApi;
  runner: Runner;
  paths: { configDir: string; autoDir: string; imageDir: string };
}

/** `dir/file` without a doubled slash. */
export function joinPath(dir: string, file: string): string {
  return dir.endsWith('/') ? `${dir}${file}` : `${dir}/${file}`;
}

/** The directory part of an absolute path ("/a/b.img" -> "/a", "/b.img" -> "/"). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Runs a command of the table with the API's timeout scale applied, as every operation does (a slow host is not a failure). */
export function runScaled<K extends CommandName>(d: WizardDeps, op: K, args: CommandArgs<K>, o: { timeoutMs?: number; allowFailure?: boolean } = {}): Promise<RunResult> {
  const base = o.timeoutMs ?? DEFAULT_TIMEOUTS[COMMANDS[op].cls];
  return d.runner.run(op, args, { timeoutMs: Math.round(base * d.api.options.timeoutScale), ...(o.allowFailure === true ? { allowFailure: true } : {}) });
}
