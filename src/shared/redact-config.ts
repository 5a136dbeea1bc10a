/**
 * The config as shown to a person or a client: `config.get` (PROTOCOL.md) and the CLI's
 * `configure get` print the same placeholder for every secret, so neither can leak one.
 */
import type { Config } from './config-schema.js';

/** What stands in for a secret's value. */
export const REDACTED = '[redacted]';

/** A copy of the config with every secret replaced by `"[redacted]"`. */
export function redactConfig(config: Config): Config {
  const copy = structuredClone(config);
  if (copy.gateway.auth.token !== undefined) copy.gateway.auth.token = REDACTED;
  if (copy.gateway.auth.password !== undefined) copy.gateway.auth.password = REDACTED;
  for (const provider of Object.values(copy.models.providers)) {
    if (provider.apiKey !== undefined) provider.apiKey = REDACTED;
  }
  return copy;
}
