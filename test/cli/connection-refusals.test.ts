/**
 * What the CLI says when the gateway turns its socket away before the handshake, or is not
 * there at all: each line names what to do.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/child.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { cliEnvFor, expectOneLineFailure } from './cli-test-support.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

describe('a CLI turned away by the gateway', () => {
  it('at the connection limit (HTTP 503) is told to wait and try again, not to check its URL', async () => {
    gateway = await startTestGateway({ limits: { maxConnections: 0 } });
    const result = await runCli(['devices', 'list'], cliEnvFor(gateway));
    expectOneLineFailure(result, 1, /HTTP 503/);
    expect(result.stderr).toContain('too many connections');
    expect(result.stderr).not.toContain('gateway.allowedHosts');
  });

  it('that reaches something other than a gateway is told to check --url and that it runs', async () => {
    // A port that answers the upgrade with bytes that are not HTTP.
    const dropper: Server = createServer((socket) => socket.end('not a gateway\r\n\r\n'));
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    try {
      gateway = await startTestGateway({});
      const port = (dropper.address() as { port: number }).port;
      const env = cliEnvFor(gateway);
      const result = await runCli(['devices', 'list', '--url', `ws://127.0.0.1:${port}`], env);
      expectOneLineFailure(result, 1, /127\.0\.0\.1/);
      expect(result.stderr).toContain('special-agent gateway status');
    } finally {
      dropper.close();
    }
  });
});
