/**
 * Failover of one chat run (DESIGN.md "Auth profiles"): the chosen provider's profiles in
 * try order, then the agent's `model.fallbacks`, each until one answers. A profile whose
 * key was rejected is disabled, one that was rate limited, failed (5xx) or unreachable
 * cools down, and the run moves on; but only before any text reached the client: once a
 * delta was sent, a failure is the run's own error. Every step is reported in
 * `details.attempts` of the error that ends a run that found no answer.
 */
import type { AgentConfig, Config, ProviderConfig } from '../../shared/config-schema.js';
import { GatewayError, notFound } from '../../shared/errors.js';
import { ownValue } from '../../shared/own-key.js';
import type { ChatOverride, ProviderAttempt } from '../../shared/protocol.js';
import type { AuthProfiles, ProfileKey } from '../auth-profiles/auth-profiles.js';
import { classifyFailure, type ProfileHealth } from '../auth-profiles/profile-health.js';
import { providerNeedsKey } from '../providers/auth-status.js';
import type { ModelCatalog } from '../providers/model-catalog.js';
import {
  ChatAbortedError,
  rejectedKeyError,
  unusableKeyError,
} from '../providers/provider-errors.js';
import { apiKeyProblem } from '../secrets/api-key-text.js';
import type { ChatMessage, ProviderRef, StreamOptions } from '../providers/provider-types.js';
import { STREAM_FNS, streamChatBatches, type StreamFns } from '../providers/stream-chat.js';
import type { Clock } from '../util/clock.js';

/** Attempts named in a PROVIDER_EXHAUSTED message; `details.attempts` has them all. */
const MAX_ATTEMPTS_IN_MESSAGE = 6;

/** Who answered a run: the `final` event's `{provider, model, profile}`. */
export interface Answer {
  provider: string;
  model: string;
  /** Null for a provider that needs no key and has none. */
  profile: string | null;
}

/** The deltas of one network read (never empty), and who is sending them. */
export interface AnswerDelta {
  texts: readonly string[];
  by: Answer;
}

/** One provider to try, with its profiles in try order. */
interface Step {
  provider: ProviderRef;
  /** Undefined: the provider's first listed model, asked when the step is reached. */
  model: string | undefined;
  profiles: ProfileKey[];
  /** The provider needs no key and has none: one attempt without a key. */
  keyless: boolean;
  /** Why this step has nothing to try (no key, unreadable keychain). */
  missing?: GatewayError | undefined;
  /** The keychain could not be read, so profiles it holds may be missing from `profiles`. */
  keychainError?: GatewayError | undefined;
}

/** What a run will try, checked before `chat.send` answers. */
export interface RunPlan {
  steps: Step[];
}

/** How the run should choose: a run's or session's override, a session's last profile. */
export interface RunChoice {
  override?: ChatOverride | undefined;
  /** Tried first when it still exists (the profile that last worked for the session). */
  preferredProfile?: string | undefined;
}

export interface ProviderAttemptsOptions {
  profiles: AuthProfiles;
  catalog: ModelCatalog;
  clock: Clock;
  streamFns?: StreamFns | undefined;
  streamOptions?: Partial<StreamOptions> | undefined;
}

type Outcome =
  | { ok: true; answer: Answer }
  | { ok: false; error: unknown; attempt: ProviderAttempt; final: boolean };

/** Plans and runs the attempts of chat runs; one per chat service. */
export class ProviderAttempts {
  readonly #profiles: AuthProfiles;
  readonly #catalog: ModelCatalog;
  readonly #clock: Clock;
  readonly #fns: StreamFns;
  readonly #streamOptions: Partial<StreamOptions> | undefined;

  constructor(options: ProviderAttemptsOptions) {
    this.#profiles = options.profiles;
    this.#catalog = options.catalog;
    this.#clock = options.clock;
    this.#fns = options.streamFns ?? STREAM_FNS;
    this.#streamOptions = options.streamOptions;
  }

  /**
   * The provider, model and profiles of every step. Throws before anything is sent: an
   * unknown override, no key anywhere (`PROVIDER_NO_CREDENTIALS` or the keychain's error),
   * or every profile disabled or cooling down (`PROVIDER_EXHAUSTED` with `retryAfterMs`).
   */
  async plan(config: Config, agent: AgentConfig, choice: RunChoice = {}): Promise<RunPlan> {
    const override = choice.override ?? {};
    const primaryId = override.provider ?? agent.model.provider;
    const primary = ownValue(config.models.providers, primaryId);
    if (!primary) {
      // A session's pin outlives the provider it names (models.providers.remove checks agents).
      const whose = override.provider
        ? 'this chat’s override (clear it: sessions.patch {override: null}, or pick another provider)'
        : `agent "${agent.id}" (see models.providers)`;
      throw notFound(`provider "${primaryId}" of ${whose} not found`);
    }
    const ownModel = primaryId === agent.model.provider ? agent.model.name : undefined;
    const wanted = [{ id: primaryId, provider: primary, model: override.model ?? ownModel }];
    for (const fallback of agent.model.fallbacks ?? []) {
      const provider = ownValue(config.models.providers, fallback.provider);
      if (provider) wanted.push({ id: fallback.provider, provider, model: fallback.name });
    }
    const first = override.profile ?? choice.preferredProfile;
    const steps = await Promise.all(
      wanted.map((step, index) =>
        this.#step(step.id, step.provider, step.model, index === 0 ? first : undefined),
      ),
    );
    const pinned = override.profile;
    if (pinned !== undefined && !steps[0]?.profiles.some((key) => key.profile === pinned)) {
      // A keychain that cannot be read may well hold it: say that, not "not found".
      const unreadable = steps[0]?.keychainError ?? steps[0]?.missing;
      if (unreadable?.details?.code === 'KEYCHAIN_UNAVAILABLE') throw unreadable;
      throw notFound(
        `profile "${pinned}" of provider "${primaryId}" not found (see: special-agent models auth-status)`,
      );
    }
    if (steps.some((step) => step.keyless || step.profiles.some((key) => this.#ready(key))))
      return { steps };
    if (steps.every((step) => step.profiles.length === 0))
      throw steps[0]?.missing ?? GatewayError.of('PROVIDER_NO_CREDENTIALS');
    const attempts = steps.flatMap((step) => this.#skippedOrMissing(step));
    throw this.#exhausted({ steps }, attempts);
  }

  /** Streams the reply of the first step and profile that answers; returns who answered. Lazy: nothing is asked before the first `next()`. */
  async *run(
    plan: RunPlan,
    messages: readonly ChatMessage[],
    signal: AbortSignal,
    onAsking?: (by: Answer) => void,
  ): AsyncGenerator<AnswerDelta, Answer, undefined> {
    const attempts: ProviderAttempt[] = [];
    let lastError: unknown;
    for (const step of plan.steps) {
      if (step.missing || (step.profiles.length === 0 && !step.keyless)) {
        attempts.push(...this.#skippedOrMissing(step));
        continue;
      }
      for (const key of step.keyless ? [undefined] : step.profiles) {
        if (key && !this.#ready(key)) {
          attempts.push(skipped(step, key, this.#profiles.health(key)));
          continue;
        }
        const outcome = yield* this.#attempt(step, key, messages, signal, onAsking);
        if (outcome.ok) return outcome.answer;
        attempts.push(outcome.attempt);
        lastError = outcome.error;
        if (outcome.final) throw withAttempts(outcome.error, attempts);
      }
    }
    // One real attempt and nothing else: its own error says the most.
    if (attempts.length === 1 && lastError !== undefined) throw withAttempts(lastError, attempts);
    throw this.#exhausted(plan, attempts);
  }

  async *#attempt(
    step: Step,
    key: ProfileKey | undefined,
    messages: readonly ChatMessage[],
    signal: AbortSignal,
    onAsking: ((by: Answer) => void) | undefined,
  ): AsyncGenerator<AnswerDelta, Outcome, undefined> {
    let model = step.model;
    let sent = false;
    try {
      const problem = key ? apiKeyProblem(key.apiKey) : undefined;
      if (key && problem) throw unusableKeyError(step.provider.id, key.profile, problem);
      model ??= await untilAborted(this.#catalog.firstModel(step.provider, key?.apiKey), signal);
      const by = { provider: step.provider.id, model, profile: key?.profile ?? null };
      onAsking?.(by);
      const request = { provider: step.provider, apiKey: key?.apiKey, model, messages, signal };
      for await (const texts of streamChatBatches(request, this.#streamOptions, this.#fns)) {
        sent = true;
        yield { texts, by };
      }
      if (key) await this.#profiles.recordSuccess(key);
      return { ok: true, answer: by };
    } catch (error) {
      if (error instanceof ChatAbortedError || signal.aborted) throw new ChatAbortedError();
      const failure = classifyFailure(error);
      if (key) await this.#profiles.recordFailure(key, failure);
      // The provider names no profile: the fix for a rejected named one is its own command.
      const named = key && failure.kind === 'rejected' && failure.httpStatus !== undefined;
      const said = named
        ? rejectedKeyError(step.provider.id, failure.httpStatus ?? 0, key.profile)
        : error;
      const attempt: ProviderAttempt = {
        provider: step.provider.id,
        model: model ?? null,
        profile: key?.profile ?? null,
        ...(failure.httpStatus === undefined ? {} : { httpStatus: failure.httpStatus }),
        code: failure.code,
      };
      return { ok: false, error: said, attempt, final: sent || failure.kind === 'other' };
    }
  }

  async #step(
    id: string,
    config: ProviderConfig,
    model: string | undefined,
    first: string | undefined,
  ): Promise<Step> {
    const provider = { id, type: config.type, baseUrl: config.baseUrl };
    const chosen = model ?? config.models?.[0];
    const { profiles, keychainError } = await this.#profiles.keys(id, first);
    if (profiles.length > 0)
      return { provider, model: chosen, profiles, keyless: false, keychainError };
    if (!providerNeedsKey(config)) return { provider, model: chosen, profiles, keyless: true };
    // An unreadable keychain may well hold the key: say that, not "no credentials".
    return {
      provider,
      model: chosen,
      profiles,
      keyless: false,
      missing: keychainError ?? noCredentials(id),
    };
  }

  #ready(key: ProfileKey): boolean {
    return this.#profiles.health(key).state === 'ready';
  }

  #skippedOrMissing(step: Step): ProviderAttempt[] {
    if (step.profiles.length > 0)
      return step.profiles.map((key) => skipped(step, key, this.#profiles.health(key)));
    const code = step.missing?.details?.code;
    return [
      {
        provider: step.provider.id,
        model: step.model ?? null,
        profile: null,
        code: typeof code === 'string' ? code : 'PROVIDER_NO_CREDENTIALS',
      },
    ];
  }

  /** PROVIDER_EXHAUSTED, with `retryAfterMs` until the first cooldown of the plan ends. */
  #exhausted(plan: RunPlan, attempts: ProviderAttempt[]): GatewayError {
    const ends = plan.steps.flatMap((step) =>
      step.profiles.flatMap((key) => this.#profiles.cooldownUntil(key) ?? []),
    );
    const now = this.#clock.now();
    const retryAfterMs = ends.length > 0 ? Math.max(0, Math.min(...ends) - now) : undefined;
    const named = attempts.slice(0, MAX_ATTEMPTS_IN_MESSAGE).map(describeAttempt);
    if (attempts.length > MAX_ATTEMPTS_IN_MESSAGE) named.push('…');
    return GatewayError.of('PROVIDER_EXHAUSTED', {
      message: `every key and fallback of this agent failed (${named.join('; ')}); check them with: special-agent models auth-status`,
      details: { attempts },
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
}

function skipped(step: Step, key: ProfileKey, health: ProfileHealth): ProviderAttempt {
  return {
    provider: step.provider.id,
    model: step.model ?? null,
    profile: key.profile,
    code: health.state === 'disabled' ? 'PROFILE_DISABLED' : 'PROFILE_COOLDOWN',
  };
}

function describeAttempt(attempt: ProviderAttempt): string {
  const what = attempt.httpStatus === undefined ? attempt.code : `HTTP ${attempt.httpStatus}`;
  return `${attempt.provider}/${attempt.profile ?? 'no key'}: ${what}`;
}

/** `error` with the attempts so far in its details (a registry error keeps its code). */
function withAttempts(error: unknown, attempts: ProviderAttempt[]): unknown {
  if (!(error instanceof GatewayError)) return error;
  return new GatewayError(error.code, error.message, {
    details: { ...error.details, attempts },
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  });
}

function noCredentials(providerId: string): GatewayError {
  return GatewayError.of('PROVIDER_NO_CREDENTIALS', {
    message: `No credentials found for provider "${providerId}" (set one with: special-agent configure set models.providers.${providerId}.apiKey -)`,
    details: { provider: providerId },
  });
}

/** Stops waiting for `work` when the run is aborted (the shared model listing goes on). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new ChatAbortedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ChatAbortedError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
