/** Devices: pending pairing requests (live) and the paired devices with their tokens. */
import type { ReactElement } from 'react';
import { Icon } from '../components/icons.js';
import { Card, EmptyState, ErrorNote, Loading, PageHeader } from '../components/ui.js';
import type { QueryState } from '../hooks/connection-context.js';
import { useNow } from '../hooks/connection-context.js';
import type { PairList } from '../lib/api-types.js';
import { PairedDevices } from './paired-devices.js';
import { PendingCard } from './pending-card.js';

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
      <PairedDevices
        paired={paired}
        loaded={Boolean(pairing.data)}
        now={now}
        onChanged={pairing.reload}
      />
    </>
  );
}
