/**
 * This browser's device key: a non-extractable Ed25519 key pair kept in IndexedDB as a
 * structured clone of the CryptoKeys, so script on the page can sign with it but can
 * never read the private key out.
 */
import type { DeviceIdentity } from '../../shared/device-auth.js';
import { generateDeviceKeys, identityFromKeyPair } from '../../shared/device-auth.js';

const DB_NAME = 'special-agent';
const STORE = 'keys';
const KEY = 'device';

function promisify<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

async function openDb(indexedDb: IDBFactory): Promise<IDBDatabase> {
  const request = indexedDb.open(DB_NAME, 1);
  request.onupgradeneeded = () => request.result.createObjectStore(STORE);
  return promisify(request);
}

function isKeyPair(value: unknown): value is CryptoKeyPair {
  const pair = value as Partial<CryptoKeyPair> | undefined;
  return (
    typeof CryptoKey !== 'undefined' &&
    pair?.privateKey instanceof CryptoKey &&
    pair.publicKey instanceof CryptoKey
  );
}

/**
 * Loads the stored key pair or creates and stores one. Without IndexedDB (some private
 * windows) the key lives for this page only and the gateway sees a new device next time.
 */
export async function loadDeviceIdentity(
  subtle: SubtleCrypto,
  indexedDb: IDBFactory | undefined,
): Promise<DeviceIdentity> {
  let db: IDBDatabase | undefined;
  try {
    db = indexedDb ? await openDb(indexedDb) : undefined;
  } catch {
    db = undefined;
  }
  try {
    if (db) {
      const stored = await promisify<unknown>(
        db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY) as IDBRequest<unknown>,
      );
      if (isKeyPair(stored)) return await identityFromKeyPair(subtle, stored);
    }
    const keys = await generateDeviceKeys(subtle, false);
    if (db) await promisify(db.transaction(STORE, 'readwrite').objectStore(STORE).put(keys, KEY));
    return await identityFromKeyPair(subtle, keys);
  } finally {
    db?.close();
  }
}
