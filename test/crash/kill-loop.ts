/**
 * Runs a fixture that writes in a loop and prints one line per durable write, and SIGKILLs
 * it at a random moment 5–60 ms after its first line. Used for every write path: the
 * pairing store (src/main/pairing/pairing-crash.test.ts), config edits and session logs.
 *
 * Each fixture is bundled into one plain .mjs file once per test process (esbuild, as
 * scripts/bundle-gateway.js does for the gateway) and then started with plain node: tsx
 * compiling ~30 modules on every start made each kill round cost ~0.7 s, a bundle ~0.15 s.
 * The child runs the same code; only its loading is faster.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, expect } from 'vitest';

/** SIGKILLs per write path (issue "Crash and fault safety"). */
export const KILL_ROUNDS = 50;
/** The kill lands this long after the child's first reported write, plus up to KILL_SPREAD_MS. */
export const KILL_AFTER_MS = 5;
export const KILL_SPREAD_MS = 55;

const bundles = new Map<string, Promise<string>>();
let bundleDir: string | undefined;

// Removed when the test file ends: a forked test worker is stopped without an 'exit' event.
afterAll(() => {
  if (bundleDir !== undefined) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = undefined;
  bundles.clear();
});

/** The fixture bundled into one file (built on first use, removed when the test file ends). */
function bundleOf(fixture: string): Promise<string> {
  let bundle = bundles.get(fixture);
  if (bundle === undefined) {
    bundleDir ??= mkdtempSync(join(tmpdir(), 'sa-kill-loop-'));
    const outfile = join(bundleDir, `${bundles.size}-${basename(fixture, '.ts')}.mjs`);
    bundle = build({
      entryPoints: [fixture],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      // CommonJS dependencies call require(); give the ESM bundle one.
      banner: {
        js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
      },
    }).then(() => outfile);
    bundles.set(fixture, bundle);
  }
  return bundle;
}

/** Returns the lines the child finished printing before it died. */
export async function runUntilKilled(fixture: string, args: string[]): Promise<string[]> {
  const child = spawn(process.execPath, [await bundleOf(fixture), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let killTimer: NodeJS.Timeout | undefined;
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (killTimer === undefined && stdout.includes('\n')) {
      killTimer = setTimeout(
        () => child.kill('SIGKILL'),
        KILL_AFTER_MS + Math.random() * KILL_SPREAD_MS,
      );
    }
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(killTimer);
  expect({ code, signal, stderr }).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
  // A line cut off by the kill was never fully reported; only whole lines count.
  return stdout.split('\n').slice(0, -1);
}
