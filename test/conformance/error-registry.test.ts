/**
 * The error registry against the wire contract (fastify's test/internals/errors.test.js):
 * PROTOCOL.md's `details.code` list, its `CODE`/`DETAIL` pairs and its close-code table are
 * parsed from the document itself, so a code added on one side only fails here by name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_DETAILS, GatewayError, PROTOCOL_ERROR_CODES } from '../../src/shared/errors.js';
import { CLOSE } from '../../src/shared/protocol.js';

const PROTOCOL_MD = fileURLToPath(new URL('../../../shared/PROTOCOL.md', import.meta.url));
const DECISIONS_MD = fileURLToPath(new URL('../../docs/decisions.md', import.meta.url));

function protocolDoc(): string {
  if (!existsSync(PROTOCOL_MD)) {
    throw new Error(`PROTOCOL.md not found at ${PROTOCOL_MD}: the contract lives in ../shared`);
  }
  return readFileSync(PROTOCOL_MD, 'utf8');
}

/** The text of one `## title` section, up to the next `## `. */
function section(doc: string, title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`PROTOCOL.md has no "## ${title}" section`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

function backticked(text: string): string[] {
  return [...text.matchAll(/`([A-Z][A-Z_]+)`/g)].map((match) => match[1] ?? '');
}

describe('error registry matches PROTOCOL.md', () => {
  const doc = protocolDoc();

  it('lists every details.code of the "details.code" section and the "Errors added" paragraph', () => {
    const list = section(doc, 'details.code').split('`retryAfterMs`, where present')[0] ?? '';
    const pairs = [...doc.matchAll(/`([A-Z_]+)`\/`([A-Z_]+)`/g)];
    const documented = new Set([...backticked(list), ...pairs.map((pair) => pair[2] ?? '')]);
    expect([...documented].sort()).toEqual(Object.keys(ERROR_DETAILS).sort());
  });

  it('maps each documented CODE/DETAIL pair to that protocol code', () => {
    for (const [, code, detail] of doc.matchAll(/`([A-Z_]+)`\/`([A-Z_]+)`/g)) {
      const definition = ERROR_DETAILS[detail as keyof typeof ERROR_DETAILS];
      expect(definition?.protocolCode, `${detail}`).toBe(code);
    }
  });

  it('has exactly the top-level error codes of "Frames"', () => {
    const frames = section(doc, 'Frames');
    const listed = frames.slice(frames.indexOf('Error `code` is one of'));
    const codes = backticked(listed.slice(0, listed.indexOf(';')));
    expect(codes.sort()).toEqual([...PROTOCOL_ERROR_CODES].sort());
  });

  it('has every close code of the table, and names each extra one in docs/decisions.md', () => {
    const table = section(doc, 'Close codes');
    const documented = [...table.matchAll(/^\| (\d{4}) \|/gm)].map((match) => Number(match[1]));
    const registry = Object.values(CLOSE) as number[];
    for (const code of documented) expect(registry, `close ${code}`).toContain(code);
    const decisions = readFileSync(DECISIONS_MD, 'utf8');
    for (const extra of registry.filter((code) => !documented.includes(code))) {
      expect(decisions, `close ${extra} is not in PROTOCOL.md`).toContain(`Close ${extra}`);
    }
  });

  it('gives every detail that ends a connect a close code from the registry', () => {
    const closeCodes = Object.values(CLOSE) as number[];
    for (const [detail, definition] of Object.entries(ERROR_DETAILS)) {
      if (!('closeCode' in definition)) continue;
      expect(closeCodes, detail).toContain(definition.closeCode);
    }
  });

  it('builds errors whose wire form carries the registered codes and never a stack', () => {
    for (const detail of Object.keys(ERROR_DETAILS) as (keyof typeof ERROR_DETAILS)[]) {
      const wire = GatewayError.of(detail).toWire();
      expect(wire.code).toBe(ERROR_DETAILS[detail].protocolCode);
      expect(wire.details?.code).toBe(detail);
      expect(JSON.stringify(wire)).not.toMatch(/\n\s+at /);
    }
  });
});
