import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/child.js';
import { startTestGateway, writeConfig, type TestGateway } from '../helpers/gateway.js';
import { cliEnvFor, expectOneLineFailure } from './cli-test-support.js';

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('special-agent gateway status after gateway.port changed', () => {
  it('says the gateway still runs on the old port and that a restart applies the new one', async () => {
    gateway = await startTestGateway();
    const oldPort = gateway.app.port;
    const newPort = await freePort();
    // As `configure set gateway.port` does: the running gateway keeps its port (restart required).
    await writeConfig(gateway.home, { gateway: { port: newPort } });
    const { SPECIAL_AGENT_GATEWAY_URL: _ignored, ...env } = cliEnvFor(gateway);
    const result = await runCli(['gateway', 'status'], env);
    expectOneLineFailure(
      result,
      1,
      new RegExp(
        `the gateway \\(PID ${process.pid}\\) still runs on :${oldPort}; restart it to apply port :${newPort}`,
      ),
    );
    expect(result.stderr).not.toContain('start one with');
  });
});

describe('other commands after gateway.port changed', () => {
  it('devices list says the gateway still runs on the old port, not to start one', async () => {
    gateway = await startTestGateway();
    const oldPort = gateway.app.port;
    const newPort = await freePort();
    await writeConfig(gateway.home, { gateway: { port: newPort } });
    const { SPECIAL_AGENT_GATEWAY_URL: _ignored, ...env } = cliEnvFor(gateway);
    const result = await runCli(['devices', 'list'], env);
    expectOneLineFailure(result, 1, new RegExp(`still runs on :${oldPort}; restart it`));
    expect(result.stderr).not.toContain('start one with');
  });
});

describe('the CLI on the machine of a gateway bound to one address', () => {
  it('finds the gateway at that address, not at 127.0.0.1 where it does not listen', async () => {
    // 127.0.0.2 is an explicit address this machine has (and a loopback one, so the CLI
    // stays a local device); its port is only known once the gateway listens.
    const port = await freePort();
    gateway = await startTestGateway({
      config: { gateway: { bind: '127.0.0.2', port, tls: { enabled: false } } },
    });
    const { SPECIAL_AGENT_GATEWAY_URL: _ignored, ...env } = cliEnvFor(gateway);
    const result = await runCli(['gateway', 'status', '--json'], env);
    expect(result.stderr, 'what gateway status printed on stderr').toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ port, bind: '127.0.0.2' });
  });
});

/** A non-loopback IPv4 address of this machine, if it has one. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((info) => info?.family === 'IPv4' && !info.internal)?.address;

describe('the CLI on the machine of a gateway bound to its LAN address', () => {
  it.skipIf(lanAddress === undefined)(
    `reaches it there over TLS with this home's certificate, and says how to get approved${lanAddress ? '' : ' (skipped: this machine has no non-loopback IPv4 address)'}`,
    async () => {
      const port = await freePort();
      gateway = await startTestGateway({ config: { gateway: { bind: lanAddress, port } } });
      const { SPECIAL_AGENT_GATEWAY_URL: _ignored, ...env } = cliEnvFor(gateway);
      const result = await runCli(['devices', 'list'], env);
      // Not local (DESIGN.md: only loopback and own tailnet addresses are), so it must wait.
      expectOneLineFailure(
        result,
        1,
        new RegExp(
          `pairing required.*listens only on ${lanAddress?.replace(/\./g, '\\.')}.*gateway\\.bind to "lan"`,
        ),
      );
    },
  );
});
