import { describe, expect, it } from 'vitest';
import { firstUngrantableScope } from './scopes.js';

describe('firstUngrantableScope', () => {
  it('lets a caller grant what it holds, implied scopes included', () => {
    expect(firstUngrantableScope(['operator.write'], ['operator.read', 'operator.write'])).toBe(
      undefined,
    );
    expect(
      firstUngrantableScope(
        ['operator.admin'],
        ['operator.read', 'operator.write', 'operator.pairing', 'operator.admin'],
      ),
    ).toBe(undefined);
  });

  it('names the first known scope the caller does not hold', () => {
    expect(
      firstUngrantableScope(
        ['operator.pairing'],
        ['operator.pairing', 'operator.write', 'operator.admin'],
      ),
    ).toBe('operator.write');
    // write does not imply pairing, read does not imply write.
    expect(firstUngrantableScope(['operator.write'], ['operator.pairing'])).toBe(
      'operator.pairing',
    );
    expect(firstUngrantableScope(['operator.read'], ['operator.write'])).toBe('operator.write');
  });

  it('needs nothing held to grant an unknown scope, which grants nothing', () => {
    expect(firstUngrantableScope([], ['operator.approvals'])).toBe(undefined);
    // …and holding an unknown scope lets nobody grant a known one.
    expect(firstUngrantableScope(['operator.approvals'], ['operator.read'])).toBe('operator.read');
  });
});
