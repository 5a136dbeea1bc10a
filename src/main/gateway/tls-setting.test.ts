import { X509Certificate } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema, type Config } from '../../shared/config-schema.js';
import type { NetworkInterfaceMap } from '../auth/client-address.js';
import { restartRequiredFor } from '../config/config-path.js';
import { createSelfSignedCertificate } from '../tls/self-signed.js';
import { subjectNamesFor } from '../tls/subject-names.js';
import { ManualClock, tempHome } from '../tls/test-fixtures/support.js';
import { createLogger } from '../util/logger.js';
import { listenAddressesFor } from './listen-address.js';
import { decideTls } from './tls-decision.js';
import { prepareGatewayTls, tlsStatusOf } from './tls-setting.js';

let home: Awaited<ReturnType<typeof tempHome>>;
beforeEach(async () => {
  home = await tempHome();
});
afterEach(async () => {
  await home.remove();
});

function gatewayConfig(gateway: Record<string, unknown>): Config['gateway'] {
  return configSchema.parse({ gateway }).gateway;
}

function recordingLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) };
}

/** An interface list with a LAN, a tailnet and the loopback address; no socket is opened. */
const INTERFACES = {
  lo: [{ address: '127.0.0.1', family: 'IPv4' }],
  eth0: [
    { address: '192.0.2.7', family: 'IPv4' },
    { address: 'fe80::1', family: 'IPv6', scopeid: 2 },
  ],
  tailscale0: [{ address: '100.101.102.103', family: 'IPv4' }],
} as unknown as NetworkInterfaceMap;

describe('decideTls', () => {
  it.each([
    [{ bind: 'loopback' }, false],
    [{ bind: '127.0.0.1' }, false],
    [{ bind: 'lan' }, true],
    [{ bind: 'tailnet' }, true],
    [{ bind: '192.0.2.7' }, true],
    [{ bind: 'loopback', tls: { enabled: true } }, true],
    [{ bind: 'tailnet', tls: { enabled: false } }, false],
    [{ bind: '100.101.102.103', tls: { enabled: false } }, false],
  ])('%j → TLS on: %s', (gateway, enabled) => {
    expect(decideTls(gatewayConfig(gateway))).toEqual({ enabled });
  });

  it('allows plain HTTP on a lan bind only with a warning that says how to undo it', () => {
    const decision = decideTls(gatewayConfig({ bind: 'lan', tls: { enabled: false } }));
    expect(decision.enabled).toBe(false);
    expect(decision.warning).toContain('gateway.tls.enabled is false on bind "lan"');
    expect(decision.warning).toContain('special-agent configure unset gateway.tls.enabled');
  });
});

describe('gateway.tls in the config', () => {
  it.each([
    [
      { certPath: '/etc/gw.crt' },
      'gateway.tls.certPath is set but gateway.tls.keyPath is not',
      'keyPath',
    ],
    [
      { keyPath: '/etc/gw.key' },
      'gateway.tls.keyPath is set but gateway.tls.certPath is not',
      'certPath',
    ],
    [
      { certPath: 'gw.crt', keyPath: '/etc/gw.key' },
      '"gw.crt" is not an absolute path',
      'certPath',
    ],
  ])('refuses %j, naming the path to fix', (tls, message, key) => {
    const result = configSchema.safeParse({ gateway: { tls } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
    expect(result.error?.issues[0]?.path).toEqual(['gateway', 'tls', key]);
  });

  it('needs a restart when it changes, as the port and bind do', () => {
    expect(restartRequiredFor(['gateway.tls.enabled'])).toBe(true);
    expect(restartRequiredFor(['gateway.tls'])).toBe(true);
  });
});

describe('prepareGatewayTls', () => {
  it('logs the plain-HTTP warning at start and serves no certificate', async () => {
    const { lines, logger } = recordingLogger();
    const certificate = await prepareGatewayTls({
      gateway: gatewayConfig({ bind: 'lan', tls: { enabled: false } }),
      home: home.path,
      addresses: ['192.0.2.7'],
      clock: new ManualClock(),
      logger,
    });
    expect(certificate).toBeUndefined();
    expect(tlsStatusOf(certificate)).toEqual({ enabled: false });
    expect(lines.filter((line) => line.includes(' warn '))).toHaveLength(1);
    expect(lines[0]).toContain('gateway.tls.enabled is false on bind "lan"');
  });

  it('makes a certificate naming every lan address and localhost, and logs its fingerprint', async () => {
    const { lines, logger } = recordingLogger();
    const certificate = await prepareGatewayTls({
      gateway: gatewayConfig({ bind: 'lan' }),
      home: home.path,
      addresses: listenAddressesFor('0.0.0.0', INTERFACES),
      clock: new ManualClock(),
      logger,
    });
    const names = new X509Certificate(certificate?.cert ?? '').subjectAltName?.split(', ');
    expect(names).toEqual(
      expect.arrayContaining([
        'IP Address:192.0.2.7',
        'IP Address:100.101.102.103',
        'IP Address:127.0.0.1',
        'DNS:localhost',
      ]),
    );
    expect(lines.join('\n')).toContain(`SHA-256 fingerprint ${certificate?.fingerprintSha256}`);
    expect(tlsStatusOf(certificate)).toEqual({
      enabled: true,
      fingerprintSha256: certificate?.fingerprintSha256,
      expiresAtMs: certificate?.expiresAtMs,
    });
  });

  it('warns with the new fingerprint when its own certificate was damaged and replaced', async () => {
    await prepareGatewayTls({
      gateway: gatewayConfig({ bind: 'lan' }),
      home: home.path,
      addresses: ['192.0.2.7'],
      clock: new ManualClock(),
      logger: recordingLogger().logger,
    });
    await writeFile(join(home.path, 'tls', 'gateway.pem'), 'not a certificate\n');
    const { lines, logger } = recordingLogger();
    const certificate = await prepareGatewayTls({
      gateway: gatewayConfig({ bind: 'lan' }),
      home: home.path,
      addresses: ['192.0.2.7'],
      clock: new ManualClock(),
      logger,
    });
    const warnings = lines.filter((line) => line.includes(' warn '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('was damaged');
    expect(warnings[0]).toContain('gateway.pem.corrupt-');
    expect(warnings[0]).toContain(`--tls-fingerprint ${certificate?.fingerprintSha256}`);
  });

  it("serves the user's pair as it is, with no file written to the home", async () => {
    const pair = await createSelfSignedCertificate({
      names: subjectNamesFor(['agent.example.test']),
      notBeforeMs: Date.now() - 1000,
      notAfterMs: Date.now() + 86_400_000,
    });
    const certPath = join(home.path, 'agent.crt');
    const keyPath = join(home.path, 'agent.key');
    await writeFile(certPath, pair.cert);
    await writeFile(keyPath, pair.key);
    const { lines, logger } = recordingLogger();
    const certificate = await prepareGatewayTls({
      gateway: gatewayConfig({ bind: 'lan', tls: { certPath, keyPath } }),
      home: home.path,
      addresses: ['192.0.2.7'],
      clock: new ManualClock(Date.now()),
      logger,
    });
    expect(certificate?.cert).toBe(pair.cert);
    expect(certificate?.source).toBe('user');
    expect(lines.join('\n')).toContain(`TLS on with ${certPath}`);
    await expect(stat(join(home.path, 'tls'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
