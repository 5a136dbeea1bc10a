/**
 * The CLI's surface of src/main: reading the config file as the gateway does, naming its
 * dotted paths, and writing the CLI's own files (identity, known gateways) the way the
 * gateway writes its own: atomically, with what a failed file operation means.
 */
export { ConfigError, loadConfig } from '../config/load.js';
export {
  formatConfigPath,
  getAtPath,
  isReservedSegment,
  parseCliValue,
  parseConfigPath,
} from '../config/config-path.js';
export type { PathSegment } from '../config/json5-positions.js';
export { writeFileAtomic } from '../fs/atomic-file.js';
export { storageError, storageFix } from '../fs/storage-errors.js';
