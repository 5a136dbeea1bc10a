/**
 * Config constants a Control UI page needs without the config schema: config-schema.ts
 * re-exports them, but importing them from there loads zod and ipaddr.js (about 30 KB
 * gzip) into a page that validates nothing (issue 16).
 */

/** An agent id: lower-case letters, digits, `_` and `-`, starting with a letter or digit. */
export const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** The gateway's port when the config names none. */
export const DEFAULT_PORT = 18789;
