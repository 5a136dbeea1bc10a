/**
 * Keeps the served certificate current while the gateway runs; start-up looks only once.
 * The gateway's own certificate is renewed `renewBeforeDays` before it expires, exactly as
 * a start would renew it; the user's files (certbot renews them on disk every 60-90 days)
 * are reloaded once they hold a new valid pair. The new pair reaches the server through
 * `apply` (`tlsServer.setSecureContext`): new handshakes get it, open connections keep
 * the one they were made with.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/load.js';
import type { Clock } from '../util/clock.js';
import type { GatewayCertificate } from './certificate-info.js';
import {
  DAY_MS,
  DEFAULT_CERTIFICATE_POLICY,
  type CertificatePolicy,
} from './certificate-policy.js';
import { ensureGatewayCertificate, type EnsuredGatewayCertificate } from './gateway-certificate.js';
import { loadUserCertificate, type UserCertificatePaths } from './user-certificate.js';

/** Where the served pair comes from: the gateway's own `<home>/tls/`, or the user's files. */
export type CertificateSource =
  | { kind: 'generated'; home: string; addresses: readonly string[] }
  | { kind: 'user'; paths: UserCertificatePaths };

/** What one check found; `served` is what the server serves after it. The caller logs it. */
export type RefreshEvent =
  | { kind: 'unchanged'; served: GatewayCertificate }
  /** The gateway's own certificate was renewed in `<home>/tls/` and is served now. */
  | { kind: 'renewed'; served: EnsuredGatewayCertificate }
  /** The user's files hold a new valid pair, served now. */
  | {
      kind: 'reloaded';
      served: GatewayCertificate;
      paths: UserCertificatePaths;
      /** A new chain or key encoding can keep the fingerprint: pinned clients then keep working. */
      previousFingerprint: string;
    }
  /** The user's files changed but cannot serve (`problem` names the file and the fix). */
  | { kind: 'refused'; served: GatewayCertificate; problem: string }
  /** The user's files changed to a valid pair that has already expired. */
  | {
      kind: 'expired';
      served: GatewayCertificate;
      replacement: GatewayCertificate;
      paths: UserCertificatePaths;
    }
  /** The check itself failed (say `<home>/tls` is not writable); the next one tries again. */
  | { kind: 'failed'; served: GatewayCertificate; problem: string };

export interface CertificateRefreshOptions {
  source: CertificateSource;
  /** The pair the server was started with. */
  initial: GatewayCertificate;
  clock: Clock;
  /** `renewBeforeDays`, `recheckIntervalMs` and `recheckAfterProblemMs` (the rest goes to a renewal as at start). */
  policy?: Partial<CertificatePolicy>;
  /** Called once per check, never with key material outside `served`'s own fields. */
  report: (event: RefreshEvent) => void;
}

/**
 * Checks the certificate every `recheckIntervalMs` once started, and every
 * `recheckAfterProblemMs` while the user's files cannot be served or the pair served has
 * expired, so files put right are served within a minute, not hours later. A pair that cannot serve
 * never replaces the served one, and the user's broken files are reported once per change
 * of their content, not at every check.
 */
export class CertificateRefresh {
  readonly #options: CertificateRefreshOptions;
  readonly #policy: CertificatePolicy;
  #served: GatewayCertificate;
  #apply: ((certificate: GatewayCertificate) => void) | undefined;
  /** Digest of the user's files at the last check: unchanged files are not parsed again. */
  #lastFiles: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  /** Set from a refused, expired or failed check until a pair is served again. */
  #troubled = false;
  #stopped = false;

  constructor(options: CertificateRefreshOptions) {
    this.#options = options;
    this.#policy = { ...DEFAULT_CERTIFICATE_POLICY, ...options.policy };
    this.#served = options.initial;
  }

  /** The pair the server serves now: `status.tls` and `/healthz` show this one. */
  get current(): GatewayCertificate {
    return this.#served;
  }

  /** Starts the periodic check; `apply` puts a new pair into the running server. Once stopped, it stays stopped. */
  start(apply: (certificate: GatewayCertificate) => void): void {
    if (this.#apply !== undefined || this.#stopped) return;
    this.#apply = apply;
    this.#schedule();
  }

  /** Stops the timer and waits for a check under way, so a renewal's write ends first. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  #schedule(): void {
    if (this.#stopped) return;
    const { recheckIntervalMs, recheckAfterProblemMs } = this.#policy;
    const delay = this.#needsSoonerLook()
      ? Math.min(recheckAfterProblemMs, recheckIntervalMs)
      : recheckIntervalMs;
    this.#timer = setTimeout(() => void this.#check().then(() => this.#schedule()), delay);
    // The check is housekeeping: it must never be what keeps a stopping process alive.
    this.#timer.unref();
  }

  /**
   * Only the user's files can be put right from outside (a fix by hand, a renewal tool that
   * works again): look sooner while they cannot serve or the pair served has expired. The
   * gateway's own certificate is made here; a failure to make it waits for the regular check
   * rather than log an error every minute.
   */
  #needsSoonerLook(): boolean {
    if (this.#options.source.kind !== 'user') return false;
    return this.#troubled || this.#served.expiresAtMs <= this.#options.clock.now();
  }

  /** One check at a time: a slow disk must not let two renewals write at once. */
  #check(): Promise<void> {
    this.#inFlight ??= this.#checkOnce()
      .catch((error: unknown): RefreshEvent => {
        this.#troubled = true;
        const problem = error instanceof Error ? error.message : String(error);
        return { kind: 'failed', served: this.#served, problem };
      })
      .then((event) => {
        try {
          this.#options.report(event);
        } catch {
          // A report that throws (a logger whose file went away) must not become an
          // unhandled rejection from a timer, nor make stop() throw, nor count as a problem.
        }
      })
      .finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #checkOnce(): Promise<RefreshEvent> {
    const { source } = this.#options;
    const event =
      source.kind === 'generated'
        ? await this.#checkGenerated(source.home, source.addresses)
        : await this.#checkUser(source.paths);
    if (event.kind === 'refused' || event.kind === 'expired') this.#troubled = true;
    if (event.kind === 'renewed' || event.kind === 'reloaded') this.#troubled = false;
    return event;
  }

  async #checkGenerated(home: string, addresses: readonly string[]): Promise<RefreshEvent> {
    const served = this.#served;
    const { clock } = this.#options;
    if (served.expiresAtMs - clock.now() > this.#policy.renewBeforeDays * DAY_MS) {
      return { kind: 'unchanged', served };
    }
    // The start path itself: same checks, same atomic write of <home>/tls/gateway.pem.
    const renewed = await ensureGatewayCertificate({
      home,
      addresses,
      clock,
      policy: this.#policy,
    });
    if (renewed.fingerprintSha256 === served.fingerprintSha256)
      return { kind: 'unchanged', served };
    this.#serve(renewed);
    return { kind: 'renewed', served: renewed };
  }

  async #checkUser(paths: UserCertificatePaths): Promise<RefreshEvent> {
    const served = this.#served;
    const files = await digestOfFiles(paths);
    if (files === this.#lastFiles) return { kind: 'unchanged', served };
    const replacement = await loadUserCertificate(paths).catch((error: unknown) => {
      if (error instanceof ConfigError) return error;
      throw error;
    });
    // The files changed while they were read (a renewal tool swaps them, certbot its links
    // one by one): what was read may be one version's certificate beside the next one's
    // key. Nothing is decided on it; the next check reads them again.
    if ((await digestOfFiles(paths)) !== files) return { kind: 'unchanged', served };
    this.#lastFiles = files;
    if (replacement instanceof ConfigError)
      return { kind: 'refused', served, problem: replacement.message };
    if (replacement.cert === served.cert && replacement.key === served.key) {
      // Put back as they were: nothing is wrong any more.
      this.#troubled = false;
      return { kind: 'unchanged', served };
    }
    // At start an expired pair is served (there is nothing else); here the served one is.
    if (replacement.expiresAtMs <= this.#options.clock.now()) {
      return { kind: 'expired', served, replacement, paths };
    }
    try {
      this.#serve(replacement);
    } catch (error) {
      // OpenSSL can still refuse a pair node:crypto parsed (a key too weak for its level).
      const problem = `gateway.tls.certPath: ${paths.certPath} cannot be served (${(error as Error).message}); use a certificate and key OpenSSL accepts`;
      return { kind: 'refused', served, problem };
    }
    return {
      kind: 'reloaded',
      served: replacement,
      paths,
      previousFingerprint: served.fingerprintSha256,
    };
  }

  /** Into the server first: `current` never names a pair the server does not serve. */
  #serve(certificate: GatewayCertificate): void {
    this.#apply?.(certificate);
    this.#served = certificate;
  }
}

/** Both files' content as one digest (a read error counts as content); no text is kept. */
async function digestOfFiles(paths: UserCertificatePaths): Promise<string> {
  const hash = createHash('sha256');
  for (const path of [paths.certPath, paths.keyPath]) {
    const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) =>
      Buffer.from(`unreadable: ${error.code ?? String(error)}`),
    );
    // Each file hashed on its own first, so where one ends cannot shift into the other.
    hash.update(createHash('sha256').update(bytes).digest());
  }
  return hash.digest('hex');
}
