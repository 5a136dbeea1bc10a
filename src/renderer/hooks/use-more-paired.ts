/**
 * The paired devices past `device.pair.list`'s first page. The gateway sends at most 500
 * paired devices per page with a `nextCursor`; without this the Devices page would show
 * only the first 500 and never say more exist. Later pages load on request ("Show more"),
 * and are dropped whenever the first page reloads (an event or Refresh), so the list never
 * mixes an old page with a new one.
 */
import { useState } from 'react';
import type { PairedDevice } from '../../shared/protocol.js';
import type { PairList } from '../lib/api-types.js';
import { asGatewayError, useConnection } from './connection-context.js';

interface LaterPages {
  /** The first page these follow; a new first page makes them stale. */
  after: PairList;
  devices: PairedDevice[];
  nextCursor: string | undefined;
}

export interface PairedPages {
  paired: PairedDevice[];
  /** The gateway has more devices than `paired` holds. */
  hasMore: boolean;
  loading: boolean;
  error: string | undefined;
  loadMore: () => void;
}

export function useMorePaired(first: PairList | undefined): PairedPages {
  const connection = useConnection();
  const [later, setLater] = useState<LaterPages | undefined>(undefined);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const current = first && later?.after === first ? later : undefined;
  const nextCursor = current ? current.nextCursor : first?.nextCursor;
  const paired = [...(first?.paired ?? []), ...(current?.devices ?? [])];

  const loadMore = () => {
    if (!first || nextCursor === undefined || loading) return;
    setLoading(true);
    setError(undefined);
    connection
      .request<PairList>('device.pair.list', { cursor: nextCursor })
      .then(
        (page) =>
          setLater({
            after: first,
            devices: [...(current?.devices ?? []), ...page.paired],
            nextCursor: page.nextCursor,
          }),
        (failure: unknown) => setError(asGatewayError(failure).message),
      )
      .finally(() => setLoading(false));
  };

  return { paired, hasMore: nextCursor !== undefined, loading, error, loadMore };
}
