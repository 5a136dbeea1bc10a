/**
 * `special-agent configure set|get|unset`: edits the config file directly (no gateway
 * needed; a running gateway picks the change up). Secrets go to the OS keychain instead, and
 * a plaintext copy leaves the file in the same step; a keychain change is announced in
 * `<home>/state/secrets-changed`, so a running gateway switches to a new token at once.
 */
import { announceKeychainChange, localServices } from '../local-services.js';
import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  formatConfigPath,
  getAtPath,
  loadConfig,
  parseCliValue,
  parseConfigPath,
  type PathSegment,
} from '../../main/local/config.js';
import { envVarForRef, resolveSecret, type ResolvedSecret } from '../../main/local/secrets.js';
import type { Config } from '../../shared/config-schema.js';
import { REDACTED, redactConfig } from '../../shared/redact-config.js';
import {
  isSecretPath,
  keychainAccountForRef,
  secretRefForPath,
} from '../../shared/secret-paths.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT } from '../cli-error.js';
import { toJson } from '../format.js';
import { withJson, type JsonOption } from '../options.js';
import { stripFinalNewline } from '../terminal.js';
import { readValueFromStdin } from './read-value.js';

/** Registers the `configure` group. */
export function registerConfigureCommands(program: Command, ctx: CliContext): void {
  const configure = program
    .command('configure')
    .description('read and change the config file (secrets go to the OS keychain)');
  withJson(
    configure
      .command('set <path> <value>')
      .description(
        'set a value (JSON5, e.g. 19000, true, "text"); give - as the value to read it from stdin, which keeps secrets out of ps and shell history',
      ),
  ).action((path: string, value: string, options: JsonOption) =>
    setValue(ctx, path, value, options),
  );
  withJson(
    configure
      .command('get <path>')
      .description('print a value (for a secret: where it is kept, never the value)'),
  ).action((path: string, options: JsonOption) => getValue(ctx, path, options));
  withJson(
    configure
      .command('unset <path>')
      .description('remove a value (a secret is removed from the keychain too)'),
  ).action((path: string, options: JsonOption) => unsetValue(ctx, path, options));
}

function segmentsOf(path: string): PathSegment[] {
  try {
    return parseConfigPath(path);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.usage);
  }
}

async function setValue(
  ctx: CliContext,
  path: string,
  rawValue: string,
  options: JsonOption,
): Promise<void> {
  const segments = segmentsOf(path);
  const dotted = formatConfigPath(segments);
  const secret = isSecretPath(segments);
  const raw =
    rawValue === '-'
      ? await readValueFromStdin(
          ctx,
          secret ? `Value for ${dotted} (not shown)` : `Value for ${dotted}`,
        )
      : rawValue;
  const { config } = await loadConfig(ctx.paths);
  const { secrets } = localServices(ctx, config);
  // A secret is taken as typed; anything else is JSON5 and may carry secrets inside (e.g. a
  // whole provider with its apiKey), which the secrets service keeps out of the file.
  const value = secret ? stripFinalNewline(raw).trim() : parseCliValue(raw);
  const written = await secrets.setConfigValue(segments, value);
  if (written.stored.length > 0) await announceKeychainChange(ctx);
  const storedIn = written.stored.length > 0 ? { storedIn: 'keychain' } : {};
  const json = { path: dotted, restartRequired: written.restartRequired, ...storedIn };
  const accounts = written.stored.map((stored) => stored.account).join(', ');
  if (options.json) ctx.io.out(toJson(json));
  else if (secret) ctx.io.out(`Stored in OS keychain (${accounts})\n`);
  else {
    const restart = written.restartRequired ? ' (restart required)' : '';
    const note = accounts ? ` (${accounts} stored in OS keychain)` : '';
    ctx.io.out(`Set ${dotted} = ${JSON.stringify(written.value)}${restart}${note}\n`);
  }
  for (const stored of written.stored) {
    if (stored.shadowedByEnv)
      ctx.io.err(
        `note: ${stored.shadowedByEnv} is set and wins over the stored value until it is unset\n`,
      );
  }
  if (secret) warnUnknownProvider(ctx, config, segments);
}

async function getValue(ctx: CliContext, path: string, options: JsonOption): Promise<void> {
  const segments = segmentsOf(path);
  const dotted = formatConfigPath(segments);
  const { config } = await loadConfig(ctx.paths);
  const ref = secretRefForPath(segments);
  if (ref !== undefined) {
    const resolved = await resolveSecret(ref, {
      env: ctx.env,
      config,
      store: ctx.keychain(),
    });
    if (resolved.value === undefined) {
      if (resolved.error) throw new CliError(resolved.error.message);
      throw new CliError(
        `${dotted} is not set (no ${envVarForRef(ref)} in the environment, no copy in ${basename(ctx.paths.config)}, no keychain entry ${keychainAccountForRef(ref)}); set it with: special-agent configure set ${dotted} -`,
      );
    }
    ctx.io.out(
      options.json
        ? toJson({
            path: dotted,
            // `config` only when the file holds a copy: "[redacted]" means "there is one".
            ...(resolved.source === 'config' ? { config: REDACTED } : {}),
            source: resolved.source,
            ...(resolved.envVar ? { envVar: resolved.envVar } : {}),
          })
        : `${secretLocation(resolved, dotted, basename(ctx.paths.config))}\n`,
    );
    return;
  }
  const value = getAtPath(redactConfig(config), segments);
  if (value === undefined) throw new CliError(`${dotted} is not set`);
  ctx.io.out(
    options.json ? toJson({ path: dotted, config: value }) : `${JSON.stringify(value, null, 2)}\n`,
  );
}

async function unsetValue(ctx: CliContext, path: string, options: JsonOption): Promise<void> {
  const segments = segmentsOf(path);
  const dotted = formatConfigPath(segments);
  const { config, hash: before } = await loadConfig(ctx.paths);
  const { editor, secrets } = localServices(ctx, config);
  if (isSecretPath(segments)) {
    const cleared = await secrets.clearSecret(segments);
    if (cleared.deletedFromKeychain) await announceKeychainChange(ctx);
    const done = [
      ...(cleared.deletedFromKeychain ? [`removed ${cleared.account} from the OS keychain`] : []),
      ...(cleared.removedPlaintext ? ['removed the plaintext copy from the config file'] : []),
    ];
    const text = done.length
      ? `${capitalize(done.join(' and '))}\n`
      : `Nothing was stored for ${dotted}\n`;
    ctx.io.out(options.json ? toJson({ path: dotted, restartRequired: false, ...cleared }) : text);
    return;
  }
  const result = await editor.unset(segments);
  // The same bytes: the path was not in the file (a typo, or a default never set).
  const text =
    result.hash === before
      ? `${dotted} is not set in the config file (nothing changed)\n`
      : `Unset ${dotted}${result.restartRequired ? ' (restart required)' : ''}\n`;
  ctx.io.out(
    options.json ? toJson({ path: dotted, restartRequired: result.restartRequired }) : text,
  );
}

/** Where a set secret is, in words, and the fix when it is a plaintext copy in the file. */
function secretLocation(resolved: ResolvedSecret, dotted: string, file: string): string {
  if (resolved.source === 'env') return `[set by ${resolved.envVar ?? '?'} in the environment]`;
  if (resolved.source === 'config') {
    return `${REDACTED} (plaintext in ${file} — move it with: special-agent configure set ${dotted} -)`;
  }
  return '[stored in the OS keychain]';
}

function warnUnknownProvider(ctx: CliContext, config: Config, path: readonly PathSegment[]): void {
  if (path[0] !== 'models') return;
  const id = String(path[2]);
  if (Object.hasOwn(config.models.providers, id)) return;
  ctx.io.err(
    `note: provider "${id}" is not in models.providers yet (add it with: special-agent configure set models.providers.${id} '{type: "openai", baseUrl: "https://…/v1"}')\n`,
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
