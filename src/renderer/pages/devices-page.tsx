/**
 * Devices: "Pair a device" (invites with a QR code), pending pairing requests (live), the
 * paired devices with their tokens, open invites and ignored devices.
 */
import type { ReactElement } from 'react';
import { useState } from 'react';
import { Icon } from '../components/icons.js';
import { EnableNotificationsButton } from '../components/notification-setting.js';
import { Card, EmptyState, ErrorNote, Loading, PageHeader } from '../components/ui.js';
import type { QueryState } from '../hooks/connection-context.js';
import { useConnectionState, useGatewayQuery, useNow } from '../hooks/connection-context.js';
import { useMorePaired } from '../hooks/use-more-paired.js';
import type { InviteInfo, PairList } from '../lib/api-types.js';
import { IgnoredDevices } from './ignored-devices.js';
import { OpenInvites } from './open-invites.js';
import { PairDevice, useMadeInvites } from './pair-device.js';
import { PairedDevices } from './paired-devices.js';
import { PendingCard } from './pending-card.js';

// An invite is spent by the device.paired it causes; made and revoked ones reload by hand.
const INVITE_EVENTS = ['device.paired'];

export function DevicesPage({
  pairing,
  highlight,
}: {
  pairing: QueryState<PairList>;
  highlight?: string | undefined;
}): ReactElement {
  const now = useNow(15_000);
  const { deviceId: ownId, hello } = useConnectionState();
  const [pairOpen, setPairOpen] = useState(false);
  const invites = useGatewayQuery<{ invites: InviteInfo[] }>(
    'device.invite.list',
    undefined,
    INVITE_EVENTS,
    'operator.pairing',
  );
  const made = useMadeInvites();
  const pending = pairing.data?.pending ?? [];
  const pairedPages = useMorePaired(pairing.data);
  const paired = pairedPages.paired;
  // What this browser may grant: its own paired record, else what its token was issued with.
  const heldScopes =
    paired.find((device) => device.deviceId === ownId)?.scopes ?? hello?.auth?.scopes ?? [];
  return (
    <>
      <PageHeader
        title="Devices"
        subtitle="Approve new devices and manage the ones that can reach this gateway."
        actions={
          <>
            <button
              type="button"
              className="btn btn-primary"
              aria-expanded={pairOpen}
              onClick={() => setPairOpen(true)}
            >
              <Icon name="plus" /> Pair a device
            </button>
            <button type="button" className="btn btn-secondary" onClick={pairing.reload}>
              <Icon name="refresh" /> Refresh
            </button>
            <EnableNotificationsButton />
          </>
        }
      />
      {pairing.error ? <ErrorNote error={pairing.error} onRetry={pairing.reload} /> : null}
      <PairDevice
        formOpen={pairOpen}
        onCloseForm={() => setPairOpen(false)}
        heldScopes={heldScopes}
        invites={made}
        onChanged={invites.reload}
      />
      <Card title={`Pairing requests${pending.length > 0 ? ` (${pending.length})` : ''}`}>
        {!pairing.data && pairing.loading ? <Loading /> : null}
        {pairing.data && pending.length === 0 ? (
          <EmptyState icon="check" title="No pending requests">
            New devices appear here as soon as they try to connect.
          </EmptyState>
        ) : null}
        <div className="request-grid">
          {pending.map((request) => (
            <PendingCard
              key={request.requestId}
              request={request}
              now={now}
              highlighted={request.requestId === highlight}
            />
          ))}
        </div>
      </Card>
      <PairedDevices
        pages={pairedPages}
        loaded={Boolean(pairing.data)}
        now={now}
        onChanged={pairing.reload}
      />
      <OpenInvites
        query={invites}
        onRevoked={(inviteId) => {
          made.update(inviteId, { revoked: true });
          invites.reload();
        }}
      />
      <IgnoredDevices ignored={pairing.data?.ignored ?? []} now={now} onChanged={pairing.reload} />
    </>
  );
}
