import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayClient } from '../../src/shared/gateway-client.js';
import { connectDevice, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let gateway: TestGateway | undefined;
const clients: GatewayClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await gateway?.stop();
  gateway = undefined;
});

/** The journal's transactions: one line per durable write since the last snapshot. */
async function journalLines(home: string): Promise<string[]> {
  const text = await readFile(join(home, 'state', 'devices.journal'), 'utf8').catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    },
  );
  return text.split('\n').filter(Boolean);
}

describe('a first local connect', () => {
  it('pairs the device and issues its token in one durable write', async () => {
    gateway = await startTestGateway();
    // A new home's first write is a whole devices.json; later ones append to the journal.
    const first = await connectDevice(gateway);
    clients.push(first.client);
    const before = await journalLines(gateway.home);
    const { client, hello, identity } = await connectDevice(gateway);
    clients.push(client);
    expect(hello.auth?.deviceToken).toEqual(expect.any(String));
    const written = (await journalLines(gateway.home)).slice(before.length);
    expect(written, 'journal transactions written by the first connect').toHaveLength(1);
    // That one write holds both: the pairing and the token's hash.
    const device = gateway.app.pairing.getPaired(identity.deviceId);
    expect(device?.approvedBy).toBe('local-auto');
    expect(device?.tokens).toHaveLength(1);
  });
});
