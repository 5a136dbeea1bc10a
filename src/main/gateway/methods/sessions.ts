import { z } from 'zod';
import { AGENT_ID_PATTERN } from '../../../shared/config-schema.js';
import { conflict, invalidRequest, notFound } from '../../../shared/errors.js';
import { ownValue } from '../../../shared/own-key.js';
import type {
  SessionMessageView,
  SessionOverride,
  SessionsGetPayload,
  SessionsListPayload,
} from '../../../shared/protocol.js';
import { sessionOverrideSchema } from '../../../shared/protocol-schemas.js';
import { normalizeOverride } from '../../agents/session-override.js';
import {
  INVALID_SESSION_ID,
  SESSION_DEFAULTS,
  SESSION_ID_PATTERN,
  type SessionMessage,
} from '../../agents/session-store.js';
import type { MethodServices } from './context.js';

/** A `sessionId` param: the store's pattern, so a path or a 200-character id is refused at the edge. */
export const sessionIdParam = z.string().regex(SESSION_ID_PATTERN, INVALID_SESSION_ID);

/**
 * `sessions.list`, `sessions.get` (read), `sessions.patch`, `sessions.delete` (write).
 * Every session is visible to every operator with the scope: sessions belong to the
 * gateway's user, not to the device that started them.
 */
export function registerSessionMethods(services: MethodServices): void {
  const { router, sessions, chat, config } = services;

  router.register('sessions.list', {
    scope: 'operator.read',
    params: z.strictObject({
      agentId: z.string().regex(AGENT_ID_PATTERN).optional(),
      limit: z.number().int().min(1).max(SESSION_DEFAULTS.maxListPageSize).optional(),
      before: z.number().int().nonnegative().optional(),
    }),
    handler: async (params): Promise<SessionsListPayload> => ({
      sessions: await sessions.list(params),
    }),
  });

  router.register('sessions.get', {
    scope: 'operator.read',
    params: z.strictObject({ sessionId: sessionIdParam }),
    handler: async (params): Promise<SessionsGetPayload> => {
      const { session, messages, omitted } = await sessions.get(params.sessionId);
      return { session, messages: messages.map(toView), ...(omitted ? { omitted } : {}) };
    },
  });

  router.register('sessions.patch', {
    scope: 'operator.write',
    params: z.strictObject({
      sessionId: sessionIdParam,
      title: z.string().trim().min(1).max(SESSION_DEFAULTS.maxTitleChars).optional(),
      override: sessionOverrideSchema.nullable().optional(),
    }),
    handler: async (params) => {
      const { sessionId, title } = params;
      let { override } = params;
      if (title === undefined && override === undefined)
        throw invalidRequest('nothing to change (give a title, an override, or override: null)');
      // `{}` overrides nothing: the same as clearing.
      if (override) override = checkProvider(normalizeOverride(override)) ?? null;
      return { session: await sessions.patch(sessionId, { title, override }) };
    },
  });

  router.register('sessions.delete', {
    scope: 'operator.write',
    params: z.strictObject({ sessionId: sessionIdParam }),
    handler: async (params) => {
      const runId = chat.runInSession(params.sessionId);
      // Deleting under a streaming reply would lose the reply the user is watching.
      if (runId !== undefined)
        throw conflict(
          `session "${params.sessionId}" is busy with run ${runId} (abort it with chat.abort, wait for its final event, then delete)`,
        );
      await sessions.delete(params.sessionId);
      return { sessionId: params.sessionId };
    },
  });

  /** An override may only name a configured provider (own keys only: `constructor` is not one). */
  function checkProvider(override: SessionOverride | undefined): SessionOverride | undefined {
    const provider = override?.provider;
    if (provider !== undefined && !ownValue(config.current().models.providers, provider))
      throw notFound(`provider "${provider}" not found (see models.providers in the config)`);
    return override;
  }
}

function toView(message: SessionMessage): SessionMessageView {
  const { role, content, ts, provider, model, profile, aborted, failed } = message;
  return {
    role,
    text: content,
    ts,
    ...(provider === undefined ? {} : { provider }),
    ...(model === undefined ? {} : { model }),
    ...(typeof profile === 'string' ? { profile } : {}),
    ...(aborted ? { aborted: true } : {}),
    ...(failed ? { failed: true } : {}),
  };
}
