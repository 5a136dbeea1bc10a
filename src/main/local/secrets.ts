/**
 * The CLI's surface of src/main: a secret resolved by the gateway's own rule (environment,
 * then config file, then keychain), and the gateway token onboarding creates.
 */
export {
  ensureGatewayToken,
  envVarForRef,
  resolveSecret,
  type ResolvedSecret,
  type SecretSource,
} from '../secrets/resolve.js';
