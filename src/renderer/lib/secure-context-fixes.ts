/**
 * The ways from an insecure page to a secure context (lib/secure-context.ts), built from
 * this page's address. Only the explanation page imports this, and it loads lazily: the
 * config schema behind DEFAULT_PORT stays out of the startup bundle.
 */
import { DEFAULT_PORT } from '../../shared/config-constants.js';

/** The ways to reach this gateway from a secure context, built from this page's address. */
export interface SecureContextFixes {
  /** The same host and port over TLS (works when the gateway has `gateway.tls` on). */
  httpsUrl: string;
  /** Forwards the gateway's port on this machine's loopback to the gateway's machine. */
  tunnelCommand: string;
  /** What to open once the tunnel runs. */
  tunnelUrl: string;
}

/** The fixes for a page at `location` (`hostname` "[::1]"-style IPv6 loses its brackets for ssh). */
export function secureContextFixes(location: {
  hostname: string;
  port: string;
}): SecureContextFixes {
  const port = location.port || String(DEFAULT_PORT);
  const host = location.hostname;
  const sshHost = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return {
    httpsUrl: `https://${host}${location.port ? `:${location.port}` : ''}/`,
    tunnelCommand: `ssh -L ${port}:127.0.0.1:${port} ${sshHost}`,
    tunnelUrl: `http://localhost:${port}/`,
  };
}
