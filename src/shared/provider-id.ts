/**
 * Provider ids, apart from the config schema: the keychain names its accounts after them,
 * and it is loaded by every CLI command, so it must not pull in zod (bench/README.md "CLI").
 */

/** A provider id: lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
export const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
