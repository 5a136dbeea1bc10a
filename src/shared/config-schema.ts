/**
 * The one config schema (DESIGN.md "Config"), shared by gateway, Control UI and CLI.
 * Every default lives here, so a missing file means: loopback, port 18789, token mode.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { BIND_KEYWORDS, isCanonicalIp } from './bind-value.js';
import { AGENT_ID_PATTERN, DEFAULT_PORT } from './config-constants.js';
import { DEFAULT_PROFILE, PROFILE_NAME_PATTERN, PROVIDER_ID_PATTERN } from './provider-id.js';

export {
  AGENT_ID_PATTERN,
  DEFAULT_PORT,
  DEFAULT_PROFILE,
  PROFILE_NAME_PATTERN,
  PROVIDER_ID_PATTERN,
};

export { isCanonicalIp };

/** An IP or CIDR such as `10.0.0.1`, `10.0.0.0/8` or `fd00::/8`. */
export function isIpOrCidr(text: string): boolean {
  const [address, prefix, extra] = text.split('/');
  if (extra !== undefined || address === undefined || !isCanonicalIp(address)) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  const max = ipaddr.IPv4.isValidFourPartDecimal(address) ? 32 : 128;
  return Number(prefix) <= max;
}

const ipOrCidr = z.string().refine(isIpOrCidr, {
  error: (issue) =>
    `invalid trusted proxy ${JSON.stringify(issue.input)}: expected an IP or CIDR such as 10.0.0.1 or 10.0.0.0/8`,
});

/** An exact origin: `scheme://host[:port]` with no path, query or userinfo. */
export function isExactOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.origin === text.toLowerCase().replace(/\/$/, '') &&
      !text.endsWith('/')
    );
  } catch {
    return false;
  }
}

const exactOrigin = z.string().refine(isExactOrigin, {
  error: (issue) =>
    `invalid origin ${JSON.stringify(issue.input)}: expected scheme://host[:port], e.g. https://agent.example.com`,
});

/** `host:port` as it appears in a Host header. */
const hostWithPort = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
    'expected host:port, e.g. agent.example.com:443',
  );

export const bindSchema = z.union([
  z.enum(BIND_KEYWORDS),
  z.string().refine(isCanonicalIp, 'expected loopback, lan, tailnet or an IP address'),
]);

/**
 * An absolute file path: POSIX `/…`, Windows `C:\…` or UNC `\\server\…`. Relative paths are
 * refused: the gateway may start from any working folder, so a relative one would be a guess.
 */
export function isAbsoluteFilePath(text: string): boolean {
  return text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text) || text.startsWith('\\\\');
}

const absoluteFilePath = z.string().refine(isAbsoluteFilePath, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an absolute path (write the full path, e.g. /etc/special-agent/gateway.crt)`,
});

/**
 * `gateway.tls` (DESIGN.md "Remote devices"). `enabled` left out means: on for every
 * non-loopback bind, off on loopback (src/main/gateway/tls-setting.ts decides). The user's
 * certificate and key come as a pair or not at all; without them the gateway makes its own.
 */
export const tlsConfigSchema = z
  .object({
    enabled: z.boolean().optional(),
    certPath: absoluteFilePath.optional(),
    keyPath: absoluteFilePath.optional(),
  })
  .strict()
  .superRefine((tls, ctx) => {
    if ((tls.certPath === undefined) === (tls.keyPath === undefined)) return;
    const [given, missing] =
      tls.certPath === undefined ? ['keyPath', 'certPath'] : ['certPath', 'keyPath'];
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: `gateway.tls.${given} is set but gateway.tls.${missing} is not: give both the certificate and its key, or neither (the gateway then makes its own)`,
    });
  });

export const authModeSchema = z.enum(['token', 'password', 'none']);
export type AuthMode = z.infer<typeof authModeSchema>;

export const profileNameSchema = z
  .string()
  .regex(
    PROFILE_NAME_PATTERN,
    'profile names use a-z, 0-9, ".", "_" and "-", start with a letter or digit, at most 32 characters',
  );

export const providerSchema = z
  .object({
    type: z.enum(['openai', 'anthropic']),
    baseUrl: z.url({ protocol: /^https?$/ }),
    apiKey: z.string().min(1).optional(),
    models: z.array(z.string().min(1)).optional(),
    /** Which profiles a run tries first; profiles not listed follow, least recently used first. */
    auth: z
      .object({
        order: z
          .array(profileNameSchema)
          .refine(
            (order) => new Set(order).size === order.length,
            'auth.order lists a profile twice',
          )
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ProviderConfig = z.infer<typeof providerSchema>;

export const agentSchema = z
  .object({
    id: z.string().regex(AGENT_ID_PATTERN),
    name: z.string().min(1).optional(),
    model: z
      .object({
        provider: z.string().regex(PROVIDER_ID_PATTERN),
        name: z.string().min(1).optional(),
        /** Tried in order once every profile of `provider` has failed (DESIGN.md). */
        fallbacks: z
          .array(
            z
              .object({
                provider: z.string().regex(PROVIDER_ID_PATTERN),
                name: z.string().min(1).optional(),
              })
              .strict(),
          )
          .optional(),
      })
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
    allowedHosts: z.array(hostWithPort).default([]),
    controlUi: z
      .object({ allowedOrigins: z.array(exactOrigin).default([]) })
      .strict()
      .prefault({}),
    tls: tlsConfigSchema.prefault({}),
    pairing: z
      .object({
        autoApproveLocal: z.boolean().default(true),
        pendingTtlSeconds: z.number().int().min(10).max(86_400).default(300),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((gateway, ctx) => {
    // The gateway refuses this at start (setup-config.ts, which also covers `--bind`); in the
    // schema, every writer (configure set, config.set, the Control UI) refuses it first
    // instead of saving a config the gateway will not start with.
    if (gateway.auth.mode !== 'none' || bindIsLoopback(gateway.bind)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['auth', 'mode'],
      message:
        `auth mode "none" is only allowed with gateway.bind "loopback" (bind is "${gateway.bind}"): ` +
        'use gateway.auth.mode "token", or bind to loopback',
    });
  });

/** `loopback`, or an IP address in the loopback range (IPv4-mapped ones included). */
export function bindIsLoopback(bind: string): boolean {
  return (
    bind === 'loopback' || (isCanonicalIp(bind) && ipaddr.process(bind).range() === 'loopback')
  );
}

export const configSchema = z
  .object({
    gateway: gatewayConfigSchema.prefault({}),
    models: z
      .object({
        providers: z.record(z.string().regex(PROVIDER_ID_PATTERN), providerSchema).default({}),
      })
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
      // Own keys only: `constructor` must not count as a configured provider.
      if (!Object.hasOwn(providers, agent.model.provider)) {
        ctx.addIssue({
          code: 'custom',
          path: ['agents', 'list', index, 'model', 'provider'],
          message: `agent "${agent.id}" uses provider "${agent.model.provider}", which is not in models.providers`,
        });
      }
      agent.model.fallbacks?.forEach((fallback, at) => {
        if (Object.hasOwn(providers, fallback.provider)) return;
        ctx.addIssue({
          code: 'custom',
          path: ['agents', 'list', index, 'model', 'fallbacks', at, 'provider'],
          message: `agent "${agent.id}" falls back to provider "${fallback.provider}", which is not in models.providers`,
        });
      });
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

/** `<ID>_API_KEY`: upper-case, non-alphanumerics → `_` (DESIGN.md). */
export function providerEnvVar(providerId: string): string {
  return `${providerId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`;
}
