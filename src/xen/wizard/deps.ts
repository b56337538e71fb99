import type { XenApi } from '../ops/api';
import type { Runner } from '../runner/types';

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

