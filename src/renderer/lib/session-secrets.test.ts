import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from './session-secrets.js';
import {
  adoptFragmentToken,
  SessionSecrets,
  takeTokenFromHash,
  TOKEN_SESSION_KEY,
} from './session-secrets.js';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (key) => data.get(key) ?? null,
    setItem: (key, value) => void data.set(key, value),
    removeItem: (key) => void data.delete(key),
  };
}

function setup() {
  const session = memoryStore();
  const local = memoryStore();
  const secrets = new SessionSecrets({ session, local, origin: 'http://127.0.0.1:18789' });
  return { session, local, secrets };
}

describe('takeTokenFromHash', () => {
  it.each([
    ['#token=abc', 'abc', ''],
    ['#token=abc&x=1', 'abc', '#x=1'],
    ['#/devices?request=r1&token=abc', 'abc', '#/devices?request=r1'],
    ['#/devices?token=abc', 'abc', '#/devices'],
    ['#/providers?edit=openai', undefined, '#/providers?edit=openai'],
    ['', undefined, ''],
  ])('%s → token %s, hash %s', (hash, token, rest) => {
    expect(takeTokenFromHash(hash)).toEqual({ token, hash: rest });
  });
});

describe('adoptFragmentToken', () => {
  it('moves the token to sessionStorage and rewrites the address without it', () => {
    const { session, local, secrets } = setup();
    const replaced: string[] = [];
    const token = adoptFragmentToken(
      { hash: '#/devices?request=r1&token=s3cret', pathname: '/', search: '' },
      { replaceState: (_data, _unused, url) => replaced.push(url) },
      secrets,
    );
    expect(token).toBe('s3cret');
    expect(session.data.get(TOKEN_SESSION_KEY)).toBe('s3cret');
    expect(replaced).toEqual(['/#/devices?request=r1']);
    expect([...local.data.values()].join()).not.toContain('s3cret');
  });

  it('leaves the address alone when there is no token', () => {
    const { secrets } = setup();
    const replaced: string[] = [];
    adoptFragmentToken(
      { hash: '#/chat', pathname: '/', search: '' },
      { replaceState: (_d, _u, url) => replaced.push(url) },
      secrets,
    );
    expect(replaced).toEqual([]);
  });
});

describe('SessionSecrets', () => {
  it('presents a typed password first, then the tab token, then the device token', () => {
    const { secrets } = setup();
    expect(secrets.connectAuth()).toEqual({});
    secrets.deviceToken = 'dev';
    expect(secrets.connectAuth()).toEqual({ deviceToken: 'dev' });
    secrets.token = 'tok';
    expect(secrets.connectAuth()).toEqual({ token: 'tok' });
    secrets.password = 'pw';
    expect(secrets.connectAuth()).toEqual({ password: 'pw' });
  });

  it('keeps the device token per gateway origin and never stores the password', () => {
    const { session, local, secrets } = setup();
    secrets.deviceToken = 'dev';
    secrets.password = 'pw';
    expect(local.data.get('special-agent.deviceToken:http://127.0.0.1:18789')).toBe('dev');
    expect([...local.data.values(), ...session.data.values()]).not.toContain('pw');
    const other = new SessionSecrets({ session, local, origin: 'http://127.0.0.1:9999' });
    expect(other.deviceToken).toBeUndefined();
    secrets.clear();
    expect(secrets.connectAuth()).toEqual({});
  });
});
