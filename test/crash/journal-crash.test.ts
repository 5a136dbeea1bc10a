/**
 * SIGKILL during pairing-journal appends and during compaction (the fold of the journal
 * into devices.json), 50 times at random moments: after each restart every acknowledged
 * change is there (approvals, revoked tokens, removals), the devices the store started
 * with are all still there, and the store opens cleanly (a torn last journal line is
 * dropped, never read as damage).
 */
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PairingStore } from '../../src/main/pairing/pairing-store.js';
import { writeVersionTwoStore } from '../../src/main/pairing/test-fixtures/generated-store.js';
import { tempHome } from '../../src/main/pairing/test-fixtures/support.js';
import { systemClock } from '../../src/main/util/clock.js';
import { KILL_ROUNDS, runUntilKilled } from './kill-loop.js';

const LOOP = fileURLToPath(new URL('./fixtures/journal-loop.ts', import.meta.url));
/** Devices in the store before the first run: each fold rewrites them all. */
const STARTING_DEVICES = 1_000;

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  await home.remove();
});

it(`keeps every acknowledged change across ${KILL_ROUNDS} SIGKILLs during appends and compaction`, async () => {
  const starting = Object.keys(
    (await writeVersionTwoStore(home.storePath, STARTING_DEVICES)).paired,
  );
  const changes = {
    paired: new Set<string>(),
    revoked: new Set<string>(),
    removing: new Set<string>(),
    removed: new Set<string>(),
  };
  for (let round = 0; round < KILL_ROUNDS; round += 1) {
    for (const line of await runUntilKilled(LOOP, [home.storePath])) {
      const [change, deviceId] = line.split(' ') as [keyof typeof changes, string];
      changes[change].add(deviceId);
    }

    const { paired } = (await PairingStore.open(home.storePath, { clock: systemClock })).loaded();
    // A removal under way when the kill came may or may not have landed.
    const kept = [...changes.paired].filter((id) => !changes.removing.has(id));
    expect(
      kept.filter((id) => paired[id] === undefined),
      `round ${round}: approvals lost`,
    ).toEqual([]);
    expect(
      [...changes.revoked].filter(
        (id) => paired[id] && paired[id].tokens[0]?.revokedAtMs === undefined,
      ),
      `round ${round}: revocations lost`,
    ).toEqual([]);
    expect(
      [...changes.removed].filter((id) => paired[id] !== undefined),
      `round ${round}: removed devices back`,
    ).toEqual([]);
    expect(
      starting.filter((id) => paired[id] === undefined),
      `round ${round}: starting devices lost`,
    ).toEqual([]);
  }
  expect(changes.paired.size).toBeGreaterThanOrEqual(KILL_ROUNDS);
  expect(changes.removed.size).toBeGreaterThan(0);
  // Nothing was ever found corrupt (no copy moved aside); stray temp files were cleaned up.
  const files = await readdir(dirname(home.storePath));
  expect(files.filter((name) => name !== 'devices.journal')).toEqual(['devices.json']);
}, 240_000);
