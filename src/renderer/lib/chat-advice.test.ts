import { describe, expect, it } from 'vitest';
import { chatAdvice } from './chat-advice.js';

describe('advice for a failed answer', () => {
  it('links to the provider the error names, with the fix its code calls for', () => {
    expect(
      chatAdvice({
        code: 'PROVIDER_ERROR',
        message: 'x',
        details: { code: 'PROVIDER_NO_CREDENTIALS', provider: 'remote' },
      }),
    ).toEqual({ provider: 'remote', fix: 'Add an API key for “remote”' });
    expect(
      chatAdvice({
        code: 'PROVIDER_ERROR',
        message: 'x',
        details: { code: 'PROVIDER_REJECTED_KEY', provider: 'openai' },
      }).fix,
    ).toBe('Replace the API key of “openai”');
  });

  it('finds the provider in details.attempts and says when a key is usable again', () => {
    expect(
      chatAdvice({
        code: 'PROVIDER_ERROR',
        message: 'every key failed',
        details: {
          code: 'PROVIDER_EXHAUSTED',
          attempts: [{ provider: 'fake', model: 'm', profile: 'a', code: 'PROFILE_COOLDOWN' }],
        },
        retryAfterMs: 5 * 60_000,
      }),
    ).toEqual({
      provider: 'fake',
      fix: 'Check the keys of “fake”',
      retry: 'A key can be used again in 5 min.',
    });
  });

  it('offers nothing when the error names no provider and no wait', () => {
    expect(chatAdvice({ code: 'CONFLICT', message: 'busy' })).toEqual({});
    expect(
      chatAdvice({ code: 'PROVIDER_ERROR', message: 'x', details: { attempts: [null] } }),
    ).toEqual({});
  });
});
