/**
 * SIGKILL during session-log appends, 50 times at random moments: every line but possibly
 * the last parses, the reader tolerates a torn last line, and every acknowledged message
 * is there, in order, with later runs appending cleanly after a torn line.
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
  let tornSeen = 0;
  for (let round = 0; round < KILL_ROUNDS; round += 1) {
    const next = (acknowledged.at(-1) ?? -1) + 1;
    acknowledged.push(...(await runUntilKilled(LOOP, [dir, SESSION, String(next)])).map(Number));

    const text = await readFile(join(dir, `${SESSION}.jsonl`), 'utf8');
    const lines = text.split('\n');
    const last = lines.pop();
    if (last !== '') tornSeen += 1;
    for (const [index, line] of lines.entries()) {
      // A torn line from an earlier round stays in the file, followed by a clean newline.
      const parsed = (() => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return undefined;
        }
      })();
      if (parsed === undefined) expect(index, `round ${round}: only whole lines after the header`).toBeGreaterThan(0);
    }
    const stored = await new SessionStore({ sessionsDir: dir, clock: systemClock }).readAll(SESSION);
    const numbers = (stored?.messages ?? []).map((m) => Number(/^message (\d+)/.exec(m.content)?.[1]));
    const missing = acknowledged.filter((n) => !numbers.includes(n));
    expect(missing, `round ${round}: acknowledged messages missing`).toEqual([]);
    expect(numbers, 'messages stay in order').toEqual([...numbers].sort((a, b) => a - b));
  }
  expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_ROUNDS);
  expect(tornSeen).toBeGreaterThanOrEqual(0);
}, 90_000);
