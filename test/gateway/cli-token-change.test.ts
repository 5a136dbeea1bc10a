/**
 * A gateway token or password set with `special-agent configure set` goes to the keychain,
 * which no file event announces; the running gateway must still switch to it at once, as
 * it does for `gateway.auth.rotate`: shared-secret sessions close 4001, the new secret
 * is accepted and the old one refused. Real gateway, real CLI process, real Secret Service.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { keychainForHome } from '../../src/main/secrets/keychain.js';
import { childEnv, runCli } from '../helpers/child.js';
import {
  connectDevice,
  hasSecretService,
  makeTempHome,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { OUTCOME_WAIT_MS, within } from '../helpers/within.js';

let gateway: TestGateway | undefined;
let ownHome: string | undefined;
afterEach(async () => {
  const keychain = gateway?.keychain;
  await gateway?.stop();
  gateway = undefined;
  await keychain?.delete('gateway:token');
  await keychain?.delete('gateway:password');
  if (ownHome !== undefined) await rm(ownHome, { recursive: true, force: true });
  ownHome = undefined;
});

/** Long enough for tsx to start the CLI on a loaded machine. */
const CLI_WAIT_MS = 20_000;
const newSecret = () => randomBytes(24).toString('base64url');

/** The new token admits a client at once; the old one is refused. */
async function expectTokenReplaced(gw: TestGateway, tokens: { token: string; old: string }) {
  expect((await connectDevice(gw, { auth: { token: tokens.token } })).hello.type, 'new token').toBe(
    'hello-ok',
  );
  await expect(
    connectDevice(gw, { auth: { token: tokens.old } }),
    'old token',
  ).rejects.toMatchObject({ details: { code: 'AUTH_TOKEN_MISMATCH' } });
}

describe.skipIf(!hasSecretService)(
  'a gateway secret set from the CLI (real Secret Service; skipped: no D-Bus session, run npm test)',
  () => {
    it('`configure set gateway.auth.token` closes shared-token sessions 4001 at once; the new token works, the old is refused', async () => {
      gateway = await startTestGateway({ noEnvToken: true });
      const old = (await gateway.keychain.get('gateway:token'))!;
      expect(old, 'the token the gateway generated').toBeTruthy();
      const session = await connectDevice(gateway, { auth: { token: old } });
      const closed = session.client.closed();

      const token = newSecret();
      const cli = await within(
        CLI_WAIT_MS,
        runCli(['configure', 'set', 'gateway.auth.token', '-'], childEnv(gateway.home), token),
        'special-agent configure set gateway.auth.token to exit',
      );
      expect(cli, 'the CLI run').toMatchObject({ code: 0, stderr: '' });

      expect(
        await within(OUTCOME_WAIT_MS, closed, 'close 4001 of the session on the old token'),
        'close of the shared-token session',
      ).toEqual({ code: 4001, reason: 'gateway auth changed' });
      await expectTokenReplaced(gateway, { token, old });
    });

    it('`config.set gateway.auth.token` through the gateway switches it at once, keeping the caller', async () => {
      gateway = await startTestGateway({ noEnvToken: true });
      const old = (await gateway.keychain.get('gateway:token'))!;
      const admin = await connectDevice(gateway, { auth: { token: old } });
      const other = await connectDevice(gateway, { auth: { token: old } });
      const closed = other.client.closed();

      const token = newSecret();
      expect(
        await admin.client.request('config.set', { path: 'gateway.auth.token', value: token }),
      ).toMatchObject({ storedIn: 'keychain' });
      expect(
        await within(OUTCOME_WAIT_MS, closed, 'close 4001 of the other session on the old token'),
        'close of the other shared-token session',
      ).toEqual({ code: 4001, reason: 'gateway auth changed' });
      await expectTokenReplaced(gateway, { token, old });
      // The caller set it: like gateway.auth.rotate, its own session stays.
      expect(await admin.client.request('status'), 'the caller, still connected').toMatchObject({
        version: expect.any(String),
      });
    });

    it('`config.set gateway.auth.token` keeps the caller also when the old token was plaintext in the file', async () => {
      const old = newSecret();
      gateway = await startTestGateway({
        config: { gateway: { auth: { token: old } } },
        noEnvToken: true,
      });
      const admin = await connectDevice(gateway, { auth: { token: old } });
      const token = newSecret();
      // The plaintext copy leaves the file in the same change: a file reload that must not
      // close the session that made the change.
      expect(
        await admin.client.request('config.set', { path: 'gateway.auth.token', value: token }),
      ).toMatchObject({ storedIn: 'keychain' });
      expect(await admin.client.request('status'), 'the caller, still connected').toMatchObject({
        version: expect.any(String),
      });
      await expectTokenReplaced(gateway, { token, old });
    });

    it('`configure set gateway.auth.password` switches a password-mode gateway at once', async () => {
      const home = (ownHome = await makeTempHome());
      const old = newSecret();
      await keychainForHome(home).set('gateway:password', old);
      gateway = await startTestGateway({
        home,
        config: { gateway: { auth: { mode: 'password' } } },
        noEnvToken: true,
      });
      const session = await connectDevice(gateway, { auth: { password: old } });
      const closed = session.client.closed();

      const password = newSecret();
      const cli = await within(
        CLI_WAIT_MS,
        runCli(['configure', 'set', 'gateway.auth.password', '-'], childEnv(home), password),
        'special-agent configure set gateway.auth.password to exit',
      );
      expect(cli, 'the CLI run').toMatchObject({ code: 0, stderr: '' });

      expect(
        await within(OUTCOME_WAIT_MS, closed, 'close 4001 of the session on the old password'),
        'close of the shared-password session',
      ).toEqual({ code: 4001, reason: 'gateway auth changed' });
      expect(
        (await connectDevice(gateway, { auth: { password } })).hello.type,
        'new password',
      ).toBe('hello-ok');
      await expect(
        connectDevice(gateway, { auth: { password: old } }),
        'old password',
      ).rejects.toMatchObject({ details: { code: 'AUTH_PASSWORD_MISMATCH' } });
    });
  },
);
