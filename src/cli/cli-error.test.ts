import { describe, expect, it } from 'vitest';
import { EXIT, describeFailure, failureLine } from './cli-error.js';

describe('failureLine', () => {
  it('folds a multi-line message onto one line', () => {
    expect(failureLine('first\n  second\r\nthird')).toBe('special-agent: first second third\n');
  });

  it('shows control characters a gateway or device sent as escapes, never raw', () => {
    const line = failureLine('pairing required for "evil\u001b[2J\u0007"');
    expect(line).toBe('special-agent: pairing required for "evil\\u001b[2J\\u0007"\n');
    expect([...line].filter((char) => char < ' ' && char !== '\n')).toEqual([]);
  });
});

describe('describeFailure', () => {
  it('passes on only registered exit codes', () => {
    expect(describeFailure(Object.assign(new Error('bad'), { exitCode: 78 })).exitCode).toBe(
      EXIT.config,
    );
    expect(describeFailure(Object.assign(new Error('odd'), { exitCode: 42 })).exitCode).toBe(
      EXIT.failure,
    );
  });
});
