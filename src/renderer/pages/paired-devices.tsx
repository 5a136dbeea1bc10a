/**
 * The paired devices of the Devices page: a table on wide screens, cards under 640 px
 * (pages/device-views.tsx), with Rename… / Rotate / Revoke / Remove in one menu per
 * device; the last three behind a confirmation.
 */
import type { ReactElement } from 'react';
import { useState } from 'react';
import type { PairedDevice } from '../../shared/protocol.js';
import type { ConfirmRequest } from '../components/confirm-dialog.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import type { MenuItem } from '../components/menu-button.js';
import { Card, EmptyState, ErrorNote } from '../components/ui.js';
import { asGatewayError, useConnection, useConnectionState } from '../hooks/connection-context.js';
import type { PairedPages } from '../hooks/use-more-paired.js';
import { useMediaQuery } from '../hooks/use-media-query.js';
import { DeviceCards, DeviceTable } from './device-views.js';
import { RenameDialog } from './rename-dialog.js';

/** Below this width the table's columns no longer fit, so devices show as cards. */
const CARDS_QUERY = '(max-width: 639.98px)';

type DeviceAction = 'rotate' | 'revoke' | 'remove';

const ACTIONS: Record<
  DeviceAction,
  { label: string; method: string; explain: string; self: string }
> = {
  rotate: {
    label: 'Rotate token',
    method: 'device.token.rotate',
    explain:
      'Its connections close; it must sign in again with the gateway token to get a new device token.',
    self: 'This browser will be signed out.',
  },
  revoke: {
    label: 'Revoke token',
    method: 'device.token.revoke',
    explain: 'Its connections close and its device token stops working.',
    self: 'This browser will be signed out.',
  },
  remove: {
    label: 'Remove device',
    method: 'device.pair.remove',
    explain: 'It is unpaired and its connections close; it must be approved again to reconnect.',
    self: 'This browser will be signed out and must be approved again.',
  },
};

/** The paired devices with their actions; `onChanged` reloads the list after one. */
export function PairedDevices(props: {
  pages: PairedPages;
  loaded: boolean;
  now: number;
  onChanged: () => void;
}): ReactElement {
  const { pages, loaded, now, onChanged } = props;
  const { paired } = pages;
  const connection = useConnection();
  const { deviceId: ownId } = useConnectionState();
  const cards = useMediaQuery(CARDS_QUERY);
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [renaming, setRenaming] = useState<PairedDevice | undefined>(undefined);

  const ask = (device: PairedDevice, action: DeviceAction) => {
    const spec = ACTIONS[action];
    const name = device.displayName ?? device.clientId;
    setConfirm({
      title: `${spec.label} for “${name}”?`,
      body: (
        <p>
          {spec.explain} {device.deviceId === ownId ? <strong>{spec.self}</strong> : null}
        </p>
      ),
      confirmLabel: spec.label,
      danger: true,
      onConfirm: () => {
        setError(undefined);
        // Token changes raise no event, so reload the list once the gateway has answered.
        connection
          .request(spec.method, { deviceId: device.deviceId })
          .then(onChanged, (failure: unknown) => {
            setError(asGatewayError(failure).message);
          });
      },
    });
  };

  const actionsOf = (device: PairedDevice): MenuItem[] => [
    { label: 'Rename…', onSelect: () => setRenaming(device) },
    ...(Object.keys(ACTIONS) as DeviceAction[]).map((action) => ({
      label: ACTIONS[action].label,
      danger: action === 'remove',
      onSelect: () => ask(device, action),
    })),
  ];

  const View = cards ? DeviceCards : DeviceTable;
  return (
    <Card title={`Paired devices${loaded ? ` (${paired.length}${pages.hasMore ? '+' : ''})` : ''}`}>
      {error ? <ErrorNote error={error} /> : null}
      {loaded && paired.length === 0 ? (
        <EmptyState icon="devices" title="No paired devices yet" />
      ) : null}
      {paired.length > 0 ? (
        <View paired={paired} ownId={ownId} now={now} actionsOf={actionsOf} />
      ) : null}
      {pages.error ? <ErrorNote error={pages.error} onRetry={pages.loadMore} /> : null}
      {pages.hasMore ? (
        <div className="list-more">
          <span className="small muted">
            Showing the first {paired.length}; the gateway has more.
          </span>
          <button
            type="button"
            className="btn btn-secondary"
            disabled={pages.loading}
            onClick={pages.loadMore}
          >
            {pages.loading ? 'Loading…' : 'Show more devices'}
          </button>
        </div>
      ) : null}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
      {/* Renaming raises no event: the list reloads once the gateway has answered. */}
      <RenameDialog
        device={renaming}
        onClose={() => setRenaming(undefined)}
        onRenamed={onChanged}
      />
    </Card>
  );
}
