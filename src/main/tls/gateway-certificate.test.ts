import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEMP_FILE_MARKER } from '../fs/atomic-file.js';
import { DAY_MS } from './certificate-policy.js';
import {
  ensureGatewayCertificate,
  TlsSetupError,
  type EnsuredGatewayCertificate,
} from './gateway-certificate.js';
import { ManualClock, tempHome } from './test-fixtures/support.js';

let home: Awaited<ReturnType<typeof tempHome>>;
let clock: ManualClock;

beforeEach(async () => {
  home = await tempHome();
  clock = new ManualClock();
});
afterEach(async () => {
  await home.remove();
});

const pemPath = (): string => join(home.path, 'tls', 'gateway.pem');

function ensure(addresses: string[] = ['192.168.1.20']): Promise<EnsuredGatewayCertificate> {
  return ensureGatewayCertificate({ home: home.path, addresses, clock });
}

function sansOf(cert: string): string[] {
  return (new X509Certificate(cert).subjectAltName ?? '').split(', ').sort();
}

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe('ensureGatewayCertificate: the first start', () => {
  it('makes a self-signed P-256 certificate naming every listen address, localhost, 127.0.0.1 and ::1', async () => {
    const made = await ensure(['192.168.1.20', 'fe80::1%eth0', 'Gateway.Example.test.']);

    expect(sansOf(made.cert)).toEqual(
      [
        'IP Address:192.168.1.20',
        'IP Address:FE80:0:0:0:0:0:0:1',
        'DNS:gateway.example.test',
        'DNS:localhost',
        'IP Address:127.0.0.1',
        'IP Address:0:0:0:0:0:0:0:1',
      ].sort(),
    );
    const certificate = new X509Certificate(made.cert);
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(made.key))).toBe(true);
    expect(made.expiresAtMs).toBe(Math.floor((clock.nowMs + 825 * DAY_MS) / 1000) * 1000);
    expect(made.fingerprintSha256).toBe(certificate.fingerprint256);
    expect(made).toMatchObject({ source: 'generated', outcome: { kind: 'created' } });
  });

  it('keeps key and certificate in <home>/tls/gateway.pem, file 0600, folder 0700', async () => {
    const made = await ensure();

    expect(made.path).toBe(pemPath());
    expect(await modeOf(join(home.path, 'tls'))).toBe(0o700);
    expect(await modeOf(pemPath())).toBe(0o600);
    expect(await readFile(pemPath(), 'utf8')).toBe(made.cert + made.key);
  });

  it('refuses a wildcard or malformed address, naming it, and writes nothing', async () => {
    await expect(ensure(['0.0.0.0'])).rejects.toThrow('0.0.0.0 is a wildcard');
    await expect(ensure(['::'])).rejects.toThrow(':: is a wildcard');
    await expect(ensure(['bad host!'])).rejects.toThrow(
      '"bad host!" is neither an IP address nor a host name',
    );
    await expect(stat(join(home.path, 'tls'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('ensureGatewayCertificate: later starts', () => {
  it('reuses the certificate on a restart with the same addresses: same fingerprint, file untouched', async () => {
    const first = await ensure(['192.168.1.20', 'gateway.example.test']);
    const fileBefore = await readFile(pemPath(), 'utf8');
    clock.nowMs += 400 * DAY_MS;

    const second = await ensure(['gateway.example.test', '192.168.1.20']);

    expect(second.outcome).toEqual({ kind: 'reused' });
    expect(second.fingerprintSha256).toBe(first.fingerprintSha256);
    expect(second.key).toBe(first.key);
    expect(await readFile(pemPath(), 'utf8')).toBe(fileBefore);
  });

  it('keeps the certificate 31 days before expiry and renews it 10 days before, with a new fingerprint and key', async () => {
    const first = await ensure();

    clock.nowMs = first.expiresAtMs - 31 * DAY_MS;
    expect((await ensure()).fingerprintSha256).toBe(first.fingerprintSha256);

    clock.nowMs = first.expiresAtMs - 10 * DAY_MS;
    const renewed = await ensure();
    expect(renewed.outcome).toEqual({ kind: 'renewed', reason: 'expiring' });
    expect(renewed.fingerprintSha256).not.toBe(first.fingerprintSha256);
    expect(renewed.key).not.toBe(first.key);
    expect(renewed.expiresAtMs).toBe(Math.floor((clock.nowMs + 825 * DAY_MS) / 1000) * 1000);
    expect(await readFile(pemPath(), 'utf8')).toBe(renewed.cert + renewed.key);
    expect(await modeOf(pemPath())).toBe(0o600);
  });

  it('renews when the gateway listens on an address the certificate does not name, and not for a removed one', async () => {
    const first = await ensure(['192.168.1.20', '10.0.0.7']);
    expect((await ensure(['10.0.0.7'])).fingerprintSha256).toBe(first.fingerprintSha256);

    const renewed = await ensure(['10.0.0.7', '10.0.0.8']);

    expect(renewed.outcome).toEqual({
      kind: 'renewed',
      reason: 'addresses',
      uncovered: ['10.0.0.8'],
    });
    expect(renewed.fingerprintSha256).not.toBe(first.fingerprintSha256);
    expect(sansOf(renewed.cert)).toContain('IP Address:10.0.0.8');
    expect(sansOf(renewed.cert)).not.toContain('IP Address:192.168.1.20');
  });

  it('takes group and other access away from a gateway.pem that was loosened', async () => {
    await ensure();
    await chmod(pemPath(), 0o644);
    await chmod(join(home.path, 'tls'), 0o755);

    expect((await ensure()).outcome).toEqual({ kind: 'reused' });
    expect(await modeOf(pemPath())).toBe(0o600);
    expect(await modeOf(join(home.path, 'tls'))).toBe(0o700);
  });

  it('deletes a temp copy of the key left behind by a crash mid-write', async () => {
    await ensure();
    const stray = join(home.path, 'tls', `${TEMP_FILE_MARKER}gateway.pem-0a1b2c3d4e5f`);
    await writeFile(stray, 'half a key');

    await ensure();

    expect(await readdir(join(home.path, 'tls'))).toEqual(['gateway.pem']);
  });
});

describe('ensureGatewayCertificate: a damaged or unreadable file', () => {
  it('moves a gateway.pem that is not PEM aside, keeps its bytes, and makes a new pair', async () => {
    await mkdir(join(home.path, 'tls'), { recursive: true });
    await writeFile(pemPath(), 'not a certificate');

    const made = await ensure();

    expect(made.outcome).toMatchObject({
      kind: 'replaced-corrupt',
      problem: expect.stringContaining('found 0 and 0'),
    });
    const movedTo = (made.outcome as { movedTo: string }).movedTo;
    expect(movedTo).toBe(`${pemPath()}.corrupt-2026-01-15T12-00-00-000Z`);
    expect(await readFile(movedTo, 'utf8')).toBe('not a certificate');
    expect(await readFile(pemPath(), 'utf8')).toBe(made.cert + made.key);
  });

  it('treats a key that does not belong to the certificate as damaged', async () => {
    const first = await ensure();
    const other = await tempHome();
    try {
      const stranger = await ensureGatewayCertificate({ home: other.path, addresses: [], clock });
      await writeFile(pemPath(), first.cert + stranger.key);
    } finally {
      await other.remove();
    }

    const made = await ensure();

    expect(made.outcome).toMatchObject({
      kind: 'replaced-corrupt',
      problem: 'the private key does not belong to the certificate',
    });
    expect(made.fingerprintSha256).not.toBe(first.fingerprintSha256);
  });

  it('leaves a gateway.pem it cannot read alone and refuses with exit code 78 naming the file', async () => {
    await mkdir(pemPath(), { recursive: true }); // a folder: reading it fails with EISDIR

    const error: unknown = await ensure().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(TlsSetupError);
    expect(error).toMatchObject({ exitCode: 78, file: pemPath() });
    expect((error as Error).message).toContain(
      `cannot read the gateway certificate ${pemPath()}: EISDIR`,
    );
    expect((await stat(pemPath())).isDirectory()).toBe(true);
  });
});
