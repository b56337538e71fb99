import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BROKER_POLICY, type BrokerPolicy } from '../../../../src/xen/broker/policy';
import { createLocalExecutor } from '../../../../src/xen/runner/local';
import { makeTempDir, writeScript } from '../runner/fake-bin';
import { startHarness, type Harness } from './harness';

// xl create -n through root's broker: the app asks for a typed operation (a saved file's path, or a config's values),
// never an argv or file text; root builds the argv from the command table and checks it against its policy.

let bin: string;
let log: string;
let etc: string;
let images: string;

beforeAll(() => {
  bin = makeTempDir('xenith-dry-bin-');
  log = path.join(makeTempDir('xenith-dry-log-'), 'argv.log');
  writeFileSync(log, '');
  // A stand-in xl that logs every argv it is run with, so a refusal can be seen to run nothing.
  writeScript(bin, 'xl', `#!${process.execPath}\nrequire('fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\nprocess.stderr.write('Parsing config from x\\n');\n`);
  etc = makeTempDir('xenith-dry-etc-');
  mkdirSync(path.join(etc, 'auto'));
  mkdirSync(path.join(etc, 'save'));
  writeFileSync(path.join(etc, 'web.cfg'), 'name = "web"\nmemory = 256\n');
  images = makeTempDir('xenith-dry-img-');
  writeFileSync(path.join(images, 'web.img'), '');
});

function harness(): Harness {
  const policy: BrokerPolicy = { ...DEFAULT_BROKER_POLICY, configDir: etc, autoDir: path.join(etc, 'auto'), saveDir: path.join(etc, 'save'), imageDirs: [images], bootDirs: [] };
  return startHarness({ executor: createLocalExecutor({ binDir: bin }), policy });
}

const ran = (): string[][] => readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as string[]);
const errorOf = (m: Record<string, unknown>) => (m['ok'] === false ? (m['error'] as { code: string; message: string }) : undefined);

describe('xl create -n through the broker', () => {
  it("runs Xenith's own requests with exactly the argv the table builds", async () => {
    const h = harness();
    writeFileSync(log, '');
    const values = { name: 'web', memory: 256, disk: [`${images}/web.img,raw,xvda,rw`], vif: ['mac=00:16:3e:00:00:01,bridge=xenbr0'] };
    expect((await h.request('config.dryRunValues', { values }))['ok']).toBe(true);
    expect((await h.request('config.dryRun', { file: path.join(etc, 'web.cfg') }))['ok']).toBe(true);
    expect(ran()).toEqual([
      ['create', '-n', '/dev/null', 'name = "web"', 'memory = 256', `disk = [ "${images}/web.img,raw,xvda,rw" ]`, 'vif = [ "mac=00:16:3e:00:00:01,bridge=xenbr0" ]'],
      ['create', '-n', path.join(etc, 'web.cfg')],
    ]);
  });

  it('refuses what root would not start, and runs nothing', async () => {
    const h = harness();
    writeFileSync(log, '');
    const refused: [Record<string, unknown>, string][] = [
      [{ values: { name: 'x', bootloader: '/bin/sh' } }, 'INVALID_ARG'],
      [{ values: { name: 'x', device_model_override: '/bin/sh' } }, 'INVALID_ARG'],
      [{ values: { name: 'x', disk: ['/etc/shadow,raw,xvda,rw'] } }, 'PERMISSION'],
      [{ values: { 'name = "x"\nbootloader': '/bin/sh' } }, 'INVALID_ARG'],
      [{ values: { name: 'x\nbootloader = "/bin/sh"' } }, 'INVALID_ARG'],
      [{ values: {} }, 'INVALID_ARG'],
      [{ text: 'name = "x"\n' }, 'INVALID_ARG'],
      [{ values: { name: 'x' }, argv: ['create', '-n', '/dev/null'] }, 'INVALID_ARG'],
    ];
    for (const [args, code] of refused) expect(errorOf(await h.request('config.dryRunValues', args))?.code, JSON.stringify(args)).toBe(code);
    expect(errorOf(await h.request('config.dryRun', { file: '/etc/shadow' }))?.code).toBe('PERMISSION');
    // /dev/null with no lines would be an empty config: refused, not read.
    expect(errorOf(await h.request('config.dryRun', { file: '/dev/null' }))?.code).toBe('INVALID_ARG');
    expect(ran()).toEqual([]);
  });
});
