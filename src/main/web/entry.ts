import { join } from 'node:path';
import { homedir } from 'node:os';
import { parseAppOptions, usageText, UsageError } from '../core/options';
import { createAppCore } from '../core/app-core';
import { startWebServer } from './server';

/** `npm run web`: the same UI and handlers as the app, served to a browser on 127.0.0.1 behind a random token. */
async function main(): Promise<void> {
  let options;
  try {
    options = parseAppOptions(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`xenith: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  if (options.help) {
    console.log(usageText());
    process.exit(0);
  }
  const dataDir = process.env['XENITH_DATA_DIR'] ?? join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local', 'share'), 'xenith');
  const core = await createAppCore(options, { dataDir, detachConsole: null });
  const server = await startWebServer({
    registry: core.registry,
    hub: core.hub,
    staticDir: join(__dirname, '..', 'renderer'),
    host: options.listen,
    port: options.port,
    token: process.env['XENITH_WEB_TOKEN'] || undefined,
    transfers: core.services.transfers,
  });
  core.services.clientOrigins.add(server.origin);
  const status = core.status();
  console.log(`Xenith (${status.label}) is serving on:\n\n  ${server.url}\n\nOpen it in a browser on this machine (over SSH: ssh -L ${server.port}:127.0.0.1:${server.port} dom0). Ctrl+C stops it.`);
  const stop = () => {
    void Promise.all([server.close(), core.close()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
