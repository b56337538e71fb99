import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell, nativeTheme, webContents, type WebContents } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { channels } from '../../shared/contract';
import { checkSender } from '../gateway/sender';
import { contentSecurityPolicy } from '../security/csp';
import { isAllowedExternalUrl, isInternalNavigation, isPermissionAllowed, secureWindowOptions } from '../security/window-options';
import { parseAppOptions, usageText, UsageError } from '../core/options';
import { createAppCore, type AppCore } from '../core/app-core';
import { startWebServer } from '../web/server';
import { createFileDialogs } from '../transfer/dialogs';

const SCHEME = 'app';
const APP_ORIGIN = `${SCHEME}://xenith`;
const rendererDir = join(__dirname, '..', 'renderer');
const preloadPath = join(__dirname, '..', 'preload', 'preload.cjs');

// Checklist 4: sandbox every renderer, including any created later.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const trustedIds = new Set<number>();
let core: AppCore | null = null;

/** Serves the built renderer from app://xenith/ with our CSP (checklist 7 and 18: custom protocol instead of file://). */
function registerAppProtocol(): void {
  const csp = contentSecurityPolicy();
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'xenith') return new Response('Not found', { status: 404 });
    let rel = decodeURIComponent(url.pathname);
    if (rel === '/' || !rel.includes('.')) rel = '/index.html';
    const file = normalize(join(rendererDir, rel));
    if (!file.startsWith(normalize(rendererDir) + sep)) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}

/** Hardens every web contents the app creates (checklist 12, 13, 14, 11, 5). */
function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isInternalNavigation(url, APP_ORIGIN)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isInternalNavigation(url, APP_ORIGIN)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Opens a window on a route of the renderer. */
function openWindow(route: string, title: string, size?: { width: number; height: number }): BrowserWindow {
  const win = new BrowserWindow(secureWindowOptions({ preloadPath, title, dark: nativeTheme.shouldUseDarkColors, packaged: app.isPackaged, ...size }));
  const id = win.webContents.id;
  trustedIds.add(id);
  const clientId = `win-${id}`;
  const remove = core?.hub.addClient(clientId, (event, payload) => {
    if (!win.isDestroyed()) win.webContents.send(event, payload);
  });
  win.on('closed', () => {
    trustedIds.delete(id);
    remove?.();
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html${route}`);
  return win;
}

/** Registers every contract channel on ipcMain, checking the sender before the registry validates arguments. */
function registerIpc(c: AppCore): void {
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, args: unknown) => {
      const frame = event.senderFrame;
      const verdict = checkSender(
        { webContentsId: event.sender.id, frameUrl: frame?.url ?? '', isTopFrame: frame !== null && frame.parent === null },
        { webContentsIds: trustedIds, origin: APP_ORIGIN },
      );
      if (!verdict.ok) return { ok: false, error: { code: 'FORBIDDEN', message: `IPC refused: ${verdict.reason}` } };
      return c.registry.invoke(channel, args, { clientId: `win-${event.sender.id}`, client: `window ${event.sender.id}` });
    });
  }
}

async function main(): Promise<void> {
  let options;
  try {
    options = parseAppOptions(process.argv.slice(app.isPackaged ? 1 : 2), process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`xenith: ${e.message}`);
      app.exit(2);
      return;
    }
    throw e;
  }
  if (options.help) {
    console.log(usageText());
    app.exit(0);
    return;
  }
  await app.whenReady();
  // Checklist 5: deny every permission request (camera, notifications, ...) but fullscreen and clipboard writes for
  // the consoles, and those only for our own origin.
  session.defaultSession.setPermissionRequestHandler((wc, perm, callback, details) =>
    callback(isPermissionAllowed(perm, details.requestingUrl || wc.getURL(), APP_ORIGIN)),
  );
  session.defaultSession.setPermissionCheckHandler((_wc, perm, requestingOrigin) => isPermissionAllowed(perm, requestingOrigin, APP_ORIGIN));
  app.on('web-contents-created', (_e, contents) => hardenContents(contents));

  core = await createAppCore(options, {
    dataDir: app.getPath('userData'),
    clientOrigins: [APP_ORIGIN],
    // Image transfers: main opens the native dialogs itself, modal to the asking window; the renderer never gets a path.
    fileDialogs: createFileDialogs(dialog, (clientId) => {
      const wc = /^win-(\d+)$/.test(clientId) ? webContents.fromId(Number(clientId.slice(4))) : undefined;
      return wc !== undefined && trustedIds.has(wc.id) ? BrowserWindow.fromWebContents(wc) : null;
    }),
    detachConsole: (name, kind) => {
      openWindow(`#/console/${encodeURIComponent(name)}/${kind}`, `${name} — console`, { width: 900, height: 640 });
    },
  });

  if (options.web) {
    const server = await startWebServer({ registry: core.registry, hub: core.hub, staticDir: rendererDir, host: options.listen, port: options.port, transfers: core.services.transfers });
    core.services.clientOrigins.add(server.origin);
    console.log(`Xenith is serving on ${server.url}`);
    app.on('window-all-closed', () => undefined);
    return;
  }
  registerAppProtocol();
  registerIpc(core);
  openWindow('', 'Xenith');
  app.on('window-all-closed', () => {
    void core?.close().finally(() => app.quit());
  });
}

void main();
