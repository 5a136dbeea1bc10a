/**
 * Whether the gateway speaks TLS for a config (DESIGN.md "Remote devices"). Apart from
 * tls-setting.ts so that the CLI, which picks `ws://` or `wss://` by it, loads no more.
 */
import type { Config } from '../../shared/config-schema.js';
import { isTailnet, normalizeIp } from '../auth/ip.js';
import { bindIsLoopback } from './listen-address.js';

/** Whether TLS is on for this config, and the warning to log at every start, if any. */
export interface TlsDecision {
  enabled: boolean;
  warning?: string;
}

/**
 * On by default for every non-loopback bind, off on loopback; an explicit `enabled` wins.
 * Plain HTTP on a non-loopback bind is allowed, with a warning at every start, except on
 * `tailnet`, where WireGuard already encrypts every packet.
 */
export function decideTls(gateway: Pick<Config['gateway'], 'bind' | 'tls'>): TlsDecision {
  const loopback = bindIsLoopback(gateway.bind);
  const enabled = gateway.tls.enabled ?? !loopback;
  if (enabled || loopback || bindIsTailnet(gateway.bind)) return { enabled };
  return {
    enabled,
    warning:
      `gateway.tls.enabled is false on bind "${gateway.bind}": tokens, pairing and chat cross the network ` +
      'unencrypted and can be read or changed on the way; turn TLS back on with: ' +
      'special-agent configure unset gateway.tls.enabled',
  };
}

/** `tailnet`, or an explicit tailnet address: every packet there is WireGuard-encrypted. */
function bindIsTailnet(bind: string): boolean {
  if (bind === 'tailnet') return true;
  const ip = normalizeIp(bind);
  return ip !== undefined && isTailnet(ip);
}
