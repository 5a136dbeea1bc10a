/**
 * SIGKILL during config edits, 50 times at random moments: the file always parses, keeps
 * its comments, and holds one of the two versions being written, never a mix. A kill while
 * the editor holds `config.json5.lock` leaves the lock naming a dead PID: the next child
 * must take it over (else it waits, fails, and the round's assertion says so).
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/main/config/load.js';
import { resolvePaths } from '../../src/main/config/paths.js';
import { KILL_ROUNDS, runUntilKilled } from './kill-loop.js';

const LOOP = fileURLToPath(new URL('./fixtures/config-edit-loop.ts', import.meta.url));
const version = (port: number) =>
  `// my gateway\n{\n  gateway: {\n    // the port\n    port: ${port},\n  },\n}\n`;

let home: string;
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'sa-config-crash-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

it(`keeps config.json5 whole across ${KILL_ROUNDS} SIGKILLs during edits`, async () => {
  const path = join(home, 'config.json5');
  await writeFile(path, version(19002));
  const versions = [version(19001), version(19002)];
  let acknowledged = 0;
  let locksLeft = 0;
  for (let round = 0; round < KILL_ROUNDS; round += 1) {
    const lines = await runUntilKilled(LOOP, [home]);
    acknowledged += lines.length;
    if (await stat(`${path}.lock`).then(Boolean, () => false)) locksLeft += 1;
    const text = await readFile(path, 'utf8');
    expect(versions, `round ${round}: the file is one of the two versions`).toContain(text);
    const { config } = await loadConfig(resolvePaths({ SPECIAL_AGENT_HOME: home }));
    expect([19001, 19002]).toContain(config.gateway.port);
  }
  expect(acknowledged).toBeGreaterThanOrEqual(KILL_ROUNDS);
  // The editor holds the lock for most of each edit, so kills inside it are the rule.
  expect(
    locksLeft,
    'rounds whose kill left a lock for the next child to take over',
  ).toBeGreaterThan(0);
}, 60_000);
