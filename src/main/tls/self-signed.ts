/**
 * Writes a self-signed ECDSA P-256 server certificate with pkijs (docs/decisions.md
 * "X.509 library: pkijs"). node:crypto makes the key and signs; pkijs only lays out the
 * ASN.1. Both libraries are loaded with `import()` only when a certificate must be made:
 * a restart that reuses the existing one never loads them (and the gateway bundle can
 * keep them external, see README.md).
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import type * as Asn1js from 'asn1js';
import type * as Pkijs from 'pkijs';
import type { SubjectName } from './subject-names.js';

/** The two libraries, passed to each helper because they are loaded on demand. */
interface Libs {
  pkijs: typeof Pkijs;
  asn1js: typeof Asn1js;
}

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

function time({ pkijs }: Libs, ms: number): Pkijs.Time {
  const value = new Date(ms);
  const type =
    value.getUTCFullYear() > LAST_UTC_TIME_YEAR
      ? pkijs.TimeType.GeneralizedTime
      : pkijs.TimeType.UTCTime;
  return new pkijs.Time({ type, value });
}

function commonName({ pkijs, asn1js }: Libs): Pkijs.RelativeDistinguishedNames {
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
function serialNumber({ asn1js }: Libs): Asn1js.Integer {
  const bytes = randomBytes(SERIAL_BYTES);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return new asn1js.Integer({ valueHex: bytes });
}

function generalName({ pkijs, asn1js }: Libs, name: SubjectName): Pkijs.GeneralName {
  if (name.type === 'dns')
    return new pkijs.GeneralName({ type: GENERAL_NAME_DNS, value: name.value });
  return new pkijs.GeneralName({
    type: GENERAL_NAME_IP,
    value: new asn1js.OctetString({ valueHex: name.bytes }),
  });
}

function extension(
  { pkijs }: Libs,
  extnID: string,
  critical: boolean,
  value: { toBER(sizeOnly?: boolean): ArrayBuffer },
): Pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

function extensions(libs: Libs, names: readonly SubjectName[]): Pkijs.Extension[] {
  const { pkijs, asn1js } = libs;
  const subjectAltNames = new pkijs.GeneralNames({
    names: names.map((name) => generalName(libs, name)),
  });
  // digitalSignature only: an ECDSA key signs the TLS handshake and does nothing else.
  const digitalSignature = new asn1js.BitString({ valueHex: Uint8Array.of(0x80), unusedBits: 7 });
  return [
    extension(libs, OID.subjectAltName, false, subjectAltNames.toSchema()),
    extension(
      libs,
      OID.basicConstraints,
      true,
      new pkijs.BasicConstraints({ cA: false }).toSchema(),
    ),
    extension(libs, OID.keyUsage, true, digitalSignature),
    extension(
      libs,
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
  // Node's WebCrypto (the global `crypto`, as in browsers): what pkijs signs with.
  const [pkijs, asn1js] = await Promise.all([import('pkijs'), import('asn1js')]);
  const libs: Libs = { pkijs, asn1js };
  const webCrypto = globalThis.crypto;
  const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webCrypto });
  const keys = await webCrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);

  const certificate = new pkijs.Certificate();
  certificate.version = 2; // v3: the only version that carries extensions
  certificate.serialNumber = serialNumber(libs);
  certificate.issuer = commonName(libs);
  certificate.subject = commonName(libs);
  certificate.notBefore = time(libs, request.notBeforeMs);
  certificate.notAfter = time(libs, request.notAfterMs);
  certificate.extensions = extensions(libs, request.names);
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey, engine);
  await certificate.sign(keys.privateKey, 'SHA-256', engine);

  const pkcs8 = await webCrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  return {
    cert: toPem('CERTIFICATE', certificate.toSchema(true).toBER(false)),
    key: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}
