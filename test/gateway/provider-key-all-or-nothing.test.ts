/**
 * All or nothing (issue 15): `models.providers.upsert` with an `apiKey` — what the Control
 * UI's provider form sends when the person typed a key — stores the provider AND its key,
 * or neither. With no keychain reachable (a real gateway child whose D-Bus socket nobody
 * listens on) the config file keeps every byte; with the real Secret Service, a file edit
 * that is refused puts the keychain back as it was.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OsKeychain } from '../../src/main/secrets/keychain.js';
import { linuxOnlyName, onLinux } from '../../src/main/secrets/keychain.test-support.js';
import { childEnv, runGateway, type ChildRun } from '../helpers/child.js';
import {
  connectDevice,
  deviceClient,
  hasSecretService,
  newIdentity,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { within } from '../helpers/within.js';

const CONFIG = `// hand-edited
{
  gateway: { port: 0 },
  models: {
    providers: {
      x: { type: 'openai',   baseUrl: 'https://api.example.invalid/v1' }, // stays
    },
  },
}
`;
/** How long the gateway child may take to exit after SIGTERM before the test says so. */
const EXIT_GUARD_MS = 5000;
const TOKEN = `all-or-nothing-token-${randomBytes(8).toString('hex')}`;

let home: string | undefined;
const children: ChildRun[] = [];
let gateway: TestGateway | undefined;
const keychain = new OsKeychain({
  service: `special-agent-test-aon-${randomBytes(4).toString('hex')}`,
});

afterEach(async () => {
  for (const child of children.splice(0))
    if (child.child.exitCode === null) child.child.kill('SIGKILL');
  if (home) await rm(home, { recursive: true, force: true });
  home = undefined;
  await gateway?.stop();
  gateway = undefined;
  if (hasSecretService) {
    await keychain.delete('provider:x');
    await keychain.delete('provider:fresh');
  }
});

describe.skipIf(!onLinux)(linuxOnlyName('upsert with a key and no keychain reachable'), () => {
  it('adding or editing a provider with a key answers KEYCHAIN_UNAVAILABLE, leads with the fix and leaves config.json5 byte-identical', async () => {
    home = await mkdtemp(join(tmpdir(), 'special-agent-test-aon-'));
    const file = join(home, 'config.json5');
    await writeFile(file, CONFIG);
    const before = await readFile(file);
    const deadBus = `unix:path=${join(home, 'no-bus-here')}`;
    const child = runGateway(
      childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: TOKEN, DBUS_SESSION_BUS_ADDRESS: deadBus }),
    );
    children.push(child);
    const [, url] = await child.waitFor(/listening on (http:\/\/\S+)/);
    const client = deviceClient(url!.replace('http://', 'ws://'), {
      identity: await newIdentity(),
      auth: { token: TOKEN },
    });
    await client.connect();
    const key = `sk-never-stored-${randomBytes(8).toString('hex')}`;
    const unavailable = {
      code: 'UNAVAILABLE',
      details: { code: 'KEYCHAIN_UNAVAILABLE' },
      message: expect.stringMatching(
        /^The OS keychain is not available: unlock it or start gnome-keyring/,
      ) as unknown,
    };
    await expect(
      client.request('models.providers.upsert', {
        id: 'fresh',
        type: 'openai',
        baseUrl: 'https://new.example.invalid/v1',
        apiKey: key,
      }),
      'adding a provider with a key',
    ).rejects.toMatchObject(unavailable);
    await expect(
      client.request('models.providers.upsert', {
        id: 'x',
        type: 'anthropic',
        baseUrl: 'https://changed.example.invalid/v1',
        apiKey: key,
      }),
      'editing a provider with a key',
    ).rejects.toMatchObject(unavailable);
    client.close();
    child.child.kill('SIGTERM');
    await within(EXIT_GUARD_MS, child.exited, 'the gateway child to exit after SIGTERM');
    expect((await readFile(file)).equals(before), 'config.json5 is byte-identical').toBe(true);
    expect(child.stdout + child.stderr, 'the gateway output').not.toContain(key);
  });
});

describe.skipIf(!hasSecretService)(
  'upsert with a key (real Secret Service; skipped: no D-Bus session, run npm test)',
  () => {
    it('stores the provider and its key together, and answers the credential without the key', async () => {
      gateway = await startTestGateway({ config: CONFIG, keychain });
      const { client } = await connectDevice(gateway);
      const key = `sk-stored-${randomBytes(8).toString('hex')}`;
      const answer = await client.request<Record<string, unknown>>('models.providers.upsert', {
        id: 'fresh',
        type: 'openai',
        baseUrl: 'https://new.example.invalid/v1',
        apiKey: key,
      });
      expect(answer).toMatchObject({
        provider: { id: 'fresh', baseUrl: 'https://new.example.invalid/v1' },
        credential: { source: 'keychain', storedIn: 'keychain' },
      });
      expect(JSON.stringify(answer), 'the answer').not.toContain(key);
      expect(await keychain.get('provider:fresh'), 'the keychain entry').toBe(key);
      const text = await readFile(join(gateway.home, 'config.json5'), 'utf8');
      expect(text, 'the file names the new provider').toContain('https://new.example.invalid/v1');
      expect(text, 'the file never holds the key').not.toContain(key);
      expect(text, 'the hand-written comment').toContain('// stays');
      client.close();
    });

    it('a refused file edit leaves the keychain as it was: the old key stays, a new provider gets none', async () => {
      gateway = await startTestGateway({ config: CONFIG, keychain });
      const { client } = await connectDevice(gateway);
      await keychain.set('provider:x', 'sk-old-key-0001');
      const file = join(gateway.home, 'config.json5');
      // A broken file (a text editor mid-edit): the gateway keeps its last good config,
      // and every edit is refused with CONFIG_INVALID.
      const broken = CONFIG.replace('// stays', ', oops');
      await writeFile(file, broken);
      const invalid = { code: 'INVALID_REQUEST', details: { code: 'CONFIG_INVALID' } };
      await expect(
        client.request('models.providers.upsert', {
          id: 'x',
          type: 'openai',
          baseUrl: 'https://changed.example.invalid/v1',
          apiKey: 'sk-new-key-0002',
        }),
        'editing with a key while the file is broken',
      ).rejects.toMatchObject(invalid);
      await expect(
        client.request('models.providers.upsert', {
          id: 'fresh',
          type: 'openai',
          baseUrl: 'https://new.example.invalid/v1',
          apiKey: 'sk-new-key-0003',
        }),
        'adding with a key while the file is broken',
      ).rejects.toMatchObject(invalid);
      expect(await keychain.get('provider:x'), 'the edited provider keeps its old key').toBe(
        'sk-old-key-0001',
      );
      expect(await keychain.get('provider:fresh'), 'no key for a provider never added').toBe(null);
      expect(await readFile(file, 'utf8'), 'the broken file is not touched').toBe(broken);
      client.close();
    });
  },
);

describe('the provider methods with baseHash', () => {
  it('answer the file’s new hash, so a form saves again on it without a CONFLICT from its own write', async () => {
    gateway = await startTestGateway({ config: CONFIG });
    const { client } = await connectDevice(gateway);
    const loaded = (await client.request<{ hash: string }>('config.get')).hash;
    const first = await client.request<{ hash?: string }>('models.providers.upsert', {
      id: 'x',
      type: 'openai',
      baseUrl: 'https://first.example.invalid/v1',
      baseHash: loaded,
    });
    expect(first.hash, 'upsert answers a new hash').toMatch(/^[0-9a-f]{64}$/);
    expect(first.hash, 'the hash moved with the write').not.toBe(loaded);
    await client.request('models.providers.upsert', {
      id: 'x',
      type: 'openai',
      baseUrl: 'https://second.example.invalid/v1',
      baseHash: first.hash,
    });
    const text = await readFile(join(gateway.home, 'config.json5'), 'utf8');
    expect(text, 'the second save landed').toContain('https://second.example.invalid/v1');
    client.close();
  });
});
