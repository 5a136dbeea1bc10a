/**
 * `special-agent models auth-status [--probe]`: computed here, with no gateway, from the
 * config file, the environment, the OS keychain and the gateway's auth profile state — the
 * same rules the gateway uses. `models list` and `models auth …` are in models-auth.ts.
 */
import type { Command } from 'commander';
import {
  computeAuthStatus,
  type AuthStatus,
  type ProviderAuthRow,
} from '../../main/local/auth-status.js';
import { resolveSecret } from '../../main/local/secrets.js';
import type { GatewayError } from '../../shared/errors.js';
import type { CliContext } from '../cli-context.js';
import { CliError } from '../cli-error.js';
import { cell, renderTable, toJson } from '../format.js';
import { withJson, type JsonOption } from '../options.js';
import { localProfiles, registerModelAuthCommands, renderProfiles } from './models-auth.js';

interface AuthStatusOptions extends JsonOption {
  probe?: boolean;
}

/** Registers the `models` group. */
export function registerModelCommands(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('model providers and their credentials');
  withJson(
    models
      .command('auth-status')
      .description(
        'which credential each provider uses, and whether every agent can run (no gateway needed)',
      )
      .option('--probe', 'also call each provider (GET /models) to check the key'),
  ).action((options: AuthStatusOptions) => authStatus(ctx, options));
  registerModelAuthCommands(models, ctx);
}

async function authStatus(ctx: CliContext, options: AuthStatusOptions): Promise<void> {
  const { getConfig, profiles } = await localProfiles(ctx);
  const config = getConfig();
  let keychainError: GatewayError | undefined;
  const status = await computeAuthStatus({
    config,
    probe: options.probe === true,
    listProfiles: () => profiles.list(),
    resolveKey: async (id) => {
      const resolved = await resolveSecret(
        { kind: 'provider', id },
        { env: ctx.env, config, store: ctx.keychain() },
      );
      keychainError ??= resolved.error;
      return resolved;
    },
  });
  ctx.io.out(options.json ? toJson(status) : renderAuthStatus(status, ctx.clock.now()));
  const problem = firstProblem(status, keychainError);
  if (problem) throw new CliError(problem);
}

/** The provider table, the profile table, then the agent table. */
export function renderAuthStatus(status: AuthStatus, nowMs: number): string {
  if (status.providers.length === 0)
    return 'No providers configured (add one with: special-agent onboard)\n';
  const probed = status.providers.some((row) => row.probe !== undefined);
  const providerRows = status.providers.map((row) => [
    row.id,
    row.type,
    row.baseUrl,
    credentialCell(row),
    cell(row.credential.masked),
    row.status,
    ...(probed ? [probeCell(row)] : []),
  ]);
  let text = renderTable(
    ['PROVIDER', 'TYPE', 'BASE URL', 'CREDENTIAL', 'KEY', 'STATUS', ...(probed ? ['PROBE'] : [])],
    providerRows,
  );
  const profiles = renderProfiles(status.profiles ?? [], nowMs);
  text += profiles ? `\n${profiles}` : '';
  text += '\n';
  text += status.agents.length
    ? renderTable(
        ['AGENT', 'PROVIDER', 'STATUS'],
        status.agents.map((agent) => [agent.id, agent.provider, agent.status]),
      )
    : 'No agents configured (add one with: special-agent onboard)\n';
  return text;
}

/** `env (OPENAI_API_KEY)`, `keychain`, `config (plaintext!)` or `none`. */
export function credentialCell(row: ProviderAuthRow): string {
  switch (row.credential.source) {
    case 'env':
      return `env (${row.credential.envVar ?? '?'})`;
    case 'config':
      return 'config (plaintext!)';
    default:
      return row.credential.source;
  }
}

/** `ok (123 ms)`, `rejected (401)`, `unreachable`, `error`, or `-` when not probed. */
export function probeCell(row: ProviderAuthRow): string {
  const probe = row.probe;
  if (!probe) return '-';
  if (probe.ok) return `ok (${Math.round(probe.latencyMs)} ms)`;
  const kind = probe.error?.kind ?? 'error';
  return kind === 'rejected' && probe.httpStatus !== undefined
    ? `rejected (${probe.httpStatus})`
    : kind;
}

/** Why some agent cannot run, as one line; undefined when every agent's provider is ready. */
function firstProblem(
  status: AuthStatus,
  keychainError: GatewayError | undefined,
): string | undefined {
  const blocked = [
    ...new Set(
      status.agents
        .filter((agent) => agent.status === 'missing' || agent.status === 'invalid')
        .map((agent) => agent.provider),
    ),
  ];
  const id = blocked[0];
  if (id === undefined) return undefined;
  const more =
    blocked.length > 1
      ? ` (and ${blocked.length - 1} more provider${blocked.length > 2 ? 's' : ''})`
      : '';
  const fix = `special-agent configure set models.providers.${id}.apiKey -`;
  const row = status.providers.find((provider) => provider.id === id);
  if (row?.status === 'invalid')
    return `provider "${id}" rejected its API key (fix: ${fix})${more}`;
  // The keychain may hold the key but could not be read: say so, or the fix looks wrong.
  const keychainNote = keychainError ? `; note: ${keychainError.message}` : '';
  return `No credentials found for provider "${id}" (fix: ${fix})${more}${keychainNote}`;
}
