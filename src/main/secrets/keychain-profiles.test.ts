import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/errors.js';
import { providerProfileOfAccount } from '../../shared/secret-paths.js';
import { OsKeychain } from './keychain.js';
import { describeWithKeychain } from './keychain.test-support.js';

describe('auth profile accounts', () => {
  it.each([
    ['provider:openai', { id: 'openai', profile: 'default' }],
    ['provider:openai:work', { id: 'openai', profile: 'work' }],
    ['provider:openai:team.b_2-x', { id: 'openai', profile: 'team.b_2-x' }],
    ['provider:openai:default', undefined],
    ['provider:openai:Work', undefined],
    ['provider:openai:a:b', undefined],
    [`provider:openai:${'a'.repeat(33)}`, undefined],
    ['gateway:token', undefined],
  ])('%j is %j', (account, expected) => {
    expect(providerProfileOfAccount(account)).toEqual(expected);
  });

  it.each(['provider:openai:default', 'provider:openai:Bad Name', 'provider:openai:..'])(
    'the keychain refuses %j before touching any store',
    async (account) => {
      const error = await new OsKeychain().set(account, 'sk-x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).message).toContain('unknown keychain account');
    },
  );
});

describeWithKeychain('OsKeychain.listAccounts (real Secret Service)', () => {
  const services: OsKeychain[] = [];
  afterEach(async () => {
    for (const keychain of services.splice(0)) {
      for (const account of await keychain.listAccounts()) await keychain.delete(account);
    }
  });

  it('lists the accounts of its own service only, never their values', async () => {
    const mine = new OsKeychain({ service: `special-agent-test-${randomUUID().slice(0, 8)}` });
    const other = new OsKeychain({ service: `special-agent-test-${randomUUID().slice(0, 8)}` });
    services.push(mine, other);
    await mine.set('provider:openai', 'sk-default-000000');
    await mine.set('provider:openai:work', 'sk-work-00000000');
    await mine.set('gateway:token', 'tok-000000000000');
    await other.set('provider:openai:theirs', 'sk-theirs-000000');
    const accounts = await mine.listAccounts();
    expect([...accounts].sort()).toEqual([
      'gateway:token',
      'provider:openai',
      'provider:openai:work',
    ]);
    expect(JSON.stringify(accounts)).not.toContain('sk-');
    expect(await mine.get('provider:openai:work')).toBe('sk-work-00000000');
  });
});
