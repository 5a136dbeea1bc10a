/**
 * Which override a run gets: its own (`chat.send {override}`) over its session's
 * (`sessions.patch {override}`), field by field, both over the agent's choice.
 */
import type { SessionOverride } from '../../shared/protocol.js';

/**
 * The run's override laid over the session's. When the run names another provider than
 * the session does, the session's model and profile are left out: they belong to the
 * session's provider (a profile is one of that provider's keys).
 */
export function mergeOverride(
  session: SessionOverride | undefined,
  run: SessionOverride | undefined,
): SessionOverride | undefined {
  if (!run) return session;
  if (!session) return run;
  if (run.provider !== undefined && run.provider !== session.provider) return run;
  return { ...session, ...run };
}

/** `override` without its empty fields, or undefined when nothing is left (`{}` overrides nothing). */
export function normalizeOverride(
  override: SessionOverride | undefined,
): SessionOverride | undefined {
  if (!override) return undefined;
  const kept = Object.fromEntries(
    Object.entries(override).filter(([, value]) => value !== undefined),
  ) as SessionOverride;
  return Object.keys(kept).length > 0 ? kept : undefined;
}
