/**
 * SIGKILL during session-log appends, 50 times at random moments: every line but possibly
 * the last parses, the reader tolerates a torn last line, and every acknowledged message
 * is there, in order, each run appending to what the killed one left.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SessionStore } from '../../src/main/agents/session-store.js';
import { systemClock } from '../../src/main/util/clock.js';
import { KILL_ROUNDS, runUntilKilled } from './kill-loop.js';

const LOOP = fileURLToPath(new URL('./fixtures/session-append-loop.ts', import.meta.url));
const SESSION = 'crash-session';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sa-session-crash-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it(`keeps every acknowledged message across ${KILL_ROUNDS} SIGKILLs during appends`, async () => {
  const acknowledged: number[] = [];
  for (let round = 0; round < KILL_ROUNDS; round += 1) {
    const next = (acknowledged.at(-1) ?? -1) + 1;
    acknowledged.push(...(await runUntilKilled(LOOP, [dir, SESSION, String(next)])).map(Number));

    const lines = (await readFile(join(dir, `${SESSION}.jsonl`), 'utf8')).split('\n');
    lines.pop(); // '' after a clean last line, or the torn piece of an interrupted append
    for (const [index, line] of lines.entries()) {
      expect(
        () => JSON.parse(line) as unknown,
        `round ${round}: line ${index + 1} parses`,
      ).not.toThrow();
    }
    const stored = await new SessionStore({ sessionsDir: dir, clock: systemClock }).readAll(
      SESSION,
    );
    const numbers = (stored?.messages ?? []).map((m) =>
      Number(/^message (\d+)/.exec(m.content)?.[1]),
    );
    const missing = acknowledged.filter((n) => !numbers.includes(n));
    expect(missing, `round ${round}: acknowledged messages missing`).toEqual([]);
    expect(numbers, 'messages stay in order').toEqual([...numbers].sort((a, b) => a - b));
  }
  expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_ROUNDS);
}, 60_000);
