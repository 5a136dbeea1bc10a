/**
 * No silent plaintext fallback (DESIGN.md "Secrets"), through the real CLI and the real
 * gateway: with no keychain reachable, storing a key fails with KEYCHAIN_UNAVAILABLE and the
 * config file keeps every byte. The children get a D-Bus address whose socket nobody
 * listens on, so the keychain cannot be reached (the same approach as
 * src/main/secrets/keychain-unavailable.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linuxOnlyName, onLinux } from '../../src/main/secrets/keychain.test-support.js';
import { childEnv, runCli, runGateway, type ChildRun } from '../helpers/child.js';
import { deviceClient, newIdentity } from '../helpers/gateway.js';
import { expectOneLineFailure } from './cli-test-support.js';

const TOKEN = `no-keychain-test-token-${randomBytes(8).toString('hex')}`;
/** How long the gateway may take to exit after SIGTERM before the test says so. */
const EXIT_GUARD_MS = 5000;

// A hand-edited file: comments, odd spacing and a plaintext key that must all survive.
const CONFIG = `// my settings, hand-edited
{
  gateway: { port: 0 },
  models: {
    providers: {
      x: { type: 'openai',   baseUrl: 'https://api.example.invalid/v1', apiKey: 'sk-plaintext-kept-0000' }, // stays
    },
  },
}
`;

let home: string;
let deadBus: string;
const children: ChildRun[] = [];

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'special-agent-test-nokc-'));
  await writeFile(join(home, 'config.json5'), CONFIG);
  // A socket path nothing listens on: connecting fails at once with ENOENT.
  deadBus = `unix:path=${join(home, 'no-bus-here')}`;
});

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.child.exitCode === null) child.child.kill('SIGKILL');
  await rm(home, { recursive: true, force: true });
});

/** Resolves when `run` has exited; rejects naming what was awaited after `ms`. */
async function exitWithin(run: ChildRun, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gateway did not exit within ${ms} ms`)), ms);
  });
  await Promise.race([run.exited, guard]).finally(() => clearTimeout(timer));
}

const configBytes = () => readFile(join(home, 'config.json5'));

describe.skipIf(!onLinux)(linuxOnlyName('with no keychain reachable'), () => {
  it('configure set models.providers.x.apiKey exits 1 with KEYCHAIN_UNAVAILABLE and leaves config.json5 byte-identical', async () => {
    const before = await configBytes();
    const key = `sk-never-stored-${randomBytes(8).toString('hex')}`;
    const result = await runCli(
      ['configure', 'set', 'models.providers.x.apiKey', key],
      childEnv(home, { DBUS_SESSION_BUS_ADDRESS: deadBus }),
    );
    expectOneLineFailure(
      result,
      1,
      /^special-agent: The OS keychain is not available: unlock it or start gnome-keyring.*apt install gnome-keyring.*\. \(D-Bus: .+\)$/,
    );
    expect(result.stdout + result.stderr).not.toContain(key);
    expect((await configBytes()).equals(before)).toBe(true);
  });

  it('models.providers.setKey and config.set of a key answer KEYCHAIN_UNAVAILABLE on the gateway and leave config.json5 byte-identical', async () => {
    const before = await configBytes();
    const gateway = runGateway(
      childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: TOKEN, DBUS_SESSION_BUS_ADDRESS: deadBus }),
    );
    children.push(gateway);
    const [, url] = await gateway.waitFor(/listening on (http:\/\/\S+)/);
    const client = deviceClient(url!.replace('http://', 'ws://'), {
      identity: await newIdentity(),
      auth: { token: TOKEN },
    });
    await client.connect();
    const key = `sk-never-stored-${randomBytes(8).toString('hex')}`;
    const unavailable = {
      details: { code: 'KEYCHAIN_UNAVAILABLE' },
      message: expect.stringMatching(
        /^The OS keychain is not available: unlock it or start gnome-keyring.*\(D-Bus: .+\)$/,
      ) as unknown,
    };
    await expect(
      client.request('models.providers.setKey', { id: 'x', apiKey: key }),
    ).rejects.toMatchObject(unavailable);
    await expect(
      client.request('config.set', { path: 'models.providers.x.apiKey', value: key }),
    ).rejects.toMatchObject(unavailable);
    client.close();
    gateway.child.kill('SIGTERM');
    await exitWithin(gateway, EXIT_GUARD_MS);
    expect((await configBytes()).equals(before)).toBe(true);
    expect(gateway.stdout + gateway.stderr).not.toContain(key);
  });
});
