/** The strip at the top of the app while the gateway is unreachable, restarting or stopping. */
import type { ReactElement } from 'react';
import type { ConnectionSnapshot } from '../lib/connection-state.js';
import { useConnection, useConnectionState, useNow } from '../hooks/connection-context.js';
import { Icon } from './icons.js';
import { RelocationNote } from './relocation-note.js';

function bannerTitle(state: ConnectionSnapshot): string {
  if (state.relocation && state.phase !== 'connected') return 'Gateway moved';
  if (state.restartExpectedMs !== undefined) return 'Gateway restarting';
  return state.stopped ? 'Gateway stopped' : 'Disconnected from the gateway';
}

export function ConnectionBanner(): ReactElement | null {
  const connection = useConnection();
  const state = useConnectionState();
  const now = useNow(500);
  if (state.phase === 'connected' && !state.stopped) return null;
  const restarting = state.restartExpectedMs !== undefined;
  const seconds =
    state.retryAtMs === undefined
      ? undefined
      : Math.max(0, Math.ceil((state.retryAtMs - now) / 1000));
  const moved = state.relocation !== undefined && state.phase !== 'connected';
  return (
    <div
      className={`banner ${state.stopped && !restarting ? 'banner-stopped' : 'banner-offline'}`}
      role="status"
      aria-live="polite"
    >
      <Icon name="alert" />
      <div className="banner-text">
        <strong>{bannerTitle(state)}</strong>
        {moved && state.relocation ? (
          <RelocationNote relocation={state.relocation} />
        ) : (
          <span>
            {state.phase === 'connected'
              ? restarting
                ? 'The gateway is restarting.'
                : 'The gateway is shutting down.'
              : seconds === undefined
                ? 'Reconnecting…'
                : `${state.message ?? ''} · reconnecting in ${seconds} s`}
          </span>
        )}
      </div>
      {/* Retrying here cannot reach a gateway that moved (it still retries by itself). */}
      {state.phase !== 'connected' && !moved ? (
        <button
          type="button"
          className="btn btn-secondary btn-small"
          onClick={() => connection.retryNow()}
        >
          Retry now
        </button>
      ) : null}
    </div>
  );
}
