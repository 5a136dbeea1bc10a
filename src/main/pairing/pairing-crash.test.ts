import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { systemClock } from '../util/clock.js';
import { PairingStore } from './pairing-store.js';
import { tempHome } from './test-fixtures/support.js';
import { KILL_ROUNDS as ROUNDS, runUntilKilled } from '../../../test/crash/kill-loop.js';

const CRASH_LOOP = fileURLToPath(new URL('./test-fixtures/crash-loop.ts', import.meta.url));

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  await home.remove();
});

it(`keeps every reported approval across ${ROUNDS} SIGKILLs at random moments`, async () => {
  const reported = new Set<string>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const deviceId of await runUntilKilled(CRASH_LOOP, [home.storePath]))
      reported.add(deviceId);

    const paired = (await PairingStore.open(home.storePath, { clock: systemClock })).loaded()
      .paired;
    const missing = [...reported].filter((deviceId) => paired[deviceId] === undefined);
    expect(missing, `round ${round}`).toEqual([]);
  }
  expect(reported.size).toBeGreaterThanOrEqual(ROUNDS);
  // Nothing was ever found corrupt; stray temp files were cleaned up on open.
  const files = await readdir(dirname(home.storePath));
  expect(files.filter((name) => name !== 'devices.journal')).toEqual(['devices.json']);
}, 90_000);
