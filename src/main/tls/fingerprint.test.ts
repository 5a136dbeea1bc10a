import { createHash, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintSha256 } from './certificate-info.js';
import { checkPinnedFingerprint, normalizeFingerprint } from './fingerprint.js';
import { createSelfSignedCertificate } from './self-signed.js';
import { subjectNamesFor } from './subject-names.js';

const CANONICAL =
  '9A:23:32:45:66:07:32:7A:2A:67:4F:C5:28:A6:1D:E0:9E:58:E7:5F:54:4B:FB:92:21:7B:79:73:B1:FD:B6:47';
const OTHER = CANONICAL.replace(/^../, 'FF');

describe('fingerprintSha256', () => {
  it('is the SHA-256 of the DER, as AB:CD:… pairs, for PEM text and DER bytes alike', async () => {
    const { cert } = await createSelfSignedCertificate({
      names: subjectNamesFor([]),
      notBeforeMs: Date.now(),
      notAfterMs: Date.now() + 86_400_000,
    });
    const der = new X509Certificate(cert).raw;
    const expected = createHash('sha256')
      .update(der)
      .digest('hex')
      .toUpperCase()
      .match(/../g)
      ?.join(':');

    expect(fingerprintSha256(cert)).toBe(expected);
    expect(fingerprintSha256(der)).toBe(expected);
  });
});

describe('normalizeFingerprint', () => {
  it('accepts the pin with or without colons, in any case, with a sha256: prefix', () => {
    const bare = CANONICAL.replace(/:/g, '');
    for (const written of [
      CANONICAL,
      CANONICAL.toLowerCase(),
      bare,
      bare.toLowerCase(),
      ` sha256:${bare} `,
      `SHA256:${CANONICAL}`,
    ]) {
      expect(normalizeFingerprint(written), written).toBe(CANONICAL);
    }
  });

  it('refuses a truncated, odd-grouped or non-hex pin instead of guessing', () => {
    const bare = CANONICAL.replace(/:/g, '');
    for (const written of [
      bare.slice(0, 62),
      `${bare}00`,
      `${CANONICAL}:00`,
      `${bare.slice(0, 3)}:${bare.slice(3)}`,
      bare.replace(/^./, 'G'),
      '',
      'sha1:AB',
    ]) {
      expect(normalizeFingerprint(written), written).toBeUndefined();
    }
  });
});

describe('checkPinnedFingerprint', () => {
  it('passes a certificate whose fingerprint equals the pin, however the pin is written', () => {
    const pin = CANONICAL.replace(/:/g, '').toLowerCase();
    expect(checkPinnedFingerprint({ fingerprint256: CANONICAL }, pin)).toEqual({
      ok: true,
      fingerprint: CANONICAL,
    });
  });

  it('refuses another certificate and names both fingerprints', () => {
    expect(checkPinnedFingerprint({ fingerprint256: OTHER }, CANONICAL)).toEqual({
      ok: false,
      reason: 'mismatch',
      expected: CANONICAL,
      actual: OTHER,
    });
  });

  it('refuses when the pin cannot be read or the server sent no certificate', () => {
    expect(checkPinnedFingerprint({ fingerprint256: CANONICAL }, 'AB:CD')).toEqual({
      ok: false,
      reason: 'invalid-pin',
      pin: 'AB:CD',
    });
    expect(checkPinnedFingerprint({}, CANONICAL)).toEqual({
      ok: false,
      reason: 'no-certificate',
      expected: CANONICAL,
    });
    expect(checkPinnedFingerprint(null, CANONICAL)).toMatchObject({
      ok: false,
      reason: 'no-certificate',
    });
  });
});
