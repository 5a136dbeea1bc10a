/**
 * Where a `chat.send` goes: the agent (named, else the session's, else the default) and the
 * profile its provider is asked with first.
 */
import type { AgentConfig, Config } from '../../shared/config-schema.js';
import { notFound } from '../../shared/errors.js';
import type { ChatOverride } from '../../shared/protocol.js';
import type { SessionMeta } from './session-meta.js';

/**
 * The profile that answered the session last, when this run asks the same provider first
 * (DESIGN.md: a session keeps the profile that last worked, so provider caches stay warm,
 * until it fails: a failed profile is skipped as it would be anyway).
 */
export function lastProfile(
  session: Pick<SessionMeta, 'answeredBy'> | undefined,
  agent: AgentConfig,
  override: ChatOverride | undefined,
): string | undefined {
  const answeredBy = session?.answeredBy;
  const provider = override?.provider ?? agent.model.provider;
  if (answeredBy?.provider !== provider) return undefined;
  return answeredBy.profile ?? undefined;
}

/** The agent asked for, else `agents.default`, else the first in the list. */
export function findAgent(config: Config, agentId: string | undefined): AgentConfig {
  const list = config.agents.list;
  const wanted = agentId ?? config.agents.default ?? list[0]?.id;
  if (wanted === undefined)
    throw notFound(
      'no agent configured (run special-agent onboard, or add one under agents.list in the config)',
    );
  const agent = list.find((candidate) => candidate.id === wanted);
  if (!agent) throw notFound(`agent "${wanted}" not found (see agents.list in the config)`);
  return agent;
}
