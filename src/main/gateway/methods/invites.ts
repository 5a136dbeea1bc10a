import { z } from 'zod';
import { DEFAULT_INVITE_SCOPES, INVITE_TTL_SECONDS } from '../../../shared/invites.js';
import type { InviteCreated } from '../../../shared/protocol.js';
import { SCOPE_PATTERN, roleOf } from '../../../shared/protocol.js';
import { unique } from '../../pairing/records.js';
import type { MethodServices } from './context.js';
import { assertMayGrant } from './grants.js';
import { displayText } from './params.js';

const createParams = z.strictObject({
  role: z.literal('operator').optional(),
  scopes: z.array(z.string().regex(SCOPE_PATTERN)).min(1).max(32).optional(),
  ttlSeconds: z
    .number()
    .int()
    .min(INVITE_TTL_SECONDS.min)
    .max(INVITE_TTL_SECONDS.max)
    .default(INVITE_TTL_SECONDS.default),
  label: displayText.optional(),
});
const inviteId = z.strictObject({ inviteId: z.string().min(1).max(128) });

/**
 * `device.invite.*` (DESIGN.md "Remote devices", Invites): single-use codes that pair a
 * device at once with the role and scopes the creator chose, never more than the creator
 * holds. An invite that names no scopes grants `DEFAULT_INVITE_SCOPES` (read, write).
 */
export function registerInviteMethods(services: MethodServices): void {
  const { router, pairing } = services;
  router.register('device.invite.create', {
    scope: 'operator.pairing',
    params: createParams,
    handler: async (params, { conn }): Promise<InviteCreated> => {
      const role = roleOf(params);
      const scopes = unique(params.scopes ?? DEFAULT_INVITE_SCOPES);
      assertMayGrant(conn.scopes, scopes, 'invite');
      const { invite, code } = await pairing.invites.create({
        role,
        scopes,
        ttlMs: params.ttlSeconds * 1000,
        label: params.label,
      });
      return {
        inviteId: invite.inviteId,
        code,
        expiresAtMs: invite.expiresAtMs,
        role: invite.role,
        scopes: invite.scopes,
        setupUrl: setupUrl(services.publicOrigin(), code, services.tlsFingerprint()),
      };
    },
  });
  router.register('device.invite.list', {
    scope: 'operator.pairing',
    params: z.strictObject({}),
    handler: () => ({ invites: pairing.invites.list() }),
  });
  router.register('device.invite.revoke', {
    scope: 'operator.pairing',
    params: inviteId,
    handler: (params) => pairing.invites.revoke(params.inviteId),
  });
}

/**
 * `<origin>/#invite=<code>`, plus `&fp=<sha256>` when TLS is on. The code rides in the
 * fragment, which browsers never send to a server, so it reaches no access log.
 */
export function setupUrl(origin: string, code: string, fingerprint: string | undefined): string {
  const base = `${origin.replace(/\/+$/, '')}/#invite=${encodeURIComponent(code)}`;
  if (fingerprint === undefined) return base;
  // Colons are allowed in a fragment; keeping them leaves `AB:CD:…` readable.
  return `${base}&fp=${encodeURIComponent(fingerprint).replace(/%3A/gi, ':')}`;
}
