/**
 * Shared by the CLI tests: the CLI in a child process pointed at a test gateway, and checks
 * on what a user sees on failure (one line, the right exit code).
 */
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { ChildRun, childEnv, type ChildResult } from '../helpers/child.js';
import type { TestGateway } from '../helpers/gateway.js';

const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Environment for a CLI child that talks to `gateway` (same home, same token, its URL). */
export function cliEnvFor(
  gateway: TestGateway,
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  return childEnv(gateway.home, {
    SPECIAL_AGENT_GATEWAY_TOKEN: gateway.token,
    SPECIAL_AGENT_GATEWAY_URL: gateway.wsUrl,
    ...extra,
  });
}

/** The CLI as a running child (for tests that signal it or watch its output). */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, input?: string): ChildRun {
  return new ChildRun(CLI_ENTRY, args, env, input);
}

/** Asserts a failure the way a user sees it: exit code, exactly one stderr line, its text. */
export function expectOneLineFailure(result: ChildResult, code: number, pattern: RegExp): void {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(code);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^special-agent: /);
  expect(lines[0]).toMatch(pattern);
}

/** Asserts success and returns stdout. */
export function expectOk(result: ChildResult): string {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Every object key in a JSON value, recursively. */
export function allKeys(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap(allKeys);
  return Object.entries(value).flatMap(([key, child]) => [key, ...allKeys(child)]);
}
