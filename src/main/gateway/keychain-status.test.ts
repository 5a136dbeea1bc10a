import { describe, expect, it } from 'vitest';
import { OsKeychain, type KeychainProbe } from '../secrets/keychain.js';
import { KeychainStatus } from './keychain-status.js';

/** The real OS keychain (available or not on this machine), with its probes counted. */
function countedKeychain() {
  const real = new OsKeychain();
  const counted = {
    probes: 0,
    probe(): Promise<KeychainProbe> {
      counted.probes += 1;
      return real.probe();
    },
  };
  return counted;
}

/** Longer than any real probe takes, so these tests see the keychain's own answers. */
const PATIENT_WAIT_MS = 20_000;

/** A keychain whose probe answers only when the test says so: a Secret Service that hangs. */
function heldKeychain() {
  const held = {
    backend: 'secret-service',
    probes: 0,
    answer: (_probe: KeychainProbe) => undefined as void,
    probe(): Promise<KeychainProbe> {
      held.probes += 1;
      return new Promise<KeychainProbe>((resolve) => (held.answer = resolve));
    },
  };
  return held;
}

/** `promise`, or a failure naming what was awaited: status must never wait on a hung keychain. */
async function answered<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no status answer within 2000 ms')), 2000);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function manualClock() {
  let now = 1_700_000_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('KeychainStatus', () => {
  it('answers repeated status calls from one probe until ttlMs has passed', async () => {
    const keychain = countedKeychain();
    const clock = manualClock();
    const status = new KeychainStatus({ keychain, clock, ttlMs: 5_000, waitMs: PATIENT_WAIT_MS });

    const first = await status.current();
    expect(first.backend).toBe(new OsKeychain().backend);
    for (let i = 0; i < 50; i += 1) expect(await status.current()).toEqual(first);
    expect(keychain.probes).toBe(1);

    clock.advance(5_000);
    await status.current();
    expect(keychain.probes).toBe(2);
  });

  it('lets status calls that arrive together share one probe, and asks anew after invalidate', async () => {
    const keychain = countedKeychain();
    const status = new KeychainStatus({
      keychain,
      clock: manualClock(),
      ttlMs: 5_000,
      waitMs: PATIENT_WAIT_MS,
    });

    const answers = await Promise.all(Array.from({ length: 20 }, () => status.current()));
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(keychain.probes).toBe(1);

    status.invalidate();
    await status.current();
    expect(keychain.probes).toBe(2);
  });

  it('past ttlMs answers with the last probe at once while a new one waits on the keychain', async () => {
    const keychain = heldKeychain();
    const clock = manualClock();
    const status = new KeychainStatus({ keychain, clock, ttlMs: 5_000 });
    const first = status.current();
    keychain.answer({ available: true, backend: 'secret-service' });
    expect(await first).toEqual({ available: true, backend: 'secret-service' });

    clock.advance(5_000);
    // The new probe never answers here; status must not wait for it.
    expect(await answered(status.current())).toEqual({
      available: true,
      backend: 'secret-service',
    });
    expect(keychain.probes).toBe(2);
  });

  it('with no answer yet, says the keychain has not answered once waitMs has passed', async () => {
    const keychain = heldKeychain();
    const status = new KeychainStatus({ keychain, clock: manualClock(), ttlMs: 5_000, waitMs: 50 });
    expect(await answered(status.current())).toEqual({
      available: false,
      backend: 'secret-service',
      error: 'the keychain has not answered yet (waited 50 ms)',
    });
    // A late answer is kept and served from then on.
    keychain.answer({ available: true, backend: 'secret-service' });
    await Promise.resolve();
    expect(await status.current()).toEqual({ available: true, backend: 'secret-service' });
    expect(keychain.probes).toBe(1);
  });
});
