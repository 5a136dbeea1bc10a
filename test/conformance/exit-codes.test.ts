/**
 * Exit codes live in one registry (src/shared/exit-codes.ts): no source file spells one as
 * a bare number, and the README's "Exit codes:" line lists exactly the registry.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeOf } from '../../src/shared/exit-codes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REGISTRY = 'src/shared/exit-codes.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** `exitCode = 78`, `exitCode === 78`, `process.exit(78)`, `resolve(78)` in an exit path. */
const BARE_EXIT = /(exitCode\s*(?:=|===|!==|:)\s*\d+|process\.exit\(\s*\d+\s*\))/;

describe('exit code registry', () => {
  it('is the only place a source file spells an exit code as a number', () => {
    const offenders = sourceFiles(join(ROOT, 'src'))
      .map((path) => relative(ROOT, path))
      .filter((path) => path !== REGISTRY)
      .flatMap((path) =>
        readFileSync(join(ROOT, path), 'utf8')
          .split('\n')
          .map((line, index) => ({ line, at: `${path}:${index + 1}` }))
          .filter(({ line }) => BARE_EXIT.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });

  it('matches the README line "Exit codes: …"', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const line = readme.split('\n').find((text) => text.startsWith('Exit codes:'));
    expect(line, 'README.md has an "Exit codes:" line').toBeDefined();
    const listed = [...(line ?? '').matchAll(/\b(\d+) [a-z]/g)].map((match) => Number(match[1]));
    expect(listed.sort((a, b) => a - b)).toEqual(Object.values(EXIT).sort((a, b) => a - b));
  });

  it('passes on only registered codes', () => {
    expect(exitCodeOf({ exitCode: EXIT.config })).toBe(78);
    expect(exitCodeOf({ exitCode: 42 })).toBe(EXIT.failure);
    expect(exitCodeOf({ exitCode: 0 })).toBe(EXIT.failure);
    expect(exitCodeOf(new Error('plain'))).toBe(EXIT.failure);
  });
});
