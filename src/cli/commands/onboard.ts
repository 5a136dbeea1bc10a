/**
 * `special-agent onboard`: picks the gateway auth mode (a 32-byte token in the keychain by
 * default), offers a provider from a preset with its key in the keychain, writes the config
 * (provider + agent `main`), and says what to run next. `--non-interactive` takes flags only.
 * A re-run that would change an existing agent, default or provider stops and names the
 * change unless `--force` is given (interactively, it asks).
 */
import { localServices } from '../local-services.js';
import { Option, type Command } from 'commander';
import { providerNeedsKey } from '../../main/local/auth-status.js';
import { isReservedSegment, loadConfig } from '../../main/local/config.js';
import type { SecretsConfigEdit, SecretsService } from '../../main/local/edit.js';
import { bindIsLoopback } from '../../main/local/gateway-process.js';
import { ensureGatewayToken, resolveSecret } from '../../main/local/secrets.js';
import { PROVIDER_ID_PATTERN, type AuthMode, type Config } from '../../shared/config-schema.js';
import type { CliContext } from '../cli-context.js';
import { CliError, EXIT } from '../cli-error.js';
import { toJson } from '../format.js';
import type { JsonOption } from '../options.js';
import { Prompter, stripFinalNewline } from '../terminal.js';
import {
  confirmChanges,
  ONBOARD_AGENT_ID,
  previousAgentModel,
  type ProviderChoice,
} from './onboard-changes.js';
import { PROVIDER_PRESETS, type PresetName } from '../../shared/provider-presets.js';

export { ONBOARD_AGENT_ID };
const AUTH_MODES: readonly AuthMode[] = ['token', 'password', 'none'];

interface OnboardOptions extends JsonOption {
  nonInteractive?: boolean;
  authMode?: AuthMode;
  provider?: PresetName;
  providerId?: string;
  baseUrl?: string;
  model?: string;
  apiKeyStdin?: boolean;
  force?: boolean;
}

/** Registers `onboard`. */
export function registerOnboardCommand(program: Command, ctx: CliContext): void {
  program
    .command('onboard')
    .description('set up gateway auth and a first model provider')
    .option('--non-interactive', 'ask nothing; take everything from flags (for scripts)')
    .addOption(new Option('--auth-mode <mode>', 'gateway auth mode').choices(AUTH_MODES))
    .addOption(
      new Option('--provider <preset>', 'add a provider from a preset').choices(
        Object.keys(PROVIDER_PRESETS),
      ),
    )
    .option('--provider-id <id>', 'id of the provider (default: the preset name)')
    .option('--base-url <url>', "the provider's API base URL (default: the preset's)")
    .option('--model <name>', "model the agent uses (default: the preset's)")
    .option('--api-key-stdin', 'read the provider API key from stdin (with --non-interactive)')
    .option('--force', 'change an existing agent main, default agent or provider without asking')
    .option('--json', 'print what was set up as JSON (never a secret)')
    .action((options: OnboardOptions) => onboard(ctx, options));
}

async function onboard(ctx: CliContext, options: OnboardOptions): Promise<void> {
  const interactive = options.nonInteractive !== true;
  if (options.apiKeyStdin && interactive) {
    throw new CliError(
      '--api-key-stdin needs --non-interactive (interactive onboarding asks for the key)',
      EXIT.usage,
    );
  }
  if (
    !options.provider &&
    !interactive &&
    (options.providerId || options.baseUrl || options.model || options.apiKeyStdin)
  ) {
    throw new CliError(
      '--provider-id, --base-url, --model and --api-key-stdin need --provider ollama|openai|anthropic',
      EXIT.usage,
    );
  }
  const { config } = await loadConfig(ctx.paths);
  // Flags only: the whole plan is known now, so a refusal comes before any secret is stored.
  const planned = interactive ? undefined : await chooseProvider(options, undefined);
  if (planned) await confirmChanges(config, planned, options, undefined);
  const prompter = interactive
    ? new Prompter({ input: ctx.io.stdin, output: ctx.io.stdout, interactive: ctx.io.stdinIsTty })
    : undefined;
  try {
    const { editor, secrets } = localServices(ctx, config);
    const authMode =
      options.authMode ??
      (prompter
        ? await prompter.choose('Gateway auth mode', AUTH_MODES, config.gateway.auth.mode)
        : config.gateway.auth.mode);
    if (authMode === 'none' && !bindIsLoopback(config.gateway.bind)) {
      throw new CliError(
        `auth mode none is only allowed with gateway.bind loopback (bind is "${config.gateway.bind}"); choose token`,
      );
    }
    const auth = await setUpSharedSecret(ctx, config, authMode, secrets, prompter);
    const provider = planned ?? (await chooseProvider(options, prompter));
    if (provider && prompter) await confirmChanges(config, provider, options, prompter);
    const asked = provider
      ? await askProviderKey(ctx, config, provider, options, prompter)
      : undefined;
    const edits: SecretsConfigEdit[] = [{ path: ['gateway', 'auth', 'mode'], value: authMode }];
    if (provider) edits.push(...providerEdits(config, provider));
    // A new key and the edits land as one change: the keychain first (so a locked keychain
    // writes nothing), then the file; a refused edit puts the old key back.
    let changed: boolean;
    if (provider && asked?.newKey) {
      await secrets.storeSecretWith(apiKeyPathOf(provider.id), asked.newKey, edits);
      changed = true;
    } else {
      changed = (await editor.applyEdits(edits)).changedPaths.length > 0;
    }
    const key = asked?.outcome;
    const summary: Summary = {
      config: ctx.paths.config,
      configChanged: changed,
      authMode,
      sharedSecret: auth,
      provider: provider ? { ...provider, credential: key } : null,
      previousModel: provider ? previousAgentModel(config, provider) : undefined,
    };
    ctx.io.out(options.json ? toJson(summary) : renderSummary(summary));
    if (provider && key === 'missing') {
      ctx.io.err(
        `special-agent: No credentials found for provider "${provider.id}" (fix: special-agent configure set models.providers.${provider.id}.apiKey -)\n`,
      );
    }
  } finally {
    prompter?.close();
  }
}

type SecretOutcome = 'not-needed' | 'generated' | 'stored' | `kept (${string})`;

async function setUpSharedSecret(
  ctx: CliContext,
  config: Config,
  mode: AuthMode,
  secrets: SecretsService,
  prompter: Prompter | undefined,
): Promise<SecretOutcome> {
  if (mode === 'none') return 'not-needed';
  const ref =
    mode === 'token'
      ? ({ kind: 'gateway-token' } as const)
      : ({ kind: 'gateway-password' } as const);
  const existing = await resolveSecret(ref, { env: ctx.env, config, store: ctx.keychain() });
  if (existing.value) return `kept (${existing.source})`;
  if (existing.error) throw existing.error;
  if (mode === 'token') {
    await ensureGatewayToken(ctx.keychain());
    return 'generated';
  }
  const password = prompter ? await prompter.askSecret('Gateway password (not shown)') : '';
  if (!password) {
    throw new CliError(
      'password mode needs a password (store one with: special-agent configure set gateway.auth.password -, or set SPECIAL_AGENT_GATEWAY_PASSWORD)',
    );
  }
  await secrets.storeSecret(['gateway', 'auth', 'password'], password);
  return 'stored';
}

async function chooseProvider(
  options: OnboardOptions,
  prompter: Prompter | undefined,
): Promise<ProviderChoice | undefined> {
  const names = Object.keys(PROVIDER_PRESETS) as PresetName[];
  const choices: readonly (PresetName | 'skip')[] = [...names, 'skip'];
  const picked =
    options.provider ??
    (prompter ? await prompter.choose('Add a model provider', choices, 'ollama') : undefined);
  if (picked === undefined || picked === 'skip') return undefined;
  const preset = PROVIDER_PRESETS[picked];
  const ask = (question: string, flag: string | undefined, fallback: string) =>
    flag ?? (prompter ? prompter.ask(question, fallback) : Promise.resolve(fallback));
  const id = await ask('Provider id', options.providerId, picked);
  if (!PROVIDER_ID_PATTERN.test(id) || isReservedSegment(id)) {
    throw new CliError(
      `invalid provider id "${id}" (use a-z, 0-9, _ and -, starting with a letter or digit; not constructor or prototype)`,
      EXIT.usage,
    );
  }
  const baseUrl = await ask('Base URL', options.baseUrl, preset.baseUrl);
  const model = await ask('Model', options.model, preset.model);
  return { id, type: preset.type, baseUrl, model };
}

type KeyOutcome = 'not-needed' | 'stored' | 'missing' | `kept (${string})`;

const apiKeyPathOf = (providerId: string) => ['models', 'providers', providerId, 'apiKey'];

/** The provider key onboarding will store (`newKey`), or what it found instead. */
async function askProviderKey(
  ctx: CliContext,
  config: Config,
  provider: ProviderChoice,
  options: OnboardOptions,
  prompter: Prompter | undefined,
): Promise<{ outcome: KeyOutcome; newKey?: string }> {
  if (options.apiKeyStdin) {
    const key = stripFinalNewline(await ctx.io.readStdin()).trim();
    if (!key) throw new CliError('--api-key-stdin was given but stdin was empty (pipe the key in)');
    return { outcome: 'stored', newKey: key };
  }
  if (!providerNeedsKey(provider)) return { outcome: 'not-needed' };
  const existing = await resolveSecret(
    { kind: 'provider', id: provider.id },
    { env: ctx.env, config, store: ctx.keychain() },
  );
  if (existing.value) return { outcome: `kept (${existing.source})` };
  const key = prompter
    ? await prompter.askSecret(`API key for ${provider.id} (not shown; empty to skip)`)
    : '';
  return key ? { outcome: 'stored', newKey: key } : { outcome: 'missing' };
}

/** Provider fields one by one (other fields of an existing provider stay), and agent `main`. */
function providerEdits(config: Config, provider: ProviderChoice): SecretsConfigEdit[] {
  const base = ['models', 'providers', provider.id];
  const model = { provider: provider.id, name: provider.model };
  const index = config.agents.list.findIndex((agent) => agent.id === ONBOARD_AGENT_ID);
  const agentEdit: SecretsConfigEdit =
    index >= 0
      ? { path: ['agents', 'list', index, 'model'], value: model }
      : {
          path: ['agents', 'list', config.agents.list.length],
          value: { id: ONBOARD_AGENT_ID, model },
        };
  return [
    { path: [...base, 'type'], value: provider.type },
    { path: [...base, 'baseUrl'], value: provider.baseUrl },
    agentEdit,
    { path: ['agents', 'default'], value: ONBOARD_AGENT_ID },
  ];
}

interface Summary {
  config: string;
  /** False when a re-run asked for what the file already says (nothing was written). */
  configChanged: boolean;
  authMode: AuthMode;
  sharedSecret: SecretOutcome;
  provider: (ProviderChoice & { credential: KeyOutcome | undefined }) | null;
  /** The model agent `main` used before, when onboarding changed it. */
  previousModel: string | undefined;
}

function renderSummary(summary: Summary): string {
  const secretName = summary.authMode === 'password' ? 'password' : 'token';
  const secretText: Record<string, string> = {
    'not-needed': 'no secret (loopback only)',
    generated: `${secretName} generated and stored in the OS keychain (gateway:token)`,
    stored: `${secretName} stored in the OS keychain (gateway:${secretName})`,
  };
  const lines = [
    `Gateway auth: ${summary.authMode}, ${secretText[summary.sharedSecret] ?? `existing ${secretName} ${summary.sharedSecret}`}`,
  ];
  const provider = summary.provider;
  if (provider) {
    const keyText: Record<string, string> = {
      'not-needed': 'no key needed',
      stored: `key stored in the OS keychain (provider:${provider.id})`,
      missing: 'no key yet',
    };
    const credential = provider.credential ?? 'not-needed';
    lines.push(
      `Provider: ${provider.id} (${provider.type}, ${provider.baseUrl}), ${keyText[credential] ?? `key ${credential}`}`,
    );
    const was = summary.previousModel === undefined ? '' : `; was ${summary.previousModel}`;
    lines.push(`Agent: ${ONBOARD_AGENT_ID} → ${provider.id}/${provider.model} (default${was})`);
  }
  lines.push(
    summary.configChanged
      ? `Config written to ${summary.config}`
      : `Config unchanged: ${summary.config}`,
    '',
    'Next steps:',
    '  special-agent gateway run',
    '  special-agent dashboard',
  );
  return `${lines.join('\n')}\n`;
}
