/** The strip at the top of the app while the gateway is unreachable or stopping. */
import type { ReactElement } from 'react';
import { useConnection, useConnectionState, useNow } from '../hooks/connection-context.js';
import { Icon } from './icons.js';

export function ConnectionBanner(): ReactElement | null {
  const connection = useConnection();
  const state = useConnectionState();
  const now = useNow(500);
  if (state.phase === 'connected' && !state.stopped) return null;
  const title = state.stopped ? 'Gateway stopped' : 'Disconnected from the gateway';
  const seconds =
    state.retryAtMs === undefined
      ? undefined
      : Math.max(0, Math.ceil((state.retryAtMs - now) / 1000));
  return (
    <div
      className={`banner ${state.stopped ? 'banner-stopped' : 'banner-offline'}`}
      role="status"
      aria-live="polite"
    >
      <Icon name="alert" />
      <div className="banner-text">
        <strong>{title}</strong>
        <span>
          {state.phase === 'connected'
            ? 'The gateway is shutting down.'
            : seconds === undefined
              ? 'Reconnecting…'
              : `${state.message ?? ''} · reconnecting in ${seconds} s`}
        </span>
      </div>
      {state.phase !== 'connected' ? (
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
