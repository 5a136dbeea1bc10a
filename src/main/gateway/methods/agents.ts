import { z } from 'zod';
import { AGENT_ID_PATTERN } from '../../../shared/config-schema.js';
import { notFound } from '../../../shared/errors.js';
import { sessionOverrideSchema } from '../../../shared/protocol-schemas.js';
import { mergeOverride, normalizeOverride } from '../../agents/session-override.js';
import type { MethodServices } from './context.js';

/** `agents.list`, `chat.send` and `chat.abort`. Chat events go only to the connection that asked. */
export function registerAgentMethods(services: MethodServices): void {
  const { router, config, chat, sessions } = services;
  /** runId → connection id, so only the asking connection can stop its run. */
  const runOwners = new Map<string, string>();

  router.register('agents.list', {
    scope: 'operator.read',
    params: z.strictObject({}),
    handler: () => {
      const { agents } = config.current();
      return {
        agents: agents.list.map((agent) => ({
          id: agent.id,
          ...(agent.name ? { name: agent.name } : {}),
          provider: agent.model.provider,
          ...(agent.model.name ? { model: agent.model.name } : {}),
        })),
        default: agents.default ?? agents.list[0]?.id ?? null,
      };
    },
  });
  router.register('chat.send', {
    scope: 'operator.write',
    params: z.strictObject({
      agentId: z.string().regex(AGENT_ID_PATTERN).optional(),
      sessionId: z.string().min(1).max(64).optional(),
      message: z.string().min(1),
      // For this run only: beats the session's override, the agent's provider, model and first profile.
      override: sessionOverrideSchema.optional(),
    }),
    handler: async (params, { conn }) => {
      // Sessions: the session's pinned override applies to every run in it; the run's own wins.
      const pinned = params.sessionId ? await sessions.overrideOf(params.sessionId) : undefined;
      const override = mergeOverride(pinned, normalizeOverride(params.override));
      // Removed when the run ends: a connection open for days sends many messages.
      let stopWatchingClose = () => undefined as void;
      let ended = false;
      const result = await chat.send(
        { ...params, override },
        (event) => {
          conn.sendEvent('chat', event);
          if (event.state === 'delta') return;
          ended = true;
          runOwners.delete(event.runId);
          stopWatchingClose();
        },
        (signal) => conn.whenWritable(signal),
      );
      if (ended) return result;
      // The socket closed while the user message was being saved: nobody hears the reply.
      if (conn.state === 'closed') {
        chat.abort(result.runId);
        return result;
      }
      runOwners.set(result.runId, conn.id);
      stopWatchingClose = conn.onClose(() => {
        if (runOwners.get(result.runId) === conn.id) {
          runOwners.delete(result.runId);
          chat.abort(result.runId);
        }
      });
      return result;
    },
  });
  router.register('chat.abort', {
    scope: 'operator.write',
    params: z.strictObject({ runId: z.string().min(1).max(128) }),
    handler: (params, { conn }) => {
      if (runOwners.get(params.runId) !== conn.id)
        throw notFound(
          `run "${params.runId}" not found (it finished, or belongs to another connection)`,
        );
      chat.abort(params.runId);
      runOwners.delete(params.runId);
      return { runId: params.runId, aborted: true };
    },
  });
}
