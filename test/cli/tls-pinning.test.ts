/**
 * The CLI against a TLS gateway (DESIGN.md "Remote devices", "Pinning"): `--tls-fingerprint`
 * pins a `wss://` URL and is remembered in `<home>/identity/known-gateways.json`; a changed
 * certificate is refused naming both fingerprints. The CLI has a home of its own, as on
 * another machine; the gateway listens on 127.0.0.1 with TLS forced on.
 */
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnv, runCli } from '../helpers/child.js';
import {
  makeTempHome,
  startTestGateway,
  writeConfig,
  type TestGateway,
} from '../helpers/gateway.js';
import { expectOk, expectOneLineFailure } from './cli-test-support.js';

const OTHER_FINGERPRINT = Array.from({ length: 32 }, () => 'AB').join(':');

const gateways: TestGateway[] = [];
const homes: string[] = [];
afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.stop();
  for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
});

async function tempHome(): Promise<string> {
  const home = await makeTempHome();
  homes.push(home);
  return home;
}

async function startTls(home: string, port = 0, token?: string): Promise<TestGateway> {
  await writeConfig(home, { gateway: { port, tls: { enabled: true } } });
  const gateway = await startTestGateway({
    home,
    ...(token === undefined ? {} : { env: { SPECIAL_AGENT_GATEWAY_TOKEN: token } }),
  });
  gateways.push(gateway);
  return gateway;
}

/** The gateway's certificate is made anew: its `<home>/tls` is gone when it restarts. */
async function restartWithNewCertificate(gateway: TestGateway): Promise<TestGateway> {
  const { port } = gateway.app;
  gateways.splice(gateways.indexOf(gateway), 1);
  await gateway.stop();
  await rm(join(gateway.home, 'tls'), { recursive: true, force: true });
  // Same token: only the certificate changes.
  return startTls(gateway.home, port, gateway.token);
}

const fingerprintOf = (gateway: TestGateway) => gateway.app.tls.fingerprintSha256 ?? '';
const urlOf = (gateway: TestGateway) => `wss://127.0.0.1:${gateway.app.port}`;

/** A CLI on "another machine": its own home, the gateway's token in the environment. */
async function remoteCli(gateway: TestGateway) {
  const home = await tempHome();
  const env = childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: gateway.token });
  return {
    home,
    run: (args: string[]) =>
      runCli(['devices', 'list', '--json', '--url', urlOf(gateway), ...args], env),
    knownGateways: async () =>
      JSON.parse(await readFile(join(home, 'identity', 'known-gateways.json'), 'utf8')) as {
        gateways: Record<string, { fingerprintSha256: string }>;
      },
  };
}

describe('special-agent against a wss:// gateway', () => {
  it('connects with --tls-fingerprint, remembers the pin in a 0600 file, and needs no flag the next time', async () => {
    const gateway = await startTls(await tempHome());
    const cli = await remoteCli(gateway);
    const fingerprint = fingerprintOf(gateway);

    const first = JSON.parse(
      expectOk(await cli.run(['--tls-fingerprint', fingerprint.replace(/:/g, '').toLowerCase()])),
    ) as {
      paired: unknown[];
    };
    expect(first.paired).toHaveLength(1);
    expect((await cli.knownGateways()).gateways[urlOf(gateway)]?.fingerprintSha256).toBe(
      fingerprint,
    );
    expect((await stat(join(cli.home, 'identity', 'known-gateways.json'))).mode & 0o777).toBe(
      0o600,
    );

    expectOk(await cli.run([]));
  });

  it('chat --list takes --tls-fingerprint as every other command does', async () => {
    const gateway = await startTls(await tempHome());
    const home = await tempHome();
    const env = childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: gateway.token });
    const args = ['chat', '--list', '--json', '--url', urlOf(gateway)];
    const listed = JSON.parse(
      expectOk(await runCli([...args, '--tls-fingerprint', fingerprintOf(gateway)], env)),
    ) as { sessions: unknown[] };
    expect(listed.sessions).toEqual([]);
  });

  it('refuses a wss:// URL with no pin at all, saying how to get the fingerprint', async () => {
    const gateway = await startTls(await tempHome());
    const cli = await remoteCli(gateway);
    expectOneLineFailure(
      await cli.run([]),
      2,
      /no TLS certificate is pinned for wss:\/\/127\.0\.0\.1:\d+: run special-agent gateway status on the gateway's machine and pass --tls-fingerprint/,
    );
  });

  it('refuses a changed certificate naming both fingerprints, and takes the new one when given', async () => {
    const before = await startTls(await tempHome());
    const cli = await remoteCli(before);
    const oldFingerprint = fingerprintOf(before);
    expectOk(await cli.run(['--tls-fingerprint', oldFingerprint]));

    const after = await restartWithNewCertificate(before);
    const newFingerprint = fingerprintOf(after);
    expect(newFingerprint).not.toBe(oldFingerprint);

    const refused = await cli.run([]);
    expectOneLineFailure(
      refused,
      1,
      /WARNING: the TLS certificate of the gateway at wss:\/\/127\.0\.0\.1:\d+ has changed/,
    );
    expect(refused.stderr).toContain(`it presents ${newFingerprint}`);
    expect(refused.stderr).toContain(`but ${oldFingerprint} is pinned`);
    expect(refused.stderr).toContain(`again with --tls-fingerprint ${newFingerprint}`);

    const accepted = await cli.run(['--tls-fingerprint', newFingerprint]);
    expectOk(accepted);
    expect(accepted.stderr).toContain(`is now ${newFingerprint} (was ${oldFingerprint})`);
    expect((await cli.knownGateways()).gateways[urlOf(after)]?.fingerprintSha256).toBe(
      newFingerprint,
    );
    expectOk(await cli.run([]));
  });

  it('refuses a wrong --tls-fingerprint naming both fingerprints, and remembers nothing', async () => {
    const gateway = await startTls(await tempHome());
    const cli = await remoteCli(gateway);
    const refused = await cli.run(['--tls-fingerprint', OTHER_FINGERPRINT]);
    expectOneLineFailure(refused, 1, /presents the TLS certificate/);
    expect(refused.stderr).toContain(fingerprintOf(gateway));
    expect(refused.stderr).toContain(OTHER_FINGERPRINT);
    await expect(stat(join(cli.home, 'identity', 'known-gateways.json'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('gateway status on ws:// against a TLS gateway says to use wss://, not that none runs', async () => {
    const gateway = await startTls(await tempHome());
    const env = childEnv(await tempHome(), { SPECIAL_AGENT_GATEWAY_TOKEN: gateway.token });
    const plain = `ws://127.0.0.1:${gateway.app.port}`;
    expectOneLineFailure(
      await runCli(['gateway', 'status', '--url', plain], env),
      1,
      /closed the connection; if it uses TLS \(gateway\.tls\), use --url wss:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it('refuses --tls-fingerprint on a ws:// URL and a fingerprint that is not one', async () => {
    const home = await tempHome();
    const env = childEnv(home);
    expectOneLineFailure(
      await runCli(
        ['devices', 'list', '--url', 'ws://127.0.0.1:9', '--tls-fingerprint', OTHER_FINGERPRINT],
        env,
      ),
      2,
      /--tls-fingerprint pins a TLS certificate, but ws:\/\/127\.0\.0\.1:9 is not a TLS URL/,
    );
    expectOneLineFailure(
      await runCli(
        ['devices', 'list', '--url', 'wss://127.0.0.1:9', '--tls-fingerprint', 'AB:CD'],
        env,
      ),
      2,
      /--tls-fingerprint "AB:CD" is not a SHA-256 fingerprint/,
    );
  });
});

describe('special-agent gateway status on the TLS gateway machine', () => {
  it("pins this home's own certificate and prints its fingerprint", async () => {
    const gateway = await startTls(await tempHome());
    const env = childEnv(gateway.home, {
      SPECIAL_AGENT_GATEWAY_TOKEN: gateway.token,
      SPECIAL_AGENT_GATEWAY_URL: urlOf(gateway),
    });
    const out = expectOk(await runCli(['gateway', 'status'], env));
    expect(out).toMatch(/^Gateway on 127\.0\.0\.1:\d+ · token/);
    expect(out).toContain(`TLS fingerprint (SHA-256) ${fingerprintOf(gateway)} · valid until 20`);
  });

  it('reaches the gateway on wss:// by default when the config turns TLS on', async () => {
    const home = await tempHome();
    const first = await startTls(home);
    const { port } = first.app;
    gateways.splice(0);
    await first.stop();
    // Now the config names the port, as a real one does, and no URL is given.
    const gateway = await startTls(home, port);
    const status = JSON.parse(
      expectOk(
        await runCli(
          ['gateway', 'status', '--json'],
          childEnv(home, { SPECIAL_AGENT_GATEWAY_TOKEN: gateway.token }),
        ),
      ),
    ) as { tls: unknown };
    expect(status.tls).toMatchObject({ enabled: true, fingerprintSha256: fingerprintOf(gateway) });
  });
});
