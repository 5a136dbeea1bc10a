import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import { configPathForRef, secretRefForPath, type SecretRef } from '../../shared/secret-paths.js';
import { MAX_VALUE_DEPTH, splitSecrets } from './split-secrets.js';

const provider = (apiKey?: unknown) => ({
  type: 'openai',
  baseUrl: 'https://api.example.com/v1',
  ...(apiKey === undefined ? {} : { apiKey }),
});

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('splitSecrets', () => {
  it('takes every secret out of a whole config written at the top level', () => {
    const { rest, secrets } = splitSecrets([], {
      gateway: { port: 1, auth: { mode: 'token', token: 'tok-1', password: 'pw-1' } },
      models: { providers: { a: provider('sk-a'), b: provider() } },
      agents: { list: [{ id: 'main', model: { provider: 'a' } }] },
    });
    expect(rest).toEqual({
      gateway: { port: 1, auth: { mode: 'token' } },
      models: { providers: { a: provider(), b: provider() } },
      agents: { list: [{ id: 'main', model: { provider: 'a' } }] },
    });
    expect(secrets).toEqual([
      { path: ['gateway', 'auth', 'token'], ref: { kind: 'gateway-token' }, value: 'tok-1' },
      { path: ['gateway', 'auth', 'password'], ref: { kind: 'gateway-password' }, value: 'pw-1' },
      {
        path: ['models', 'providers', 'a', 'apiKey'],
        ref: { kind: 'provider', id: 'a' },
        value: 'sk-a',
      },
    ]);
  });

  it('at a secret path the whole value is the secret and nothing is left for the file', () => {
    expect(splitSecrets(['models', 'providers', 7, 'apiKey'], 'sk-seven')).toEqual({
      rest: undefined,
      secrets: [
        {
          path: ['models', 'providers', 7, 'apiKey'],
          ref: { kind: 'provider', id: '7' },
          value: 'sk-seven',
        },
      ],
    });
  });

  it('leaves a value without secrets as it is', () => {
    expect(splitSecrets(['gateway', 'trustedProxies'], ['10.0.0.0/8'])).toEqual({
      rest: ['10.0.0.0/8'],
      secrets: [],
    });
  });

  it('refuses a secret that is not a non-empty string, naming its path and not the value', () => {
    for (const apiKey of [42, '', null, { value: 'sk-hidden-1234' }, ['sk-hidden-1234']]) {
      const error = refusal(() => splitSecrets(['models', 'providers', 'a'], provider(apiKey)));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toMatch(/^models\.providers\.a\.apiKey must be a non-empty string/);
      expect(JSON.stringify(error.toWire())).not.toContain('sk-hidden');
    }
    expect(refusal(() => splitSecrets(['gateway', 'auth', 'token'], 5)).message).toMatch(
      /^gateway\.auth\.token must be a non-empty string/,
    );
  });

  it('refuses an API key with a character no HTTP header can carry (a pasted zero-width space), naming where', () => {
    const error = refusal(() =>
      splitSecrets(['models', 'providers', 'a', 'apiKey'], 'sk-abcdef\u200b1234567890'),
    );
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toBe(
      'models.providers.a.apiKey has a character no API key has (U+200B at position 10); paste the key again',
    );
    // Whitespace at the ends goes nowhere (fetch trims header values): such keys worked.
    expect(
      splitSecrets(['models', 'providers', 'a', 'apiKey'], 'sk-abc1234 \r\n').secrets,
    ).toHaveLength(1);
    // But not at the start (it follows "Bearer "), nor Unicode spaces fetch does not trim.
    for (const key of [' sk-abc1234', 'sk-abc1234\ufeff', 'sk-abc1234\u00a0'])
      expect(
        () => splitSecrets(['models', 'providers', 'a', 'apiKey'], key),
        JSON.stringify(key),
      ).toThrow(/has a character no API key has/);
    // A gateway password may hold any character: it is never sent in a header.
    expect(splitSecrets(['gateway', 'auth', 'password'], 'pässwörd 🔑').secrets).toHaveLength(1);
  });

  it('refuses __proto__, constructor and prototype as keys anywhere in the value', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const value = JSON.parse(`{"providers": {${JSON.stringify(key)}: {"apiKey": "sk-x"}}}`);
      const error = refusal(() => splitSecrets(['models'], value));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toContain(`"${key}" at models.providers.${key}`);
    }
  });
});

describe('the secret path mapping', () => {
  it('maps each secret to its config path and back', () => {
    const refs: SecretRef[] = [
      { kind: 'provider', id: 'openai' },
      { kind: 'gateway-token' },
      { kind: 'gateway-password' },
    ];
    for (const ref of refs) expect(secretRefForPath(configPathForRef(ref))).toEqual(ref);
    for (const path of [['gateway', 'auth', 'mode'], ['models', 'providers', 'a'], []]) {
      expect(secretRefForPath(path)).toBeUndefined();
    }
  });
});

describe('splitSecrets depth', () => {
  it(`refuses a value nested deeper than ${MAX_VALUE_DEPTH} levels with INVALID_REQUEST, not a stack overflow`, () => {
    let value: unknown = 1;
    for (let i = 0; i < 100_000; i++) value = { a: value };
    expect(() => splitSecrets(['agents'], value)).toThrow(/nests deeper than 32 levels/);
  });
});
