/**
 * The config file's `hash` as a test sees it: sha256 of the bytes, what `config.get`
 * answers, and a hand edit (a text editor's rename over the file) the gateway has read.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import { OUTCOME_WAIT_MS } from './within.js';

/** What every config writer answers to a stale `baseHash`. */
export const CONFIG_CONFLICT = {
  code: 'CONFLICT',
  message: 'the config file changed since it was loaded (reload and try again)',
};

/** The config file of a test gateway's home. */
export const configFileOf = (home: string): string => join(home, 'config.json5');

/** sha256 of `bytes`, hex: what `config.get` answers as `hash` for a file with these bytes. */
export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The `hash` `config.get` answers now. */
export const getHash = async (
  client: GatewayClient,
  params: Record<string, unknown> = {},
): Promise<string> => (await client.request<{ hash: string }>('config.get', params)).hash;

/** sha256 of the file as it is on disk now. */
export const fileHash = async (home: string): Promise<string> =>
  sha256(await readFile(configFileOf(home)));

/**
 * Edits the file as a text editor does (new file renamed over), replacing `from` by `to`,
 * then waits until the gateway read it. Resolves to the file's new bytes.
 */
export async function handEdit(
  client: GatewayClient,
  home: string,
  from: string,
  to: string,
): Promise<Buffer> {
  const file = configFileOf(home);
  const before = await readFile(file, 'utf8');
  const text = before.replace(from, to);
  expect(text, `the hand edit of "${from}"`).not.toBe(before);
  await writeFile(`${file}.swp`, text);
  await rename(`${file}.swp`, file);
  const bytes = await readFile(file);
  await expect
    .poll(() => getHash(client), {
      timeout: OUTCOME_WAIT_MS,
      message: 'config.get to answer the hash of the hand-edited file',
    })
    .toBe(sha256(bytes));
  return bytes;
}
