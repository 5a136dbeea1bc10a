/**
 * `gateway.tls` as the running gateway applies it (DESIGN.md "Remote devices"): whether the
 * port speaks HTTPS, which certificate it serves, and what start-up and the running
 * certificate check (certificate-refresh.ts) say about it, in the same words.
 */
import type { Config } from '../../shared/config-schema.js';
import type { StatusTls } from '../../shared/protocol.js';
import type { GatewayCertificate } from '../tls/certificate-info.js';
import { CertificateRefresh, type RefreshEvent } from '../tls/certificate-refresh.js';
import { ensureGatewayCertificate, type CertificateOutcome } from '../tls/gateway-certificate.js';
import { loadUserCertificate } from '../tls/user-certificate.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { decideTls } from './tls-decision.js';

export interface PrepareTlsOptions {
  gateway: Pick<Config['gateway'], 'bind' | 'tls'>;
  home: string;
  /** Every concrete address the gateway listens on (the certificate names each). */
  addresses: readonly string[];
  clock: Clock;
  logger: Logger;
}

/**
 * The certificate to serve, or undefined when TLS is off. The user's pair
 * (`certPath`/`keyPath`) is used as it is; otherwise the gateway's own, made or renewed in
 * `<home>/tls/`. Call it with the gateway lock held: it may write there. A bad user pair is
 * a `ConfigError`, an unusable `<home>/tls` a `TlsSetupError`; both exit 78 naming the file.
 */
export async function prepareGatewayTls(
  options: PrepareTlsOptions,
): Promise<GatewayCertificate | undefined> {
  const { gateway, logger } = options;
  const decision = decideTls(gateway);
  if (decision.warning !== undefined) logger.warn(decision.warning);
  if (!decision.enabled) return undefined;
  const { certPath, keyPath } = gateway.tls;
  if (certPath !== undefined && keyPath !== undefined) {
    const certificate = await loadUserCertificate({ certPath, keyPath });
    logger.info(`TLS on with ${certPath}: ${describe(certificate)}`);
    if (certificate.expiresAtMs <= options.clock.now()) {
      logger.warn(expiredNote(certPath, certificate));
    }
    return certificate;
  }
  const certificate = await ensureGatewayCertificate({
    home: options.home,
    addresses: options.addresses,
    clock: options.clock,
  });
  const note = outcomeNote(certificate.outcome, certificate.path);
  if (note !== undefined) logger.warn(`${note}; ${repinAdvice(certificate)}`);
  logger.info(`TLS on with the gateway's own certificate: ${describe(certificate)}`);
  return certificate;
}

/**
 * The check that keeps `certificate` (what {@link prepareGatewayTls} returned) current
 * while the gateway runs, logging what it does. Started by the caller once the server
 * exists (`start(apply)`), stopped with the gateway.
 */
export function watchGatewayTls(
  options: PrepareTlsOptions & { certificate: GatewayCertificate; recheckIntervalMs: number },
): CertificateRefresh {
  const { certPath, keyPath } = options.gateway.tls;
  const { logger } = options;
  return new CertificateRefresh({
    source:
      options.certificate.source === 'user' && certPath !== undefined && keyPath !== undefined
        ? { kind: 'user', paths: { certPath, keyPath } }
        : { kind: 'generated', home: options.home, addresses: options.addresses },
    initial: options.certificate,
    clock: options.clock,
    policy: { recheckIntervalMs: options.recheckIntervalMs },
    report: (event) => logRefresh(logger, event),
  });
}

/** One line per check: debug when nothing changed, else what changed and what to do. */
function logRefresh(logger: Logger, event: RefreshEvent): void {
  const { served } = event;
  const keeps = `still serving the previous certificate (SHA-256 fingerprint ${served.fingerprintSha256})`;
  switch (event.kind) {
    case 'unchanged':
      logger.debug(`TLS certificate checked: ${describe(served)}`);
      return;
    case 'renewed': {
      // A start that renews warns in these words; renewing while running is the same news.
      const { outcome, path } = event.served;
      const note = outcomeNote(outcome, path) ?? `made a new TLS certificate ${path}`;
      logger.warn(`${note}; ${repinAdvice(served)}; valid until ${isoDate(served.expiresAtMs)}`);
      return;
    }
    case 'reloaded': {
      const samePin = event.previousFingerprint === served.fingerprintSha256;
      logger.info(
        `reloaded the TLS certificate ${event.paths.certPath}, which changed on disk: ` +
          `${describe(served)}; ${samePin ? 'its fingerprint is unchanged, so pinned clients keep working' : repinAdvice(served)}`,
      );
      return;
    }
    case 'refused':
      logger.error(`${event.problem}; ${keeps} until the files are fixed`);
      return;
    case 'expired':
      logger.error(`${expiredNote(event.paths.certPath, event.replacement)}; ${keeps}`);
      return;
    case 'failed':
      logger.error(`TLS certificate check failed: ${event.problem}; ${keeps} and trying again`);
      return;
  }
}

/** PROTOCOL.md `status.tls`. */
export function tlsStatusOf(certificate: GatewayCertificate | undefined): StatusTls {
  if (certificate === undefined) return { enabled: false };
  return {
    enabled: true,
    fingerprintSha256: certificate.fingerprintSha256,
    expiresAtMs: certificate.expiresAtMs,
  };
}

function describe(certificate: GatewayCertificate): string {
  return `SHA-256 fingerprint ${certificate.fingerprintSha256}, valid until ${isoDate(certificate.expiresAtMs)}`;
}

/** What a new fingerprint means for devices that pinned the old one (`--tls-fingerprint`). */
function repinAdvice(certificate: GatewayCertificate): string {
  return (
    'its fingerprint is new, so clients that pinned the old one refuse it until ' +
    `they pin this one: --tls-fingerprint ${certificate.fingerprintSha256}`
  );
}

function expiredNote(certPath: string, certificate: GatewayCertificate): string {
  return `the TLS certificate ${certPath} expired on ${isoDate(certificate.expiresAtMs)}; replace it (gateway.tls.certPath)`;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** One line for a generated certificate that is not the one of the last start. */
function outcomeNote(outcome: CertificateOutcome, path: string): string | undefined {
  switch (outcome.kind) {
    case 'reused':
    case 'created':
      return undefined;
    case 'renewed':
      return outcome.reason === 'expiring'
        ? `renewed the TLS certificate ${path}, which was about to expire`
        : `renewed the TLS certificate ${path}, which did not name ${outcome.uncovered.join(', ')}`;
    case 'replaced-corrupt':
      return `the TLS certificate ${path} was damaged (${outcome.problem}); it was moved to ${outcome.movedTo} and replaced`;
  }
}
