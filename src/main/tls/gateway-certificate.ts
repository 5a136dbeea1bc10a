/**
 * The gateway's own certificate: made once in `<home>/tls/`, reused on every start, renewed
 * before it expires or when it no longer names an address the gateway listens on.
 *
 * Key and certificate live in ONE file, `gateway.pem` (certificate block, then key block),
 * mode 0600 in a 0700 folder: the pair is one atomic unit (STYLE.md "State"), so a crash
 * mid-renewal can never leave a new key beside an old certificate.
 */
import { EXIT } from '../../shared/exit-codes.js';
import { chmod, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { TEMP_FILE_MARKER, writeFileAtomic } from '../fs/atomic-file.js';
import { storageError } from '../fs/storage-errors.js';
import type { Clock } from '../util/clock.js';
import {
  expiresAtMsOf,
  pairProblem,
  parsePrivateKey,
  pemBlocks,
  type GatewayCertificate,
} from './certificate-info.js';
import {
  DAY_MS,
  DEFAULT_CERTIFICATE_POLICY,
  type CertificatePolicy,
} from './certificate-policy.js';
import { createSelfSignedCertificate } from './self-signed.js';
import { subjectNamesFor, uncoveredNames, type SubjectName } from './subject-names.js';

/** The folder under the home and the file in it. */
export const TLS_DIR = 'tls';
export const GATEWAY_PEM = 'gateway.pem';

/** The certificate folder or file cannot be read or written; the gateway exits 78. */
export class TlsSetupError extends Error {
  readonly exitCode = EXIT.config;
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TlsSetupError';
  }
}

/** What {@link ensureGatewayCertificate} did, for one log line at start. */
export type CertificateOutcome =
  | { kind: 'reused' }
  | { kind: 'created' }
  | { kind: 'renewed'; reason: 'expiring' }
  | { kind: 'renewed'; reason: 'addresses'; uncovered: string[] }
  /** The file was damaged; it was kept under `movedTo` and a new pair was made. */
  | { kind: 'replaced-corrupt'; problem: string; movedTo: string };

/** A generated certificate ready for `https.createServer`, and where it lives. */
export interface EnsuredGatewayCertificate extends GatewayCertificate {
  source: 'generated';
  path: string;
  outcome: CertificateOutcome;
}

export interface EnsureGatewayCertificateOptions {
  /** The special-agent home; the pair goes to `<home>/tls/gateway.pem`. */
  home: string;
  /** Every concrete address or host name the gateway listens on (no `0.0.0.0`). */
  addresses: readonly string[];
  clock: Clock;
  policy?: Partial<CertificatePolicy>;
}

type Existing =
  | { kind: 'missing' }
  | { kind: 'corrupt'; problem: string }
  | { kind: 'valid'; cert: string; key: string; certificate: X509Certificate };

const WINDOWS = process.platform === 'win32';

/**
 * Returns the gateway's certificate, making or renewing it when needed. A certificate that
 * is still valid for more than `renewBeforeDays` and names every address is reused as it
 * is: same file, same fingerprint. A renewal makes a new key too, so the fingerprint
 * changes and pinned clients must re-pin (they see both fingerprints).
 *
 * A file that does not parse, or whose key does not match its certificate, is ours and
 * holds nothing worth keeping: it is moved to `gateway.pem.corrupt-<time>` and replaced
 * (`outcome.kind: 'replaced-corrupt'`; the caller logs it). A file that cannot be read
 * at all (permissions, I/O error) is left alone: {@link TlsSetupError}.
 */
export async function ensureGatewayCertificate(
  options: EnsureGatewayCertificateOptions,
): Promise<EnsuredGatewayCertificate> {
  const policy = { ...DEFAULT_CERTIFICATE_POLICY, ...options.policy };
  const names = subjectNamesFor(options.addresses);
  const folder = join(options.home, TLS_DIR);
  const path = join(folder, GATEWAY_PEM);
  const nowMs = options.clock.now();

  await prepareFolder(folder);
  const existing = await readExisting(path);
  if (existing.kind === 'valid') {
    const outcome = renewalOf(existing.certificate, names, nowMs, policy);
    if (outcome === undefined) {
      await tightenMode(path, 0o600);
      return result(existing, path, { kind: 'reused' });
    }
    return result(await create(path, names, nowMs, policy), path, outcome);
  }
  if (existing.kind === 'corrupt') {
    const movedTo = await moveAside(path, existing.problem, nowMs);
    const made = await create(path, names, nowMs, policy);
    return result(made, path, { kind: 'replaced-corrupt', problem: existing.problem, movedTo });
  }
  return result(await create(path, names, nowMs, policy), path, { kind: 'created' });
}

function renewalOf(
  certificate: X509Certificate,
  names: readonly SubjectName[],
  nowMs: number,
  policy: CertificatePolicy,
): CertificateOutcome | undefined {
  if (expiresAtMsOf(certificate) - nowMs <= policy.renewBeforeDays * DAY_MS) {
    return { kind: 'renewed', reason: 'expiring' };
  }
  const uncovered = uncoveredNames(certificate, names);
  if (uncovered.length > 0) return { kind: 'renewed', reason: 'addresses', uncovered };
  return undefined;
}

function result(
  pair: { cert: string; key: string; certificate: X509Certificate },
  path: string,
  outcome: CertificateOutcome,
): EnsuredGatewayCertificate {
  return {
    cert: pair.cert,
    key: pair.key,
    fingerprintSha256: pair.certificate.fingerprint256,
    expiresAtMs: expiresAtMsOf(pair.certificate),
    source: 'generated',
    path,
    outcome,
  };
}

async function prepareFolder(folder: string): Promise<void> {
  try {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await tightenMode(folder, 0o700);
    // A crash between writing a temp file and renaming it leaves a copy of a private key
    // behind; only one gateway runs per home (the gateway lock), so none is in use now.
    const strays = (await readdir(folder)).filter((name) =>
      name.startsWith(`${TEMP_FILE_MARKER}${GATEWAY_PEM}-`),
    );
    await Promise.all(strays.map((name) => rm(join(folder, name), { force: true })));
  } catch (error) {
    throw setupError(`cannot prepare the TLS folder ${folder}`, folder, error);
  }
}

/** Takes group/other bits away; the owner's own bits are left as they are. */
async function tightenMode(path: string, mode: number): Promise<void> {
  if (WINDOWS) return; // POSIX modes mean nothing there; the profile folder's ACL applies.
  const current = (await stat(path)).mode & 0o777;
  if ((current & ~mode) !== 0) await chmod(path, current & mode);
}

async function readExisting(path: string): Promise<Existing> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw setupError(`cannot read the gateway certificate ${path}`, path, error);
  }
  const certs = pemBlocks(text, 'CERTIFICATE');
  const keys = pemBlocks(text, 'PRIVATE KEY');
  if (certs.length !== 1 || keys.length !== 1) {
    return {
      kind: 'corrupt',
      problem: `expected one certificate and one private key, found ${certs.length} and ${keys.length}`,
    };
  }
  const [cert, key] = [certs[0] as string, keys[0] as string];
  try {
    const certificate = new X509Certificate(cert);
    const problem = pairProblem(certificate, parsePrivateKey(key));
    if (problem !== undefined) return { kind: 'corrupt', problem };
    return { kind: 'valid', cert, key, certificate };
  } catch (error) {
    return { kind: 'corrupt', problem: `unreadable PEM (${(error as Error).message})` };
  }
}

async function create(
  path: string,
  names: readonly SubjectName[],
  nowMs: number,
  policy: CertificatePolicy,
): Promise<{ cert: string; key: string; certificate: X509Certificate }> {
  const made = await createSelfSignedCertificate({
    names,
    notBeforeMs: nowMs - policy.backdateMinutes * 60_000,
    notAfterMs: nowMs + policy.validityDays * DAY_MS,
  });
  try {
    await writeFileAtomic(path, made.cert + made.key, { mode: 0o600 });
  } catch (error) {
    throw setupError(`cannot save the gateway certificate ${path}`, path, error);
  }
  return { ...made, certificate: new X509Certificate(made.cert) };
}

async function moveAside(path: string, problem: string, nowMs: number): Promise<string> {
  // Filesystem-safe, sortable, readable: 2025-01-31T12-00-00-000Z, as the pairing store does.
  const stamp = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
  const base = `${path}.corrupt-${stamp}`;
  for (let n = 0; ; n += 1) {
    const candidate = n === 0 ? base : `${base}-${n}`;
    const taken = await stat(candidate).then(
      () => true,
      () => false,
    );
    if (taken) continue;
    try {
      await rename(path, candidate);
      return candidate;
    } catch (error) {
      throw setupError(
        `the gateway certificate ${path} is damaged (${problem}) and could not be moved aside`,
        path,
        error,
      );
    }
  }
}

function setupError(what: string, file: string, error: unknown): TlsSetupError {
  const storage = storageError(error)?.message;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const why = storage ?? (code ? `${code}: ${(error as Error).message}` : String(error));
  return new TlsSetupError(`${what}: ${why}`, file, { cause: error });
}
