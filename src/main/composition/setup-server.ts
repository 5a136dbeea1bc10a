import { ClientAddressResolver, hostInterfaceAddresses } from '../auth/client-address.js';
import { FailedAuthLimiter } from '../auth/rate-limiter.js';
import { RequestGates } from '../auth/request-gates.js';
import { ControlUiAssets } from '../gateway/control-ui.js';
import { DeviceVerifier } from '../gateway/device-verify.js';
import type { GatewayAuthState } from '../gateway/gateway-auth-state.js';
import { GatewayServer } from '../gateway/gateway-server.js';
import { Authenticator } from '../gateway/handshake.js';
import type { PairingService } from '../pairing/pairing-service.js';
import { MethodRouter } from '../gateway/router.js';
import type { Config } from '../../shared/config-schema.js';
import type { AppBasics } from './basics.js';
import type { AppParts } from './parts.js';

/** The server (not yet listening) and the parts hot reload and the methods reach into. */
export interface ServerSetup {
  readonly gateway: GatewayServer;
  readonly router: MethodRouter;
  readonly gates: RequestGates;
  readonly addresses: ClientAddressResolver;
}

/** Builds the HTTP + WebSocket server with its gates, handshake and Control UI. */
export async function setupServer(
  deps: Pick<AppParts, 'basics' | 'start' | 'tls' | 'auth' | 'pairing' | 'secrets' | 'version'>,
  uiDir: string,
): Promise<ServerSetup> {
  const { basics, start, tls, auth } = deps;
  const { clock, limits, logger } = basics;
  const { gateway: config } = start.config;
  const router = new MethodRouter({ logger, maxForbiddenCalls: limits.maxForbiddenCalls });
  const gates = new RequestGates({
    port: config.port,
    listenAddresses: start.listenAddresses,
    allowedHosts: config.allowedHosts,
    allowedOrigins: config.controlUi.allowedOrigins,
    tls: tls.enabled,
  });
  const addresses = new ClientAddressResolver({
    trustedProxies: config.trustedProxies,
    // Read per connection: tailnet addresses come and go while the gateway runs.
    localAddresses: () => hostInterfaceAddresses(basics.interfaces()),
    logger,
  });
  const authenticator = setupHandshake(basics, auth, deps.pairing, deps.secrets.currentConfig);
  const wsScheme = tls.enabled ? 'wss' : 'ws';
  const ui = await ControlUiAssets.load(uiDir);
  const gateway = new GatewayServer({
    limits,
    version: deps.version,
    clock,
    logger,
    gates,
    addresses,
    authenticator,
    router,
    authMode: () => auth.mode,
    httpHandler: (req, res) =>
      ui.handle(req, res, { wsOrigin: `${wsScheme}://${req.headers.host ?? ''}` }),
    tls: tls.certificate,
  });
  return { gateway, router, gates, addresses };
}

/** The handshake's checks: lockout, device proof, shared secret, pairing. */
function setupHandshake(
  { clock, limits }: Pick<AppBasics, 'clock' | 'limits'>,
  auth: GatewayAuthState,
  pairing: PairingService,
  currentConfig: () => Config,
): Authenticator {
  return new Authenticator({
    auth: () => auth.current(),
    autoApproveLocal: () => currentConfig().gateway.pairing.autoApproveLocal,
    pairing,
    limiter: new FailedAuthLimiter({
      clock,
      maxFailures: limits.lockoutMaxFailures,
      windowMs: limits.lockoutWindowMs,
      lockoutMs: limits.lockoutMs,
    }),
    verifier: new DeviceVerifier({
      signatureSkewMs: limits.signatureSkewMs,
      maxCachedKeys: limits.maxCachedDeviceKeys,
    }),
    clock,
  });
}
