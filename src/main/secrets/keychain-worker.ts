/**
 * The keychain worker (a `worker_threads` entry; keychain-host.ts starts it). It owns the
 * `@napi-rs/keyring` entries and calls them synchronously: the library connects to D-Bus
 * inside its constructor, and a Secret Service that never answers would freeze whichever
 * thread makes the call. Here that thread is this one, which the main thread abandons at
 * its deadline; the gateway's event loop never waits on the keychain.
 *
 * The synchronous `Entry` on purpose: `AsyncEntry` would run its calls on libuv's shared
 * thread pool, where a hung call takes one of the four threads that file I/O needs too.
 */
import { parentPort } from 'node:worker_threads';
import { Entry, findCredentials, type EntryOptions } from '@napi-rs/keyring';

/** What the main thread asks for. */
export interface KeychainRequest {
  id: number;
  /** `list`: the accounts of `service` (names only; the values are dropped here). */
  operation: 'get' | 'set' | 'delete' | 'list';
  service: string;
  /** Unused by `list`. */
  account: string;
  /** The secret, for `set` only. */
  value?: string;
}

/** The answer: the operation's result, or the library's message. */
export type KeychainReply =
  | { id: number; ok: true; result: string | boolean | null | string[] }
  | { id: number; ok: false; message: string };

// Pinned: by default the library falls back to the kernel keyring, which forgets at reboot.
const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };
const entries = new Map<string, Entry>();

function perform(request: KeychainRequest): string | boolean | null | string[] {
  if (request.operation === 'list') {
    return findCredentials(request.service, null).map((credential) => credential.account);
  }
  const key = `${request.service}\0${request.account}`;
  let entry = entries.get(key);
  if (!entry) {
    entry = new Entry(request.service, request.account, ENTRY_OPTIONS);
    entries.set(key, entry);
  }
  try {
    switch (request.operation) {
      case 'get':
        return entry.getPassword();
      case 'set':
        entry.setPassword(request.value ?? '');
        return null;
      case 'delete':
        return entry.deletePassword();
    }
  } catch (error) {
    // A failed entry may hold a connection that went bad: the next call makes a new one.
    entries.delete(key);
    throw error;
  }
}

parentPort?.on('message', (request: KeychainRequest) => {
  let reply: KeychainReply;
  try {
    reply = { id: request.id, ok: true, result: perform(request) };
  } catch (error) {
    reply = {
      id: request.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  parentPort?.postMessage(reply);
});
