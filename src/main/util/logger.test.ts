import { describe, expect, it } from 'vitest';
import { SeenSecrets, createLogger, redact, withSecrets, type Logger } from './logger.js';

const NOW = new Date('2026-01-02T03:04:05.678Z');

function capture(options: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({ now: () => NOW, write: (line) => lines.push(line), ...options });
  return { lines, logger };
}

describe('redact', () => {
  it('replaces every occurrence, at the start, in the middle and at the end', () => {
    expect(redact('tok1234 and tok1234 end tok1234', ['tok1234'])).toBe(
      '[redacted] and [redacted] end [redacted]',
    );
  });

  it('leaves no character of either of two overlapping secrets', () => {
    // "…secretYYYY" would survive if the first secret were replaced before the second looked.
    const text = 'key=XXXXsecretYYYY;';
    expect(redact(text, ['XXXXsecret', 'secretYYYY'])).toBe('key=[redacted];');
    expect(redact(text, ['secretYYYY', 'XXXXsecret'])).toBe('key=[redacted];');
  });

  it('scrubs a secret that contains another one, in either order', () => {
    expect(redact('a abcd-efgh b', ['abcd', 'abcd-efgh'])).toBe('a [redacted] b');
    expect(redact('a abcd-efgh b', ['abcd-efgh', 'abcd'])).toBe('a [redacted] b');
  });

  it('scrubs a secret that overlaps itself', () => {
    expect(redact('xaaaaaax', ['aaaa'])).toBe('x[redacted]x');
  });

  it('does not mangle the marker when a secret is part of "[redacted]"', () => {
    expect(redact('s3cr3t dact', ['s3cr3t', 'dact'])).toBe('[redacted] [redacted]');
  });

  it('leaves secrets shorter than 4 characters alone, so a short password cannot blank the log', () => {
    expect(redact('abc failed at abc', ['abc', ''])).toBe('abc failed at abc');
    expect(redact('abcd failed', ['abcd'])).toBe('[redacted] failed');
  });
});

describe('createLogger', () => {
  it('writes `<ISO time> <level> <message>` from its level up, with its secrets replaced', () => {
    const { lines, logger } = capture({ level: 'info', secrets: () => ['hunter22'] });
    logger.debug('hidden');
    logger.info('password hunter22 rejected');
    logger.error('boom');
    expect(lines).toEqual([
      '2026-01-02T03:04:05.678Z info password [redacted] rejected',
      '2026-01-02T03:04:05.678Z error boom',
    ]);
  });

  it('keeps one entry on one line with no terminal control characters', () => {
    const { lines, logger } = capture();
    logger.warn('device evil\u001b[2J\u001b]0;pwned\u0007\n2026-01-02T03:04:05.678Z info FAKE');
    expect(lines).toEqual([
      '2026-01-02T03:04:05.678Z warn device evil\\u001b[2J\\u001b]0;pwned\\u0007\\n2026-01-02T03:04:05.678Z info FAKE',
    ]);
  });

  it('redacts before escaping, so a secret holding a control character is still found', () => {
    const { lines, logger } = capture({ secrets: () => ['pa\u0007ss'] });
    logger.info('got pa\u0007ss');
    expect(lines[0]).toMatch(/ info got \[redacted\]$/);
  });
});

describe('withSecrets', () => {
  it("scrubs the gateway's secrets from lines going to a logger that knows none of them", () => {
    const { lines, logger } = capture({ level: 'debug' });
    let current = ['first-token'];
    const gateway: Logger = withSecrets(logger, () => current);
    gateway.debug('connect with first-token');
    current = ['second-token'];
    gateway.error('rotated: second-token, old first-token');
    expect(lines).toEqual([
      '2026-01-02T03:04:05.678Z debug connect with [redacted]',
      '2026-01-02T03:04:05.678Z error rotated: [redacted], old first-token',
    ]);
  });

  it('hands on printable text even to a logger that does not escape', () => {
    const seen: string[] = [];
    const plain: Logger = {
      debug: (m) => seen.push(m),
      info: (m) => seen.push(m),
      warn: (m) => seen.push(m),
      error: (m) => seen.push(m),
    };
    withSecrets(plain, () => []).warn('a\u001b[2Jb\nc');
    expect(seen).toEqual(['a\\u001b[2Jb\\nc']);
  });

  it('does no scrubbing work for a line below the level (the connect path logs at debug)', () => {
    const { lines, logger } = capture({ level: 'info' });
    let lookups = 0;
    const gateway = withSecrets(logger, () => {
      lookups += 1;
      return ['a-token'];
    });
    gateway.debug('connect with a-token');
    expect(lookups).toBe(0);
    gateway.info('rotated a-token');
    expect(lookups).toBe(1);
    expect(lines).toEqual(['2026-01-02T03:04:05.678Z info rotated [redacted]']);
  });
});

describe('SeenSecrets', () => {
  it('keeps at most `max` secrets, forgetting the one seen longest ago', () => {
    const seen = new SeenSecrets({ max: 2 });
    seen.add('key-one');
    seen.add('key-two');
    seen.add('key-one');
    seen.add('key-three');
    expect([...seen.values()]).toEqual(['key-one', 'key-three']);
  });
});
