/**
 * Whether this page may make a device key at all. Browsers give WebCrypto
 * (`crypto.subtle`) only to secure contexts: `https://`, `localhost` and loopback IPs. A
 * browser on another machine at `http://<lan-ip>:<port>/` is none of these, so the UI must
 * say so before it touches WebCrypto, and never fall back to a weaker sign-in (DESIGN.md
 * "Remote devices": that was OpenClaw's CVE-2026-32034).
 */
/** Why this page cannot hold a device key. */
export type SecureContextProblem = 'insecure-context' | 'no-webcrypto';

/** The parts of `window` the check reads, so tests can pass plain objects. */
export interface SecureContextEnv {
  isSecureContext?: boolean | undefined;
  crypto?: { subtle?: unknown } | undefined;
}

/**
 * The reason this page cannot make a device key, or undefined when it can. An old browser
 * without `isSecureContext` counts as secure only if it actually has `crypto.subtle`.
 */
export function secureContextProblem(env: SecureContextEnv): SecureContextProblem | undefined {
  if (env.isSecureContext === false) return 'insecure-context';
  if (typeof env.crypto?.subtle !== 'object' || env.crypto.subtle === null) return 'no-webcrypto';
  return undefined;
}
