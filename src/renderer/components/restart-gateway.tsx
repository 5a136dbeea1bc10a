/**
 * A Restart button (`gateway.restart`) with its confirmation and outcome. The connection
 * reconnects by itself (lib/connection.ts waits the `restartExpectedMs` the gateway
 * announced); when the restart moves the gateway to another port, the connection banner
 * links to the new address instead (lib/restart.ts). Nothing is shown by a gateway that
 * does not offer the method.
 */
import type { ReactElement } from 'react';
import { useState } from 'react';
import { asGatewayError, useConnection, useConnectionState } from '../hooks/connection-context.js';
import { relocationAfterRestart } from '../lib/restart.js';
import type { ConfirmRequest } from './confirm-dialog.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { Icon } from './icons.js';
import { ErrorNote } from './ui.js';

type Outcome = { kind: 'restarting'; generation: number } | { kind: 'failed'; message: string };

export function RestartGateway(props: {
  label: string;
  /** The port the gateway listens on now (`status.port`). */
  listeningPort: number | undefined;
  /** The port it listens on after the restart (the saved `gateway.port`). */
  configuredPort: number | undefined;
  primary?: boolean;
  /** The gateway accepted the restart. */
  onRestarting?: () => void;
}): ReactElement | null {
  const connection = useConnection();
  const { hello, generation, phase } = useConnectionState();
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  if (!hello?.features.methods.includes('gateway.restart')) return null;

  const restart = () => {
    const { listeningPort, configuredPort } = props;
    const relocation =
      listeningPort === undefined || configuredPort === undefined
        ? undefined
        : relocationAfterRestart(window.location.origin, listeningPort, configuredPort);
    const started = generation;
    setOutcome(undefined);
    // Set first: the gateway may close the socket right after it answers.
    connection.expectRelocation(relocation);
    const accepted = () => {
      setOutcome({ kind: 'restarting', generation: started });
      props.onRestarting?.();
    };
    connection
      .request<{ restartExpectedMs: number }>('gateway.restart', {})
      .then(accepted, (error: unknown) => {
        // The close can overtake the answer: a `shutdown` already seen means it worked.
        if (connection.getSnapshot().stopped) return accepted();
        connection.expectRelocation(undefined);
        setOutcome({ kind: 'failed', message: asGatewayError(error).message });
      });
  };

  const restarting = outcome?.kind === 'restarting';
  const back = restarting && phase === 'connected' && generation > outcome.generation;
  return (
    <>
      <button
        type="button"
        className={`btn ${props.primary ? 'btn-primary' : 'btn-secondary'} btn-small`}
        disabled={restarting && !back}
        onClick={() =>
          setConfirm({
            title: 'Restart the gateway?',
            body: (
              <p>
                Every connection drops for a moment, this page included; browsers, the desktop
                window and the CLI reconnect by themselves. An answer being written stops.
              </p>
            ),
            confirmLabel: 'Restart',
            onConfirm: restart,
          })
        }
      >
        <Icon name="refresh" /> {props.label}
      </button>
      {restarting ? (
        <span className="saved-note" role="status">
          {back ? (
            <>
              <Icon name="check" /> Gateway restarted.
            </>
          ) : (
            'Restarting…'
          )}
        </span>
      ) : null}
      {outcome?.kind === 'failed' ? <ErrorNote error={outcome.message} /> : null}
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </>
  );
}
