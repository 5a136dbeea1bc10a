/**
 * What a re-run of `onboard` would change in settings that already exist: the model of
 * agent `main`, the default agent, and the type or base URL of a provider with the same id.
 * New entries are not changes; they never need `--force`.
 */
import type { Config } from '../../shared/config-schema.js';
import { CliError, EXIT } from '../cli-error.js';
import type { Prompter } from '../terminal.js';

/** The agent onboarding creates or points at the new provider. */
export const ONBOARD_AGENT_ID = 'main';

/** What onboarding adds: a provider and the model agent `main` uses on it. */
export interface ProviderChoice {
  id: string;
  type: 'openai' | 'anthropic';
  baseUrl: string;
  model: string;
}

/** `provider/model`, or just `provider` when the agent names no model. */
export function modelLabel(model: { provider: string; name?: string | undefined }): string {
  return model.name === undefined ? model.provider : `${model.provider}/${model.name}`;
}

/** The model agent `main` uses before onboarding, when it exists and differs from `provider`'s. */
export function previousAgentModel(config: Config, provider: ProviderChoice): string | undefined {
  const agent = config.agents.list.find((entry) => entry.id === ONBOARD_AGENT_ID);
  if (!agent) return undefined;
  const before = modelLabel(agent.model);
  return before === modelLabel({ provider: provider.id, name: provider.model })
    ? undefined
    : before;
}

/**
 * Each existing setting onboarding would overwrite, as `what from X to Y`; empty when it
 * only adds or rewrites equal values.
 */
export function existingSettingChanges(config: Config, provider: ProviderChoice): string[] {
  const changes: string[] = [];
  const before = previousAgentModel(config, provider);
  if (before !== undefined) {
    const after = modelLabel({ provider: provider.id, name: provider.model });
    changes.push(`agent "${ONBOARD_AGENT_ID}" from ${before} to ${after}`);
  }
  const defaultAgent = config.agents.default;
  if (defaultAgent !== undefined && defaultAgent !== ONBOARD_AGENT_ID) {
    changes.push(`agents.default from "${defaultAgent}" to "${ONBOARD_AGENT_ID}"`);
  }
  const existing = Object.hasOwn(config.models.providers, provider.id)
    ? config.models.providers[provider.id]
    : undefined;
  if (existing && existing.type !== provider.type) {
    changes.push(`provider "${provider.id}" type from ${existing.type} to ${provider.type}`);
  }
  if (existing && existing.baseUrl !== provider.baseUrl) {
    changes.push(
      `provider "${provider.id}" baseUrl from ${existing.baseUrl} to ${provider.baseUrl}`,
    );
  }
  return changes;
}

/**
 * Goes on only when nothing that exists would change, `--force` was given, or the person at
 * the terminal agrees; otherwise a usage error (exit 2) naming every change.
 */
export async function confirmChanges(
  config: Config,
  provider: ProviderChoice,
  options: { force?: boolean | undefined },
  prompter: Prompter | undefined,
): Promise<void> {
  const changes = existingSettingChanges(config, provider);
  if (changes.length === 0 || options.force) return;
  const list = changes.join('; ');
  if (prompter) {
    const answer = await prompter.choose(
      `Onboarding would change ${list}. Change it`,
      ['y', 'n'],
      'n',
    );
    if (answer === 'y') return;
    throw new CliError(
      `the config was not changed (declined: ${list}); run again and answer y, or pass --force`,
      EXIT.usage,
    );
  }
  throw new CliError(
    `onboarding would change ${list}; nothing was changed (run again with --force to apply it, or pick another --provider-id)`,
    EXIT.usage,
  );
}
