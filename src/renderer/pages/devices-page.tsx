/** Devices: pending pairing requests (live) and the paired devices with their tokens. */
import type { ReactElement } from 'react';
import { useEffect, useRef, useState } from 'react';
import type { PendingRequest } from '../../shared/protocol.js';
import { Icon } from '../components/icons.js';
import { Card, EmptyState, ErrorNote, Loading, PageHeader, Pill } from '../components/ui.js';
import type { QueryState } from '../hooks/connection-context.js';
import { asGatewayError, useConnection, useNow } from '../hooks/connection-context.js';
import type { PairList } from '../lib/api-types.js';
import { formatAge, shortId } from '../lib/format.js';
import { PairedTable, ScopeList } from './paired-devices.js';

const REASONS: Record<PendingRequest['reason'], string> = {
  'not-paired': 'New device',
  'scope-upgrade': 'Asks for more scopes',
  'role-upgrade': 'Asks for another role',
};

export function DevicesPage({
  pairing,
  highlight,
}: {
  pairing: QueryState<PairList>;
  highlight?: string | undefined;
}): ReactElement {
  const now = useNow(15_000);
  const pending = pairing.data?.pending ?? [];
  const paired = pairing.data?.paired ?? [];
  return (
    <>
      <PageHeader
        title="Devices"
        subtitle="Approve new devices and manage the ones that can reach this gateway."
        actions={
          <button type="button" className="btn btn-secondary" onClick={pairing.reload}>
            <Icon name="refresh" /> Refresh
          </button>
        }
      />
      {pairing.error ? <ErrorNote error={pairing.error} onRetry={pairing.reload} /> : null}
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
      <PairedTable
        paired={paired}
        loaded={Boolean(pairing.data)}
        now={now}
        onChanged={pairing.reload}
      />
    </>
  );
}

function PendingCard({
  request,
  now,
  highlighted,
}: {
  request: PendingRequest;
  now: number;
  highlighted: boolean;
}): ReactElement {
  const connection = useConnection();
  const [busy, setBusy] = useState<'approve' | 'reject' | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (highlighted) ref.current?.scrollIntoView({ block: 'center' });
  }, [highlighted]);

  const act = (decision: 'approve' | 'reject') => {
    setBusy(decision);
    setError(undefined);
    connection.request(`device.pair.${decision}`, { requestId: request.requestId }).then(
      () => setBusy(undefined),
      (failure: unknown) => {
        setBusy(undefined);
        setError(asGatewayError(failure).message);
      },
    );
  };

  const name = request.displayName ?? request.clientId;
  return (
    <article
      ref={ref}
      className={`request-card${highlighted ? ' card-highlight' : ''}`}
      aria-label={`Pairing request from ${name}`}
      data-request-id={request.requestId}
    >
      <div className="request-head">
        <span className="request-icon">
          <Icon name="devices" />
        </span>
        <div>
          <h3>{name}</h3>
          <p className="muted small">
            {[request.platform, `${request.clientId} (${request.clientMode})`]
              .filter(Boolean)
              .join(' · ')}
          </p>
        </div>
        <Pill tone={request.isRepair ? 'warn' : 'info'}>
          {REASONS[request.reason] ?? request.reason}
        </Pill>
      </div>
      <dl className="facts">
        <dt>IP address</dt>
        <dd className="mono">{request.remoteIp}</dd>
        <dt>Scopes</dt>
        <dd>
          <ScopeList scopes={request.scopes} />
        </dd>
        <dt>Requested</dt>
        <dd>{formatAge(request.ts, now)}</dd>
        <dt>Device id</dt>
        <dd className="mono" title={request.deviceId}>
          {shortId(request.deviceId)}
        </dd>
      </dl>
      {error ? <ErrorNote error={error} /> : null}
      <div className="request-actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={busy !== undefined}
          onClick={() => act('approve')}
        >
          <Icon name="check" /> {busy === 'approve' ? 'Approving…' : 'Approve'}
        </button>
        <button
          type="button"
          className="btn btn-secondary"
          disabled={busy !== undefined}
          onClick={() => act('reject')}
        >
          <Icon name="close" /> {busy === 'reject' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
    </article>
  );
}
