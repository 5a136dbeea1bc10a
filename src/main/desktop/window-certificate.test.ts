import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGatewayCertificate } from '../tls/gateway-certificate.js';
import { ManualClock, tempHome } from '../tls/test-fixtures/support.js';
import {
  CERTIFICATE_ACCEPT,
  CERTIFICATE_CHROMIUM_VERDICT,
  decideWindowCertificate,
} from './window-certificate.js';

// Two real gateway certificates, as `gateway.tls` makes them: ours and someone else's.
let ours: { cert: string; fingerprint: string };
let other: { cert: string };
const homes: Awaited<ReturnType<typeof tempHome>>[] = [];

async function certificate() {
  const home = await tempHome();
  homes.push(home);
  const made = await ensureGatewayCertificate({
    home: home.path,
    addresses: ['127.0.0.1'],
    clock: new ManualClock(),
  });
  return { cert: made.cert, fingerprint: made.fingerprintSha256 };
}

beforeAll(async () => {
  ours = await certificate();
  other = await certificate();
});
afterAll(async () => {
  await Promise.all(homes.map((home) => home.remove()));
});

const trust = () => ({ hostname: '127.0.0.1', fingerprintSha256: ours.fingerprint });

describe('decideWindowCertificate: the Control UI window and the gateway certificate', () => {
  it("accepts the running gateway's own self-signed certificate on the host the window loaded", () => {
    const verdict = decideWindowCertificate(
      { hostname: '127.0.0.1', certificatePem: ours.cert },
      trust(),
    );
    expect(verdict).toBe(CERTIFICATE_ACCEPT);
  });

  it('accepts a pin written without colons or in lower case', () => {
    const loose = ours.fingerprint.replaceAll(':', '').toLowerCase();
    const verdict = decideWindowCertificate(
      { hostname: '127.0.0.1', certificatePem: ours.cert },
      { hostname: '127.0.0.1', fingerprintSha256: loose },
    );
    expect(verdict).toBe(CERTIFICATE_ACCEPT);
  });

  it("leaves any other certificate to Chromium's verdict (which refuses a self-signed one)", () => {
    const verdict = decideWindowCertificate(
      { hostname: '127.0.0.1', certificatePem: other.cert },
      trust(),
    );
    expect(verdict).toBe(CERTIFICATE_CHROMIUM_VERDICT);
  });

  it('does not trust our certificate on another host', () => {
    const verdict = decideWindowCertificate(
      { hostname: 'evil.example', certificatePem: ours.cert },
      trust(),
    );
    expect(verdict).toBe(CERTIFICATE_CHROMIUM_VERDICT);
  });

  it('trusts nothing while the gateway has no TLS or before a page was loaded', () => {
    const check = { hostname: '127.0.0.1', certificatePem: ours.cert };
    expect(
      decideWindowCertificate(check, { hostname: '127.0.0.1', fingerprintSha256: undefined }),
    ).toBe(CERTIFICATE_CHROMIUM_VERDICT);
    expect(
      decideWindowCertificate(check, { hostname: undefined, fingerprintSha256: ours.fingerprint }),
    ).toBe(CERTIFICATE_CHROMIUM_VERDICT);
  });

  it('never throws on a certificate it cannot read', () => {
    const verdict = decideWindowCertificate(
      { hostname: '127.0.0.1', certificatePem: 'not a certificate' },
      trust(),
    );
    expect(verdict).toBe(CERTIFICATE_CHROMIUM_VERDICT);
  });
});
