/**
 * All or nothing: when a keychain change or the file edit after it fails, every entry is
 * as it was before, the one whose change failed included. An in-memory keychain stands
 * in for the Secret Service (these tests are about the order, not the store).
 */
import { describe, expect, it } from 'vitest';
import { deleteThen, storeThen } from './keychain-then.js';

function memoryStore(initial: Record<string, string>, failOn?: string) {
  const entries = new Map(Object.entries(initial));
  const maybeFail = (account: string) => {
    if (account !== failOn) return;
    // As a call that timed out would: it lands, and still reports a failure.
    throw new Error(`the keychain did not answer for ${account}`);
  };
  return {
    entries,
    get: (account: string) => Promise.resolve(entries.get(account) ?? null),
    set: (account: string, value: string) => {
      entries.set(account, value);
      maybeFail(account);
      return Promise.resolve();
    },
    delete: (account: string) => {
      const had = entries.delete(account);
      maybeFail(account);
      return Promise.resolve(had);
    },
  };
}

const BEFORE = { 'provider:a': 'sk-a-1', 'provider:b': 'sk-b-1', 'provider:c': 'sk-c-1' };
const noSecrets = () => undefined;

describe('deleteThen', () => {
  it('puts every key back, the one whose delete failed too, and never edits the file', async () => {
    const store = memoryStore(BEFORE, 'provider:b');
    let wrote = false;
    await expect(
      deleteThen({ store, onSecret: noSecrets }, Object.keys(BEFORE), () => {
        wrote = true;
        return Promise.resolve();
      }),
    ).rejects.toThrow('did not answer');
    expect(Object.fromEntries(store.entries), 'the keychain as it was').toEqual(BEFORE);
    expect(wrote, 'the file edit').toBe(false);
  });

  it('puts every key back when the file edit is refused', async () => {
    const store = memoryStore(BEFORE);
    await expect(
      deleteThen({ store, onSecret: noSecrets }, Object.keys(BEFORE), () =>
        Promise.reject(new Error('the file is broken')),
      ),
    ).rejects.toThrow('the file is broken');
    expect(Object.fromEntries(store.entries)).toEqual(BEFORE);
  });
});

describe('storeThen', () => {
  it('puts the old values back, and removes a new one, when a set fails', async () => {
    const store = memoryStore({ 'provider:a': 'sk-a-1' }, 'provider:new');
    const seen: string[] = [];
    await expect(
      storeThen(
        { store, onSecret: (value) => seen.push(value) },
        [
          { account: 'provider:a', value: 'sk-a-2' },
          { account: 'provider:new', value: 'sk-new-1' },
        ],
        () => Promise.resolve(),
      ),
    ).rejects.toThrow('did not answer');
    expect(Object.fromEntries(store.entries)).toEqual({ 'provider:a': 'sk-a-1' });
    expect(seen, 'every value handled is known to the log scrubber').toEqual(
      expect.arrayContaining(['sk-a-1', 'sk-a-2', 'sk-new-1']),
    );
  });
});
