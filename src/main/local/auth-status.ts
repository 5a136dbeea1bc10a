/**
 * The CLI's surface of src/main: whether each provider is ready to answer
 * (`models auth-status`, and onboarding's "does this provider need a key").
 */
export {
  computeAuthStatus,
  providerNeedsKey,
  type AuthStatus,
  type ProviderAuthRow,
} from '../providers/auth-status.js';
