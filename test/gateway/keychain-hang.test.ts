/**
 * A keychain that accepts the connection and then never answers must cost only the call
 * that waits for it: the real gateway (in a child, its session bus a silent one) keeps
 * answering `status`, new connections and the CLI while that call is pending, and the call
 * fails at its deadline with KEYCHAIN_UNAVAILABLE and the fix.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { linuxOnlyName, onLinux } from '../../src/main/secrets/keychain.test-support.js';
import { ChildRun, childEnv, runCli } from '../helpers/child.js';
import { deviceClient, makeTempHome, newIdentity, writeConfig } from '../helpers/gateway.js';
import { startSilentBus, type SilentBus } from '../helpers/silent-bus.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/keychain-deadline-gateway.ts', import.meta.url));
/** The injected keychain deadline: long enough for a CLI child to start, short for a test. */
const DEADLINE_MS = 3000;
const WAIT_MS = 10_000;

let bus: SilentBus | undefined;
let gateway: ChildRun | undefined;
let home: string | undefined;
afterEach(async () => {
  // SIGKILL: the abandoned worker thread is still inside libdbus, and a graceful exit would
  // wait for libdbus's own 25 s timeout (keychain-host.ts). What matters was asserted already.
  if (gateway && gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
  await gateway?.exited;
  await bus?.close();
  if (home) await rm(home, { recursive: true, force: true });
  gateway = bus = home = undefined;
});

/** `promise`, or a failure naming `what` after WAIT_MS. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${WAIT_MS} ms`)), WAIT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe.skipIf(!onLinux)(
  linuxOnlyName('with a Secret Service that accepts and never answers'),
  () => {
    it('status, a connect and configure get answer while a keychain call waits, which fails at its deadline', async () => {
      bus = await startSilentBus();
      home = await makeTempHome();
      const models = {
        providers: { x: { type: 'openai', baseUrl: 'https://api.example.invalid/v1' } },
      };
      await writeConfig(home, { models });
      const token = randomBytes(24).toString('base64url');
      const env = childEnv(home, {
        SPECIAL_AGENT_GATEWAY_TOKEN: token,
        DBUS_SESSION_BUS_ADDRESS: bus.address,
      });
      gateway = new ChildRun(FIXTURE, [String(DEADLINE_MS)], env);
      const [, url] = await gateway.waitFor(/listening on http:\/\/(\S+)\//, WAIT_MS);
      const wsUrl = `ws://${url}/`;
      const admin = deviceClient(wsUrl, { identity: await newIdentity(), auth: { token } });
      await within(admin.connect(), 'first connect');

      let settled = false;
      const storing = admin
        .request('models.providers.setKey', {
          id: 'x',
          apiKey: `sk-hang-${randomBytes(6).toString('hex')}`,
        })
        .finally(() => (settled = true));
      storing.catch(() => undefined);

      const cli = runCli(['configure', 'get', 'gateway.port'], env).then((result) => ({
        result,
        pending: !settled,
      }));
      const status = await within(admin.request<{ keychain: unknown }>('status'), 'status answer');
      expect(settled, 'the keychain call was still pending when status answered').toBe(false);
      expect(status.keychain).toMatchObject({ backend: 'secret-service' });

      const other = deviceClient(wsUrl, { identity: await newIdentity(), auth: { token } });
      await within(other.connect(), 'second connect');
      expect(settled, 'the keychain call was still pending when a connect completed').toBe(false);
      other.close();

      const configured = await within(cli, 'configure get gateway.port');
      expect(configured.result.stdout).toBe('0\n');
      expect(configured.result.code, configured.result.stderr).toBe(0);
      expect(
        configured.pending,
        'the keychain call was still pending when configure get exited',
      ).toBe(true);
      expect(bus.begun(), 'the keychain call reached the bus').toBeGreaterThan(0);

      await expect(within(storing, 'keychain call failure')).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        details: { code: 'KEYCHAIN_UNAVAILABLE' },
        // setKey reads the entry it replaces first (so a failure can restore it): the wait
        // that runs out may be that read, whose message has no "nothing was saved".
        message: expect.stringMatching(
          /^The OS keychain did not answer within 3 s: unlock it or restart gnome-keyring \(or KWallet\), then retry/,
        ),
      });
      // And the gateway still serves once the call has given up.
      await within(admin.request('status'), 'status after the failure');
      admin.close();
    });
  },
);
