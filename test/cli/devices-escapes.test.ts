/**
 * A remote device chooses its own name, platform and family. None of it may drive the
 * operator's terminal (clear it, retitle it, ring it) or start a line of its own, in the
 * CLI's tables and messages or in the gateway log; `--json` keeps the exact strings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayClientError } from '../../src/shared/gateway-client.js';
import { runCli } from '../helpers/child.js';
import {
  deviceClient,
  newIdentity,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';
import { cliEnvFor, expectOk } from './cli-test-support.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const EVIL_NAME = 'evil\u001b[2J\u001b]0;pwned\u0007\nFAKE LINE';
const EVIL_PLATFORM = 'linux\u001b[31m\r\u009b2J\u202e';
const EVIL_FAMILY = 'phone\u001b]8;;https://evil.example/\u0007';
/** Anything a terminal acts on or a reader takes for a line break. */
const RAW_CONTROL = /[\p{Cc}\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

/** A device behind the trusted proxy asks to pair with hostile metadata; its request id. */
async function hostileRequest(gw: TestGateway): Promise<string> {
  const client = deviceClient(gw.wsUrl, {
    identity: await newIdentity(),
    auth: { token: gw.token },
    localAddress: '127.0.0.2',
    headers: { 'x-forwarded-for': '203.0.113.7' },
    client: { displayName: EVIL_NAME, platform: EVIL_PLATFORM, deviceFamily: EVIL_FAMILY },
  });
  const error = await client.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((error as GatewayClientError).detailCode).toBe('PAIRING_REQUIRED');
  return (error as GatewayClientError).details?.requestId as string;
}

describe('remote device metadata reaching a terminal', () => {
  it('devices list prints the hostile name escaped on its own row, and --json keeps it exact', async () => {
    gateway = await startTestGateway({ config: { gateway: { trustedProxies: ['127.0.0.2'] } } });
    const requestId = await hostileRequest(gateway);
    const env = cliEnvFor(gateway);

    const text = expectOk(await runCli(['devices', 'list'], env));
    const rows = text.split('\n').filter((line) => line.startsWith(requestId.slice(0, 8)));
    expect(rows, text).toHaveLength(1);
    const row = rows[0] ?? '';
    expect(row).not.toMatch(RAW_CONTROL);
    for (const line of text.split('\n')) expect(line).not.toMatch(RAW_CONTROL);
    expect(text.split('\n').some((line) => line.startsWith('FAKE LINE'))).toBe(false);
    expect(row).toContain('evil\\u001b[2J\\u001b]0;pwned\\u0007\\nFAKE LINE');
    expect(row).toContain('linux\\u001b[31m\\r\\u009b2J\\u202e/special-agent-test');
    expect(row).toContain('203.0.113.7');

    const json = JSON.parse(expectOk(await runCli(['devices', 'list', '--json'], env))) as {
      pending: { displayName?: string; platform?: string; deviceFamily?: string }[];
    };
    expect(json.pending[0]).toMatchObject({
      displayName: EVIL_NAME,
      platform: EVIL_PLATFORM,
      deviceFamily: EVIL_FAMILY,
    });
  });

  it('devices approve names the hostile device on one escaped line', async () => {
    gateway = await startTestGateway({ config: { gateway: { trustedProxies: ['127.0.0.2'] } } });
    const requestId = await hostileRequest(gateway);
    const out = expectOk(await runCli(['devices', 'approve', requestId], cliEnvFor(gateway)));
    expect(out).toMatch(/^Approved evil\\u001b\[2J.*FAKE LINE \(device [0-9a-f]{12}\)\n$/);
  });

  it('the gateway log line about the pairing request has no raw control character', async () => {
    gateway = await startTestGateway({ config: { gateway: { trustedProxies: ['127.0.0.2'] } } });
    const requestId = await hostileRequest(gateway);
    const lines = gateway.logs.filter((line) => line.includes(requestId.slice(0, 8)));
    expect(lines, gateway.logs.join('\n')).toHaveLength(1);
    const line = lines[0] ?? '';
    expect(line).not.toMatch(RAW_CONTROL);
    expect(line).toContain('evil\\u001b[2J\\u001b]0;pwned\\u0007\\nFAKE LINE');
    expect(line).toContain('203.0.113.7');
  });
});
