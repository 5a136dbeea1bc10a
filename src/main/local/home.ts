/**
 * The CLI's surface of src/main: this home and its process basics, which every
 * `special-agent` invocation needs before it knows its command (src/cli/cli-context.ts).
 * A bare `--version` loads this file, so it stays light: no config schema, no WebSocket.
 */
export { resolvePaths, type AppPaths } from '../config/paths.js';
export { keychainForHome, type SecretStore } from '../secrets/keychain.js';
export { systemClock, type Clock } from '../util/clock.js';
