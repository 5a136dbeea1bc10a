import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from './session-secrets.js';
import {
  adoptFragmentHandover,
  SessionSecrets,
  takeHandoverFromHash,
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

describe('takeHandoverFromHash', () => {
  it.each([
    ['#token=abc', 'abc', ''],
    ['#token=abc&x=1', 'abc', '#x=1'],
    ['#/devices?request=r1&token=abc', 'abc', '#/devices?request=r1'],
    ['#/devices?token=abc', 'abc', '#/devices'],
    ['#/providers?edit=openai', undefined, '#/providers?edit=openai'],
    ['', undefined, ''],
  ])('%s → token %s, hash %s', (hash, token, rest) => {
    expect(takeHandoverFromHash(hash)).toEqual({ token, invite: undefined, hash: rest });
  });

  it.each([
    ['#invite=C0de_-x', 'C0de_-x', ''],
    // A setup link with TLS: the fingerprint leaves the address bar too.
    ['#invite=C0de&fp=AB:CD:EF', 'C0de', ''],
    ['#invite=C0de&x=1', 'C0de', '#x=1'],
    // The tray's deep link: the route stays, the code goes.
    ['#/devices?request=r1&invite=C0de', 'C0de', '#/devices?request=r1'],
    ['#/chat?invite=C0de', 'C0de', '#/chat'],
    ['#invite=', undefined, ''],
  ])('%s → invite %s, hash %s', (hash, invite, rest) => {
    expect(takeHandoverFromHash(hash)).toEqual({ token: undefined, invite, hash: rest });
  });
});

describe('adoptFragmentHandover', () => {
  it('moves the token to sessionStorage and rewrites the address without it', () => {
    const { session, local, secrets } = setup();
    const replaced: string[] = [];
    const taken = adoptFragmentHandover(
      { hash: '#/devices?request=r1&token=s3cret', pathname: '/', search: '' },
      { replaceState: (_data, _unused, url) => replaced.push(url) },
      secrets,
    );
    expect(taken.token).toBe('s3cret');
    expect(session.data.get(TOKEN_SESSION_KEY)).toBe('s3cret');
    expect(replaced).toEqual(['/#/devices?request=r1']);
    expect([...local.data.values()].join()).not.toContain('s3cret');
  });

  it('holds an invite in memory only, presents it alone, and takes it out of the address', () => {
    const { session, local, secrets } = setup();
    secrets.deviceToken = 'dev';
    secrets.password = 'pw';
    const replaced: string[] = [];
    const taken = adoptFragmentHandover(
      { hash: '#invite=C0de&fp=AB:CD', pathname: '/', search: '' },
      { replaceState: (_data, _unused, url) => replaced.push(url) },
      secrets,
    );
    expect(taken.invite).toBe('C0de');
    expect(replaced).toEqual(['/']);
    expect(secrets.connectAuth()).toEqual({ bootstrapToken: 'C0de' });
    const stored = [...session.data.values(), ...local.data.values()].join();
    expect(stored).not.toContain('C0de');
    // Spent: the device token it earned is presented from now on.
    secrets.invite = undefined;
    expect(secrets.connectAuth()).toEqual({ deviceToken: 'dev' });
  });

  it('leaves the address alone when there is no token or invite', () => {
    const { secrets } = setup();
    const replaced: string[] = [];
    adoptFragmentHandover(
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
    secrets.invite = 'C0de';
    secrets.clear();
    expect(secrets.connectAuth()).toEqual({});
  });
});
