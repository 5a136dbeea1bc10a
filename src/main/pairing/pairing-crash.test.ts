import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { systemClock } from '../util/clock.js';
import { PairingStore } from './pairing-store.js';
import { tempHome } from './test-fixtures/support.js';

const CRASH_LOOP = fileURLToPath(new URL('./test-fixtures/crash-loop.ts', import.meta.url));
const ROUNDS = 50;

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  await home.remove();
});

/**
 * Runs the pairing loop in a child process and SIGKILLs it 5–60 ms after its first
 * approval. Returns every deviceId the child reported as approved before it died.
 */
async function runUntilKilled(storePath: string): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CRASH_LOOP, storePath], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let killTimer: NodeJS.Timeout | undefined;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (killTimer === undefined && stdout.includes('\n')) {
      killTimer = setTimeout(() => child.kill('SIGKILL'), 5 + Math.random() * 55);
    }
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(killTimer);
  expect({ code, signal, stderr }).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
  // A line cut off by the kill was never fully reported; only whole lines count.
  return stdout.split('\n').slice(0, -1);
}

it(`keeps every reported approval across ${ROUNDS} SIGKILLs at random moments`, async () => {
  const reported = new Set<string>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const deviceId of await runUntilKilled(home.storePath)) reported.add(deviceId);

    const paired = (await PairingStore.open(home.storePath, { clock: systemClock })).loaded()
      .paired;
    const missing = [...reported].filter((deviceId) => paired[deviceId] === undefined);
    expect(missing, `round ${round}`).toEqual([]);
  }
  expect(reported.size).toBeGreaterThanOrEqual(ROUNDS);
  // Nothing was ever found corrupt; stray temp files were cleaned up on open.
  expect(await readdir(dirname(home.storePath))).toEqual(['devices.json']);
}, 90_000);
