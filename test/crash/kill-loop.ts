/**
 * Runs a fixture that writes in a loop and prints one line per durable write, and SIGKILLs
 * it at a random moment 5–60 ms after its first line. Used for every write path: the
 * pairing store (src/main/pairing/pairing-crash.test.ts), config edits and session logs.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'vitest';

/** SIGKILLs per write path (issue "Crash and fault safety"). */
export const KILL_ROUNDS = 50;

/** Returns the lines the child finished printing before it died. */
export async function runUntilKilled(fixture: string, args: string[]): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
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
