// What the pairing store holds on disk, read the way a restart reads it.
import { readFile } from 'node:fs/promises';
import { journalPathOf, readStoredState } from '../pairing-store.js';
import type { PairingStoreData } from '../types.js';

/** The pairing state a restart would load from `storePath`: devices.json plus its journal. */
export function storedState(storePath: string): Promise<PairingStoreData> {
  return readStoredState(storePath);
}

/** Everything the pairing store keeps on disk (devices.json and its journal), as text. */
export async function storeText(storePath: string): Promise<string> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  return `${await read(storePath)}${await read(journalPathOf(storePath))}`;
}
