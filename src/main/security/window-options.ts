/** The subset of BrowserWindow options Xenith sets; kept electron-free so a unit test can check it. */
export interface SecureWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: boolean;
  backgroundColor: string;
  webPreferences: {
    preload: string;
    /** Checklist 3: enable context isolation. */
    contextIsolation: true;
    /** Checklist 4: enable process sandboxing. */
    sandbox: true;
    /** Checklist 2: do not enable Node.js integration for remote content (nor local). */
    nodeIntegration: false;
    nodeIntegrationInWorker: false;
    nodeIntegrationInSubFrames: false;
    /** Checklist 6: do not disable webSecurity. */
    webSecurity: true;
    /** Checklist 8: do not enable insecure content. */
    allowRunningInsecureContent: false;
    /** Checklist 9: do not enable experimental features. */
    experimentalFeatures: false;
    /** Checklist 11: do not use <webview>. */
    webviewTag: false;
    navigateOnDragDrop: false;
    spellcheck: false;
    safeDialogs: true;
    /** Checklist: no DevTools in a packaged build (they would let anyone at the keyboard script the privileged UI). */
    devTools: boolean;
  };
}

/** Options of every Xenith window (main window and detached consoles). */
export function secureWindowOptions(opts: { preloadPath: string; title?: string; width?: number; height?: number; dark: boolean; packaged?: boolean }): SecureWindowOptions {
  return {
    width: opts.width ?? 1280,
    height: opts.height ?? 820,
    minWidth: 720,
    minHeight: 480,
    title: opts.title ?? 'Xenith',
    show: false,
    backgroundColor: opts.dark ? '#15171c' : '#f6f7f9',
    webPreferences: {
      preload: opts.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: opts.packaged !== true,
    },
  };
}

/** External links the app may open in the user's browser (checklist 14: do not use shell.openExternal with untrusted content). */
export const EXTERNAL_LINK_ALLOWLIST: readonly string[] = [
  'https://xenbits.xen.org/docs/',
  'https://wiki.xenproject.org/',
  'https://github.com/xenith-app/',
];

/** True when `url` may be opened externally: https and under an allowlisted prefix. */
export function isAllowedExternalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return false;
  return EXTERNAL_LINK_ALLOWLIST.some((p) => u.href.startsWith(p));
}

/** True when a navigation stays inside the app (checklist 12: limit navigation). */
export function isInternalNavigation(url: string, appOrigin: string): boolean {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}` === appOrigin;
  } catch {
    return false;
  }
}

/** Permissions a Xenith page may have: fullscreen consoles and writing copied console text to the clipboard. */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['fullscreen', 'clipboard-sanitized-write']);

/** Checklist 5 (handle permission requests): only our own origin, and only what the consoles need; everything else is denied. */
export function isPermissionAllowed(permission: string, requestingUrl: string, appOrigin: string): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isInternalNavigation(requestingUrl, appOrigin);
}
