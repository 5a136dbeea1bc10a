/**
 * When keychain tests run, decided in one place for every suite that needs the real Secret
 * Service. `npm test` (scripts/test.sh) promises a private D-Bus session with an unlocked
 * gnome-keyring by setting `SPECIAL_AGENT_TEST_DBUS=1`: then the keychain tests always run,
 * and a Secret Service that does not answer fails them loudly. Without that promise they run
 * when a D-Bus session is present (`dbus-run-session` by hand, TOOLING.md) and are skipped,
 * with the reason in their name, when there is none.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, it } from 'vitest';
import { OsKeychain } from './keychain.js';

/** True when the environment promised the test D-Bus session of `npm test`. */
export const secretServicePromised = process.env.SPECIAL_AGENT_TEST_DBUS === '1';

/** True when keychain tests run here; false means they are skipped and say why. */
export const hasSecretService =
  secretServicePromised || Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);

/** Appended to the name of every skipped keychain test. */
export const NO_SECRET_SERVICE_REASON = '(skipped: no D-Bus session; run through npm test)';

/** `name`, with the reason appended when keychain tests are skipped here. */
export function keychainTestName(name: string): string {
  return hasSecretService ? name : `${name} ${NO_SECRET_SERVICE_REASON}`;
}

/**
 * Rejects with the cause when the Secret Service does not answer. Only reads, from a service
 * of its own, so it never meets a stored entry.
 */
export async function assertSecretServiceReachable(): Promise<void> {
  const promise = secretServicePromised
    ? 'npm test promised a Secret Service (SPECIAL_AGENT_TEST_DBUS=1)'
    : 'keychain tests need the Secret Service';
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error(`${promise}, but DBUS_SESSION_BUS_ADDRESS is unset`);
  }
  const service = `special-agent-test-probe-${randomUUID().slice(0, 8)}`;
  const probe = await new OsKeychain({ service }).probe();
  if (!probe.available) throw new Error(`${promise}, but it is unreachable: ${probe.error}`);
}

/**
 * `describe` for a suite on the real Secret Service: skipped with the reason in its name
 * when there is no D-Bus session, otherwise first checks that the Secret Service answers.
 */
export function describeWithKeychain(name: string, body: () => void): void {
  describe.skipIf(!hasSecretService)(keychainTestName(name), () => {
    beforeAll(assertSecretServiceReachable);
    body();
  });
}

/** `it` for one test on the real Secret Service, with the same rule as {@link describeWithKeychain}. */
export function itWithKeychain(name: string, test: () => Promise<void>): void {
  it.skipIf(!hasSecretService)(keychainTestName(name), async () => {
    await assertSecretServiceReachable();
    await test();
  });
}

/** True on Linux, the one platform where a test can cut the keychain off (a dead D-Bus address). */
export const onLinux = process.platform === 'linux';

/** `name`, with the reason appended when a Linux-only (D-Bus) test is skipped here. */
export function linuxOnlyName(name: string): string {
  return onLinux ? name : `${name} (skipped: needs Linux, where the keychain is on D-Bus)`;
}
