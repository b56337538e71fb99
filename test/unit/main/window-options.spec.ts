import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, isInternalNavigation, isPermissionAllowed, secureWindowOptions } from '../../../src/main/security/window-options';
import { contentSecurityPolicy } from '../../../src/main/security/csp';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : []));
}

describe('secureWindowOptions (Electron security checklist)', () => {
  const o = secureWindowOptions({ preloadPath: '/app/dist/preload/preload.cjs', dark: false });
  it('isolates, sandboxes and keeps node out of every renderer', () => {
    expect(o.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(o.webPreferences.preload).toBe('/app/dist/preload/preload.cjs');
    expect(o.show).toBe(false);
  });

  it('turns DevTools off in a packaged build and leaves them for development', () => {
    expect(secureWindowOptions({ preloadPath: '/p', dark: false, packaged: true }).webPreferences.devTools).toBe(false);
    expect(o.webPreferences.devTools).toBe(true);
  });
  it('allows navigation only inside the app origin', () => {
    expect(isInternalNavigation('app://xenith/index.html#/host', 'app://xenith')).toBe(true);
    expect(isInternalNavigation('https://example.com/', 'app://xenith')).toBe(false);
    expect(isInternalNavigation('file:///etc/passwd', 'app://xenith')).toBe(false);
    expect(isInternalNavigation('not a url', 'app://xenith')).toBe(false);
  });
  it('grants only fullscreen and clipboard writes, and only to our own origin', () => {
    expect(isPermissionAllowed('fullscreen', 'app://xenith/index.html#/console/web/text', 'app://xenith')).toBe(true);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://xenith', 'app://xenith')).toBe(true);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'serial']) {
      expect(isPermissionAllowed(p, 'app://xenith/index.html', 'app://xenith'), p).toBe(false);
    }
    expect(isPermissionAllowed('fullscreen', 'https://evil.example/', 'app://xenith')).toBe(false);
  });
  it('opens only allowlisted https links externally', () => {
    expect(isAllowedExternalUrl('https://xenbits.xen.org/docs/unstable/man/xl.cfg.5.html')).toBe(true);
    expect(isAllowedExternalUrl('http://xenbits.xen.org/docs/')).toBe(false);
    expect(isAllowedExternalUrl('https://xenbits.xen.org.evil.example/docs/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@xenbits.xen.org/docs/')).toBe(false);
    expect(isAllowedExternalUrl('file:///bin/sh')).toBe(false);
    expect(isAllowedExternalUrl('javascript:alert(1)')).toBe(false);
  });
});

describe('content security policy', () => {
  it('forbids inline and foreign scripts, objects and frames', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-src 'none'");
  });
  it('is the same policy in the page meta tag as in the headers', () => {
    const html = readFileSync('src/renderer/index.html', 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(contentSecurityPolicy());
  });
});

describe('source-level security checks (the equivalent of an Electron security scanner)', () => {
  const src = (p: string) => readFileSync(p, 'utf8');
  it('never weakens webPreferences, never uses a shell, never exposes ipcRenderer', () => {
    const files = walk('src');
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const text = src(f);
      expect(text, f).not.toMatch(/nodeIntegration:\s*true|contextIsolation:\s*false|sandbox:\s*false|webSecurity:\s*false|allowRunningInsecureContent:\s*true/);
      expect(text, f).not.toMatch(/shell:\s*true|\bexecSync\(|\bexec\(\s*['"`]/);
      expect(text, f).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
      expect(text, f).not.toMatch(/\beval\(|new Function\(/);
      expect(text, f).not.toMatch(/dangerouslySetInnerHTML/);
    }
    expect(src('src/main/electron/main.ts')).toContain('setPermissionRequestHandler');
    expect(src('src/main/electron/main.ts')).toContain("setWindowOpenHandler");
    expect(src('src/main/electron/main.ts')).toContain("'will-navigate'");
    expect(src('src/main/electron/main.ts')).toContain('app.enableSandbox()');
  });
});
