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

function manualClock() {
  let now = 1_700_000_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('KeychainStatus', () => {
  it('answers repeated status calls from one probe until ttlMs has passed', async () => {
    const keychain = countedKeychain();
    const clock = manualClock();
    const status = new KeychainStatus({ keychain, clock, ttlMs: 5_000 });

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
    const status = new KeychainStatus({ keychain, clock: manualClock(), ttlMs: 5_000 });

    const answers = await Promise.all(Array.from({ length: 20 }, () => status.current()));
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(keychain.probes).toBe(1);

    status.invalidate();
    await status.current();
    expect(keychain.probes).toBe(2);
  });
});
