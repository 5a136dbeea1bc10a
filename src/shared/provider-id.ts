/**
 * Provider ids and auth-profile names, apart from the config schema: the keychain names its accounts after them,
 * and it is loaded by every CLI command, so it must not pull in zod (bench/README.md "CLI").
 */

/** A provider id: lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
export const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** An auth profile's name (DESIGN.md "Auth profiles"); `default` is the provider's own key. */
export const PROFILE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,31}$/;

/** The profile fed by `apiKey`, the `<ID>_API_KEY` variable and the `provider:<id>` entry. */
export const DEFAULT_PROFILE = 'default';
