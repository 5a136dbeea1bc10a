/**
 * "Pair a device" on the Devices page (DESIGN.md "Remote devices", Invites): a form for
 * what the new device may do (only scopes this browser holds can be ticked: no one grants
 * what they do not hold), how long the link works and a label; then a card per invite
 * made here (pages/invite-card.tsx) that follows `device.paired` to "Paired: <name>".
 */
import type { FormEvent, ReactElement } from 'react';
import { useCallback, useId, useState } from 'react';
import {
  DEFAULT_INVITE_SCOPES,
  INVITE_TTL_SECONDS,
  MAX_LABEL_LENGTH,
} from '../../shared/invites.js';
import type { KnownScope } from '../../shared/scopes.js';
import { hasScope, KNOWN_SCOPES } from '../../shared/scopes.js';
import { Icon } from '../components/icons.js';
import { InputField } from '../components/input-field.js';
import { Card, ErrorNote, Field } from '../components/ui.js';
import {
  asGatewayError,
  useConnection,
  useGatewayEvent,
  useNow,
} from '../hooks/connection-context.js';
import type { DevicePairedEvent, InviteCreated } from '../lib/api-types.js';
import { impliedBy } from '../lib/approval.js';
import type { MadeInvite } from './invite-card.js';
import { InviteCard } from './invite-card.js';

/** Lifetimes offered, in minutes; the gateway's default is preselected. */
const TTL_MINUTES = [1, 5, 10, 30, 60] as const;
const DEFAULT_TTL_MINUTES = INVITE_TTL_SECONDS.default / 60;

/** The invites this tab made, and what became of each. */
export interface MadeInvites {
  made: MadeInvite[];
  add: (invite: MadeInvite) => void;
  update: (inviteId: string, patch: Partial<MadeInvite>) => void;
  dismiss: (inviteId: string) => void;
}

/** Keeps the invites made here, marking one paired when `device.paired` names it. */
export function useMadeInvites(): MadeInvites {
  const [made, setMade] = useState<MadeInvite[]>([]);
  const update = useCallback((inviteId: string, patch: Partial<MadeInvite>) => {
    setMade((list) =>
      list.map((item) => (item.created.inviteId === inviteId ? { ...item, ...patch } : item)),
    );
  }, []);
  useGatewayEvent('device.paired', (payload) => {
    const event = payload as DevicePairedEvent;
    if (event.approvedBy !== 'invite' || event.inviteId === undefined) return;
    update(event.inviteId, { pairedName: event.device.displayName ?? event.device.clientId });
  });
  return {
    made,
    add: (invite) => setMade((list) => [invite, ...list]),
    update,
    dismiss: (inviteId) =>
      setMade((list) => list.filter((item) => item.created.inviteId !== inviteId)),
  };
}

/** The scopes to send: admin alone when ticked (it includes the rest), else the ticked ones. */
export function inviteScopes(chosen: ReadonlySet<string>): KnownScope[] {
  if (chosen.has('operator.admin')) return ['operator.admin'];
  return KNOWN_SCOPES.filter((scope) => chosen.has(scope));
}

export function PairDevice(props: {
  formOpen: boolean;
  onCloseForm: () => void;
  /** What this browser's device holds; only those scopes can be granted. */
  heldScopes: readonly string[];
  invites: MadeInvites;
  /** After an invite was made or revoked (the open-invites list reloads). */
  onChanged: () => void;
}): ReactElement | null {
  const { invites, onChanged } = props;
  const now = useNow(1000);
  if (!props.formOpen && invites.made.length === 0) return null;
  return (
    <Card title="Pair a device">
      {props.formOpen ? (
        <InviteForm
          heldScopes={props.heldScopes}
          onCancel={props.onCloseForm}
          onCreated={(created, label) => {
            invites.add({ created, label, madeAtMs: Date.now() });
            props.onCloseForm();
            onChanged();
          }}
        />
      ) : null}
      <div className="invite-list">
        {invites.made.map((invite) => (
          <InviteCard
            key={invite.created.inviteId}
            invite={invite}
            now={now}
            onRevoked={() => {
              invites.update(invite.created.inviteId, { revoked: true });
              onChanged();
            }}
            onDismiss={() => invites.dismiss(invite.created.inviteId)}
          />
        ))}
      </div>
    </Card>
  );
}

function InviteForm(props: {
  heldScopes: readonly string[];
  onCancel: () => void;
  onCreated: (created: InviteCreated, label: string | undefined) => void;
}): ReactElement {
  const connection = useConnection();
  const held = (scope: KnownScope) => hasScope(props.heldScopes, scope);
  const [chosen, setChosen] = useState<ReadonlySet<string>>(
    () => new Set(DEFAULT_INVITE_SCOPES.filter(held)),
  );
  const [ttlMinutes, setTtlMinutes] = useState<number>(DEFAULT_TTL_MINUTES);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const legendId = useId();
  const nothingChosen = chosen.size === 0;

  const toggle = (scope: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(scope);
    else next.delete(scope);
    setChosen(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy || nothingChosen) return;
    setBusy(true);
    setError(undefined);
    const trimmed = label.trim() || undefined;
    const params = {
      scopes: inviteScopes(chosen),
      ttlSeconds: ttlMinutes * 60,
      ...(trimmed ? { label: trimmed } : {}),
    };
    connection.request<InviteCreated>('device.invite.create', params).then(
      (created) => {
        setBusy(false);
        props.onCreated(created, trimmed);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(asGatewayError(failure).message);
      },
    );
  };

  return (
    <form className="form invite-form" onSubmit={submit} noValidate>
      <p className="muted">
        Make a single-use link and QR code. The device that opens it is paired at once with what you
        tick here.
      </p>
      <fieldset className="scope-choice" aria-labelledby={legendId}>
        <legend id={legendId}>The device may</legend>
        {KNOWN_SCOPES.map((scope) => {
          const parent = impliedBy(chosen, scope);
          const allowed = held(scope);
          return (
            <label
              key={scope}
              title={
                !allowed
                  ? 'This browser does not hold this scope, so it cannot grant it'
                  : parent
                    ? `Included in ${parent}`
                    : undefined
              }
            >
              <input
                type="checkbox"
                checked={allowed && (chosen.has(scope) || parent !== undefined)}
                disabled={!allowed || parent !== undefined}
                onChange={(event) => toggle(scope, event.target.checked)}
              />
              <code>{scope}</code>
            </label>
          );
        })}
        {nothingChosen ? <p className="field-error">Tick at least one scope.</p> : null}
      </fieldset>
      <div className="form-grid">
        <Field label="Link works for">
          {({ id }) => (
            <select
              id={id}
              value={ttlMinutes}
              onChange={(event) => setTtlMinutes(Number(event.target.value))}
            >
              {TTL_MINUTES.map((minutes) => (
                <option key={minutes} value={minutes}>
                  {minutes === 60 ? '1 hour' : `${minutes} min`}
                </option>
              ))}
            </select>
          )}
        </Field>
        <InputField
          label="Label"
          hint="Optional, e.g. whose device it is."
          type="text"
          value={label}
          maxLength={MAX_LABEL_LENGTH}
          placeholder="Anna’s phone"
          onValue={setLabel}
        />
      </div>
      {error ? <ErrorNote error={error} /> : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || nothingChosen}>
          <Icon name="plus" /> {busy ? 'Creating…' : 'Create link'}
        </button>
        <button type="button" className="btn btn-secondary" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
