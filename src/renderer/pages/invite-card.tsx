/**
 * One invite this tab just made: its QR code and setup URL (with Copy), a live countdown
 * and Revoke. It turns into "Paired: <name>" when the `device.paired` event for it
 * arrives, and "Expired" when its time is up. The code lives only in this component's
 * state: it is never stored, and the gateway never shows it again.
 */
import type { ReactElement } from 'react';
import { useState } from 'react';
import { Icon } from '../components/icons.js';
import { QrCode } from '../components/qr-code.js';
import { ScopeList } from '../components/scope-list.js';
import { ErrorNote, Pill } from '../components/ui.js';
import { asGatewayError, useConnection } from '../hooks/connection-context.js';
import type { InviteCreated } from '../lib/api-types.js';
import { formatCountdown } from '../lib/format.js';

/** A made invite and what became of it. */
export interface MadeInvite {
  created: InviteCreated;
  label: string | undefined;
  /** This tab's clock when the answer came: the countdown never starts above the TTL. */
  madeAtMs: number;
  /** The name of the device it paired, once `device.paired` named this invite. */
  pairedName?: string;
  revoked?: boolean;
}

/** Clipboard writes need a secure context; where there is none the field is selected instead. */
async function copyText(text: string, field: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field?.select();
    return false;
  }
}

export function InviteCard({
  invite,
  now,
  onRevoked,
  onDismiss,
}: {
  invite: MadeInvite;
  now: number;
  onRevoked: () => void;
  onDismiss: () => void;
}): ReactElement {
  const connection = useConnection();
  const [copied, setCopied] = useState<'yes' | 'select' | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [field, setField] = useState<HTMLInputElement | null>(null);
  const { created, pairedName } = invite;
  const title = invite.label ?? 'New device';
  const left = created.expiresAtMs - Math.max(now, invite.madeAtMs);

  if (pairedName !== undefined || invite.revoked || left <= 0) {
    const done =
      pairedName !== undefined ? `Paired: ${pairedName}` : invite.revoked ? 'Revoked' : 'Expired';
    return (
      <article className="invite-card invite-card-done" aria-label={`Invite ${title}`}>
        <div className="invite-done">
          <Icon name={pairedName !== undefined ? 'check' : 'info'} />
          <strong role="status">{done}</strong>
        </div>
        {pairedName === undefined && !invite.revoked ? (
          <p className="muted small">This link no longer works; make a new one to pair a device.</p>
        ) : null}
        <div className="request-actions">
          <button type="button" className="btn btn-secondary btn-small" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      </article>
    );
  }

  const revoke = () => {
    setBusy(true);
    setError(undefined);
    connection.request('device.invite.revoke', { inviteId: created.inviteId }).then(
      () => {
        setBusy(false);
        onRevoked();
      },
      (failure: unknown) => {
        setBusy(false);
        setError(asGatewayError(failure).message);
      },
    );
  };
  const copy = () =>
    void copyText(created.setupUrl, field).then((ok) => setCopied(ok ? 'yes' : 'select'));

  return (
    <article className="invite-card" aria-label={`Invite ${title}`}>
      <div className="invite-body">
        <QrCode text={created.setupUrl} label={`QR code of the setup link for ${title}`} />
        <div className="invite-details">
          <h3>{title}</h3>
          <p className="muted small">
            Scan the code on the new device, or open the setup link there. It works once.
          </p>
          <dl className="facts">
            <dt>Grants</dt>
            <dd>
              <ScopeList scopes={created.scopes} />
            </dd>
            <dt>Expires in</dt>
            <dd>
              <Pill tone={left < 60_000 ? 'warn' : 'info'}>
                <span className="countdown" aria-live="off">
                  {formatCountdown(left)}
                </span>
              </Pill>
            </dd>
          </dl>
          <div className="copy-row">
            <input
              ref={setField}
              type="text"
              readOnly
              value={created.setupUrl}
              aria-label="Setup link"
              onFocus={(event) => event.currentTarget.select()}
            />
            <button type="button" className="btn btn-secondary" onClick={copy}>
              {copied === 'yes' ? 'Copied' : 'Copy'}
            </button>
          </div>
          {copied === 'select' ? (
            <p className="field-hint">Press Ctrl+C (⌘C) to copy the selected link.</p>
          ) : null}
        </div>
      </div>
      {error ? <ErrorNote error={error} /> : null}
      <div className="request-actions">
        <button type="button" className="btn btn-secondary" disabled={busy} onClick={revoke}>
          <Icon name="close" /> {busy ? 'Revoking…' : 'Revoke'}
        </button>
      </div>
    </article>
  );
}
