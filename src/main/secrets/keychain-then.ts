/**
 * Keychain changes that go with a config file edit, all or nothing: the keychain is read
 * first (an unreachable one refuses before anything changed), changed, then `write` runs;
 * when `write` fails, every entry changed so far is put back as it was. A `write` that
 * fails after its file landed (the lock file could not be removed) also puts them back:
 * the keychain then holds keys the file no longer names, never the other way round.
 */
import type { SecretStore } from './keychain.js';

/** What the changes need of the keychain, and who hears of each secret value read or written. */
export interface KeychainEdit {
  store: Pick<SecretStore, 'get' | 'set' | 'delete'>;
  /** Every secret value handled, so the logs can scrub it. */
  onSecret: (value: string) => void;
}

/** Sets each `{account, value}`, then runs `write`. */
export async function storeThen<T>(
  { store, onSecret }: KeychainEdit,
  values: readonly { account: string; value: string }[],
  write: () => Promise<T>,
): Promise<T> {
  const entries = await withPrevious({ store, onSecret }, values);
  return changeThen(store, entries, write, async ({ account, value }) => {
    onSecret(value);
    await store.set(account, value);
  });
}

/** Deletes each account, then runs `write` with what each held before (`null`: nothing). */
export async function deleteThen<T>(
  { store, onSecret }: KeychainEdit,
  accounts: readonly string[],
  write: (previous: readonly (string | null)[]) => Promise<T>,
): Promise<T> {
  const entries = await withPrevious(
    { store, onSecret },
    accounts.map((account) => ({ account, value: '' })),
  );
  const previous = entries.map((entry) => entry.previous);
  return changeThen(
    store,
    entries,
    () => write(previous),
    ({ account }) => store.delete(account),
  );
}

interface Entry {
  account: string;
  value: string;
  previous: string | null;
}

async function withPrevious(
  { store, onSecret }: KeychainEdit,
  values: readonly { account: string; value: string }[],
): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (const { account, value } of values) {
    const previous = await store.get(account);
    if (previous) onSecret(previous);
    entries.push({ account, value, previous });
  }
  return entries;
}

async function changeThen<T>(
  store: KeychainEdit['store'],
  entries: readonly Entry[],
  write: () => Promise<T>,
  change: (entry: Entry) => Promise<unknown>,
): Promise<T> {
  let changed = 0;
  try {
    for (const entry of entries) {
      await change(entry);
      changed += 1;
    }
    return await write();
  } catch (error) {
    // The entry whose change failed too: a keychain call that timed out may still land
    // after it (keychain-host.ts), and putting back what was there is safe to repeat.
    for (const { account, previous } of entries.slice(0, changed + 1)) {
      // Best effort: the original error is the one the caller must see.
      await (previous ? store.set(account, previous) : store.delete(account)).catch(
        () => undefined,
      );
    }
    throw error;
  }
}
