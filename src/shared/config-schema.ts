/**
 * The one config schema (DESIGN.md "Config"), shared by gateway, Control UI and CLI.
 * Every default lives here, so a missing file means: loopback, port 18789, token mode.
 */
import { z } from 'zod';

export const PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const AGENT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const DEFAULT_PORT = 18789;

const ipOrCidr = z.string().min(1);

export const bindSchema = z.union([
  z.enum(['loopback', 'lan', 'tailnet']),
  z.union([z.ipv4(), z.ipv6()]),
]);

export const authModeSchema = z.enum(['token', 'password', 'none']);
export type AuthMode = z.infer<typeof authModeSchema>;

export const providerSchema = z
  .object({
    type: z.enum(['openai', 'anthropic']),
    baseUrl: z.url({ protocol: /^https?$/ }),
    apiKey: z.string().min(1).optional(),
    models: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type ProviderConfig = z.infer<typeof providerSchema>;

export const agentSchema = z
  .object({
    id: z.string().regex(AGENT_ID_PATTERN),
    name: z.string().min(1).optional(),
    model: z
      .object({ provider: z.string().regex(PROVIDER_ID_PATTERN), name: z.string().min(1).optional() })
      .strict(),
  })
  .strict();
export type AgentConfig = z.infer<typeof agentSchema>;

export const gatewayConfigSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
    bind: bindSchema.default('loopback'),
    auth: z
      .object({
        mode: authModeSchema.default('token'),
        token: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    trustedProxies: z.array(ipOrCidr).default([]),
    allowedHosts: z.array(z.string().min(1)).default([]),
    controlUi: z
      .object({ allowedOrigins: z.array(z.string().min(1)).default([]) })
      .strict()
      .prefault({}),
    pairing: z
      .object({
        autoApproveLocal: z.boolean().default(true),
        pendingTtlSeconds: z.number().int().min(10).max(86_400).default(300),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const configSchema = z
  .object({
    gateway: gatewayConfigSchema.prefault({}),
    models: z
      .object({ providers: z.record(z.string().regex(PROVIDER_ID_PATTERN), providerSchema).default({}) })
      .strict()
      .prefault({}),
    agents: z
      .object({
        default: z.string().regex(AGENT_ID_PATTERN).optional(),
        list: z.array(agentSchema).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const providers = config.models.providers;
    config.agents.list.forEach((agent, index) => {
      if (!(agent.model.provider in providers)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', 'list', index, 'model', 'provider'],
          message: `agent "${agent.id}" uses provider "${agent.model.provider}", which is not in models.providers`,
        });
      }
    });
    const ids = new Set(config.agents.list.map((agent) => agent.id));
    if (config.agents.default !== undefined && !ids.has(config.agents.default)) {
      ctx.addIssue({
        code: 'custom',
        path: ['agents', 'default'],
        message: `default agent "${config.agents.default}" is not in agents.list`,
      });
    }
  });

/** The validated config with every default filled in. */
export type Config = z.infer<typeof configSchema>;
/** The config as a user writes it (everything optional). */
export type ConfigInput = z.input<typeof configSchema>;

/** Dotted paths whose values are secrets: they live in the keychain, never in responses. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  const [a, b, c, d] = path;
  if (a === 'gateway' && b === 'auth' && (c === 'token' || c === 'password') && path.length === 3) {
    return true;
  }
  return a === 'models' && b === 'providers' && typeof c === 'string' && d === 'apiKey' && path.length === 4;
}

/** Keychain account for a secret path, e.g. `provider:openai` or `gateway:token`. */
export function keychainAccountForPath(path: readonly (string | number)[]): string | undefined {
  if (!isSecretPath(path)) return undefined;
  if (path[0] === 'gateway') return `gateway:${String(path[2])}`;
  return `provider:${String(path[2])}`;
}

/** `<ID>_API_KEY`: upper-case, non-alphanumerics → `_` (DESIGN.md). */
export function providerEnvVar(providerId: string): string {
  return `${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}
