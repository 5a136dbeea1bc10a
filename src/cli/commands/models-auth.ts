/**
 * `special-agent models list <provider>` and `models auth add|remove|order`: run here, with
 * no gateway, on the config file, the environment and the OS keychain (like `configure`). A
 * running gateway sees the change at once: it reads keys per request, reloads the config,
 * and lists profiles again when `add|remove` announce the change in
 * `<home>/state/secrets-changed`. The cooldown state is the gateway's; read here, never written.
 */
import type { Command } from 'commander';
import { loadConfig } from '../../main/local/config.js';
import {
  AuthProfiles,
  ModelCatalog,
  ProfileAdmin,
  ProfileStateStore,
  listModels,
} from '../../main/local/provider-admin.js';
import { PROFILE_NAME_PATTERN } from '../../shared/config-schema.js';
import type { AuthProfile, ModelListPayload } from '../../shared/protocol.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT } from '../cli-error.js';
import { cell, formatAge, renderTable, toJson } from '../format.js';
import { announceKeychainChange, localServices } from '../local-services.js';
import { withJson, type JsonOption } from '../options.js';
import { readValueFromStdin } from './read-value.js';

/** The profiles service over this home, as the gateway builds it (state read-only). */
export async function localProfiles(ctx: CliContext) {
  let { config } = await loadConfig(ctx.paths);
  const getConfig = () => config;
  // One command, one edit: the secrets service may keep the config as it was at the start.
  const { editor, secrets } = localServices(ctx, config);
  const state = await ProfileStateStore.readOnly(ctx.paths.stateDir);
  const profiles = new AuthProfiles({ getConfig, secrets, state, clock: ctx.clock });
  const admin = new ProfileAdmin({
    getConfig,
    secrets,
    profiles,
    editConfig: (edits) => editor.applyEdits(edits),
    reload: async () => {
      config = (await loadConfig(ctx.paths)).config;
    },
  });
  return { getConfig, secrets, profiles, admin };
}

/** Registers `models list` and the `models auth` group under `models`. */
export function registerModelAuthCommands(models: Command, ctx: CliContext): void {
  withJson(
    models
      .command('list <provider>')
      .description('the models a provider serves (asks it; no gateway needed)'),
  ).action((provider: string, options: JsonOption) => listCommand(ctx, provider, options));
  const auth = models
    .command('auth')
    .description('a provider’s auth profiles: several keys, tried in order (no gateway needed)');
  withJson(
    auth
      .command('add <provider> <profile>')
      .description(
        'store a key as a profile (typed without echo, or piped on stdin; never an argument)',
      ),
  ).action((provider: string, profile: string, options: JsonOption) =>
    addCommand(ctx, provider, profile, options),
  );
  withJson(
    auth.command('remove <provider> <profile>').description('delete a profile’s key'),
  ).action((provider: string, profile: string, options: JsonOption) =>
    removeCommand(ctx, provider, profile, options),
  );
  withJson(
    auth
      .command('order <provider> <profiles...>')
      .description(
        'which profiles a chat tries first (the rest follow, least recently used first)',
      ),
  ).action((provider: string, order: string[], options: JsonOption) =>
    orderCommand(ctx, provider, order, options),
  );
}

async function listCommand(ctx: CliContext, provider: string, options: JsonOption) {
  const { getConfig, profiles } = await localProfiles(ctx);
  const catalog = new ModelCatalog({ clock: ctx.clock });
  const listing = await listModels(provider, { config: getConfig(), profiles, catalog });
  ctx.io.out(options.json ? toJson(listing) : renderModelList(listing));
}

/** One row per model; a note when the provider lists none. */
export function renderModelList(listing: ModelListPayload): string {
  if (listing.models.length === 0) return `Provider "${listing.provider}" lists no models\n`;
  return renderTable(
    ['MODEL', 'OWNED BY'],
    listing.models.map((model) => [model.id, cell(model.ownedBy)]),
  );
}

async function addCommand(ctx: CliContext, provider: string, profile: string, options: JsonOption) {
  checkProfileName(profile);
  const { admin } = await localProfiles(ctx);
  const raw = await readValueFromStdin(
    ctx,
    `API key for profile ${profile} of ${provider} (not shown)`,
    `special-agent models auth add ${provider} ${profile}`,
  );
  const added = await admin.add(provider, profile, raw.trim());
  await announceKeychainChange(ctx);
  if (options.json) ctx.io.out(toJson({ profile: added.profile }));
  else
    ctx.io.out(
      `Stored profile ${profile} of ${provider} in the OS keychain (${cell(added.profile.masked)})\n`,
    );
  if (added.shadowedByEnv)
    ctx.io.err(
      `note: ${added.shadowedByEnv} is set and wins over the stored value until it is unset\n`,
    );
}

async function removeCommand(
  ctx: CliContext,
  provider: string,
  profile: string,
  options: JsonOption,
) {
  checkProfileName(profile);
  const { admin } = await localProfiles(ctx);
  const removed = await admin.remove(provider, profile);
  await announceKeychainChange(ctx);
  ctx.io.out(
    options.json
      ? toJson(removed)
      : `Removed profile ${profile} of ${provider} from the OS keychain\n`,
  );
}

async function orderCommand(
  ctx: CliContext,
  provider: string,
  order: string[],
  options: JsonOption,
) {
  order.forEach(checkProfileName);
  const { admin } = await localProfiles(ctx);
  const result = await admin.order(provider, order);
  ctx.io.out(
    options.json
      ? toJson(result)
      : `Profiles of ${provider} are tried in this order: ${order.join(', ')}\n`,
  );
}

function checkProfileName(profile: string): void {
  if (!PROFILE_NAME_PATTERN.test(profile))
    throw new CliError(
      `invalid profile name "${profile}" (use a-z, 0-9, ".", "_" and "-", starting with a letter or digit, at most 32 characters)`,
      EXIT.usage,
    );
}

/** The profile table of `models auth-status`. */
export function renderProfiles(rows: readonly AuthProfile[], nowMs: number): string {
  if (rows.length === 0) return '';
  return renderTable(
    ['PROVIDER', 'PROFILE', '#', 'SOURCE', 'KEY', 'STATE', 'UNTIL', 'LAST USED', 'LAST ERROR'],
    rows.map((row) => [
      row.provider,
      row.profile,
      String(row.order),
      row.source,
      cell(row.masked),
      row.state,
      row.cooldownUntilMs === undefined ? '-' : formatAge(row.cooldownUntilMs, nowMs),
      row.lastUsedAtMs === undefined ? '-' : formatAge(row.lastUsedAtMs, nowMs),
      lastErrorCell(row, nowMs),
    ]),
  );
}

function lastErrorCell(row: AuthProfile, nowMs: number): string {
  const error = row.lastError;
  if (!error) return '-';
  const what = error.httpStatus === undefined ? error.code : `HTTP ${error.httpStatus}`;
  return `${what} (${formatAge(error.atMs, nowMs)})`;
}
