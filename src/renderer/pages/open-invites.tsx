/**
 * The gateway's open invites (`device.invite.list`: never their codes), wherever they were
 * made (this page, `special-agent devices invite`, a dashboard link), each with Revoke.
 */
import type { ReactElement } from 'react';
import { useState } from 'react';
import { ScopeList } from '../components/scope-list.js';
import { Card, ErrorNote } from '../components/ui.js';
import type { QueryState } from '../hooks/connection-context.js';
import { asGatewayError, useConnection, useNow } from '../hooks/connection-context.js';
import type { InviteInfo } from '../lib/api-types.js';
import { formatCountdown, shortId } from '../lib/format.js';

export function OpenInvites(props: {
  query: QueryState<{ invites: InviteInfo[] }>;
  onRevoked: (inviteId: string) => void;
}): ReactElement | null {
  const connection = useConnection();
  const now = useNow(1000);
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const open = (props.query.data?.invites ?? []).filter((invite) => invite.expiresAtMs > now);
  if (open.length === 0 && !props.query.error) return null;

  const revoke = (inviteId: string) => {
    setBusy(inviteId);
    setError(undefined);
    connection.request('device.invite.revoke', { inviteId }).then(
      () => {
        setBusy(undefined);
        props.onRevoked(inviteId);
      },
      (failure: unknown) => {
        setBusy(undefined);
        setError(asGatewayError(failure).message);
      },
    );
  };

  return (
    <Card title={`Open invites (${open.length})`}>
      {props.query.error ? (
        <ErrorNote error={props.query.error} onRetry={props.query.reload} />
      ) : null}
      {error ? <ErrorNote error={error} /> : null}
      <ul className="simple-list">
        {open.map((invite) => {
          const name = invite.label ?? `Invite ${shortId(invite.inviteId)}`;
          return (
            <li key={invite.inviteId} className="simple-row" aria-label={`Open invite ${name}`}>
              <div className="simple-main">
                <span className="cell-title break">{name}</span>
                <span className="muted small">
                  <ScopeList scopes={invite.scopes} /> · expires in{' '}
                  <span className="countdown">{formatCountdown(invite.expiresAtMs - now)}</span>
                </span>
              </div>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                disabled={busy === invite.inviteId}
                aria-label={`Revoke invite ${name}`}
                onClick={() => revoke(invite.inviteId)}
              >
                {busy === invite.inviteId ? 'Revoking…' : 'Revoke'}
              </button>
            </li>
          );
        })}
      </ul>
    </Card>
  );
}
