/**
 * Writes a self-signed ECDSA P-256 server certificate with pkijs (docs/decisions.md
 * "X.509 library: pkijs"). node:crypto makes the key and signs; pkijs only lays out the
 * ASN.1. Loaded with `import()` when a certificate must be made, so a restart that reuses
 * the existing one never evaluates pkijs.
 */
import { randomBytes, webcrypto, createPrivateKey } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SubjectName } from './subject-names.js';

const OID = {
  commonName: '2.5.4.3',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

/** GeneralName CHOICE tags (RFC 5280 §4.2.1.6). */
const GENERAL_NAME_DNS = 2;
const GENERAL_NAME_IP = 7;
/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on. */
const LAST_UTC_TIME_YEAR = 2049;
const SERIAL_BYTES = 16;

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** The subject and issuer CN; clients pin the fingerprint, so it is only a label. */
export const CERTIFICATE_COMMON_NAME = 'special-agent gateway';

/** What {@link createSelfSignedCertificate} needs; times are epoch milliseconds. */
export interface SelfSignedRequest {
  names: readonly SubjectName[];
  notBeforeMs: number;
  notAfterMs: number;
}

function time(ms: number): pkijs.Time {
  const value = new Date(ms);
  const type =
    value.getUTCFullYear() > LAST_UTC_TIME_YEAR
      ? pkijs.TimeType.GeneralizedTime
      : pkijs.TimeType.UTCTime;
  return new pkijs.Time({ type, value });
}

function commonName(): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({
        type: OID.commonName,
        value: new asn1js.Utf8String({ value: CERTIFICATE_COMMON_NAME }),
      }),
    ],
  });
}

/** A positive serial of 16 random bytes, minimally encoded (first byte 0x01–0x7f). */
function serialNumber(): asn1js.Integer {
  const bytes = randomBytes(SERIAL_BYTES);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return new asn1js.Integer({ valueHex: bytes });
}

function generalName(name: SubjectName): pkijs.GeneralName {
  if (name.type === 'dns')
    return new pkijs.GeneralName({ type: GENERAL_NAME_DNS, value: name.value });
  return new pkijs.GeneralName({
    type: GENERAL_NAME_IP,
    value: new asn1js.OctetString({ valueHex: name.bytes }),
  });
}

function extension(
  extnID: string,
  critical: boolean,
  value: { toBER(sizeOnly?: boolean): ArrayBuffer },
): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

function extensions(names: readonly SubjectName[]): pkijs.Extension[] {
  const subjectAltNames = new pkijs.GeneralNames({ names: names.map(generalName) });
  // digitalSignature only: an ECDSA key signs the TLS handshake and does nothing else.
  const digitalSignature = new asn1js.BitString({ valueHex: Uint8Array.of(0x80), unusedBits: 7 });
  return [
    extension(OID.subjectAltName, false, subjectAltNames.toSchema()),
    extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
    extension(OID.keyUsage, true, digitalSignature),
    extension(
      OID.extKeyUsage,
      false,
      new pkijs.ExtKeyUsage({ keyPurposes: [OID.serverAuth] }).toSchema(),
    ),
  ];
}

function toPem(label: string, der: ArrayBuffer): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * A fresh P-256 key and a self-signed certificate for `names`, both PEM. The key is new on
 * every call: a renewal changes the fingerprint anyway, so keeping the key would buy
 * pinned clients nothing.
 */
export async function createSelfSignedCertificate(
  request: SelfSignedRequest,
): Promise<{ cert: string; key: string }> {
  const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });
  const keys = await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);

  const certificate = new pkijs.Certificate();
  certificate.version = 2; // v3: the only version that carries extensions
  certificate.serialNumber = serialNumber();
  certificate.issuer = commonName();
  certificate.subject = commonName();
  certificate.notBefore = time(request.notBeforeMs);
  certificate.notAfter = time(request.notAfterMs);
  certificate.extensions = extensions(request.names);
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey as CryptoKey, engine);
  await certificate.sign(keys.privateKey as CryptoKey, 'SHA-256', engine);

  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  return {
    cert: toPem('CERTIFICATE', certificate.toSchema(true).toBER(false)),
    key: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}
