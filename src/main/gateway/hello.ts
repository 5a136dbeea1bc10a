import type { AuthMode } from '../../shared/config-schema.js';
import type { HelloOk } from '../../shared/protocol.js';
import { GATEWAY_EVENTS, PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { Admission } from './peer.js';
import type { GatewayLimits } from './limits.js';

/** The `hello-ok` payload of PROTOCOL.md handshake step 6. */
export function buildHello(input: {
  connId: string;
  admission: Admission;
  version: string;
  methods: string[];
  uptimeMs: number;
  authMode: AuthMode;
  limits: GatewayLimits;
}): HelloOk {
  const { admission, limits } = input;
  return {
    type: 'hello-ok',
    protocol: PROTOCOL_VERSION,
    server: { version: input.version, connId: input.connId },
    features: { methods: input.methods, events: [...GATEWAY_EVENTS] },
    snapshot: {
      presence: [],
      health: {},
      stateVersion: { presence: 0, health: 0 },
      uptimeMs: input.uptimeMs,
      authMode: input.authMode,
    },
    // Present only when a device token was issued now (PROTOCOL.md step 6).
    ...(admission.issuedToken
      ? {
          auth: {
            deviceToken: admission.issuedToken.token,
            role: admission.role,
            scopes: admission.device.scopes,
            issuedAtMs: admission.issuedToken.createdAtMs,
          },
        }
      : {}),
    policy: {
      maxPayload: limits.maxPayload,
      maxBufferedBytes: limits.maxBufferedBytes,
      tickIntervalMs: limits.tickIntervalMs,
    },
  };
}
