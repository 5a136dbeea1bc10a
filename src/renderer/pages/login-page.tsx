/** Full-window screens shown before the app: connecting, sign in, waiting for approval. */
import type { FormEvent, ReactElement } from 'react';
import { useState } from 'react';
import { ErrorNote, Field } from '../components/ui.js';
import { Icon } from '../components/icons.js';
import { Screen } from '../components/screen.js';
import { SegmentedChoice } from '../components/segmented-choice.js';
import { useConnection, useConnectionState, useNow } from '../hooks/connection-context.js';
import { formatCountdown } from '../lib/format.js';
import type { LoginMode } from '../lib/connection-state.js';
import { SIGNED_OUT } from '../lib/connection-state.js';

const LOGIN_MODES: readonly LoginMode[] = ['token', 'password'];
const LOGIN_MODE_LABELS: Record<LoginMode, string> = { token: 'Token', password: 'Password' };

function RetryLine({ retryAtMs }: { retryAtMs: number | undefined }): ReactElement | null {
  const connection = useConnection();
  const now = useNow(500);
  if (retryAtMs === undefined) return null;
  return (
    <p className="retry-line">
      <span className="muted" aria-live="polite">
        Trying again in {Math.max(0, Math.ceil((retryAtMs - now) / 1000))} s
      </span>
      <button
        type="button"
        className="btn btn-secondary btn-small"
        onClick={() => connection.retryNow()}
      >
        <Icon name="refresh" /> Retry now
      </button>
    </p>
  );
}

/** First connection in progress, or the gateway cannot be reached yet. */
export function ConnectingScreen(): ReactElement {
  const state = useConnectionState();
  return (
    <Screen title={state.message ? 'Can’t reach the gateway' : 'Connecting to the gateway…'}>
      {state.message ? (
        <ErrorNote error={state.message} />
      ) : (
        <div className="spinner spinner-large" role="status" aria-label="Connecting" />
      )}
      <RetryLine retryAtMs={state.retryAtMs} />
    </Screen>
  );
}

/** This browser is a new device and waits for a person to approve it. */
export function PairingScreen(): ReactElement {
  const state = useConnectionState();
  return (
    <Screen title="Waiting for approval">
      <p>
        This browser is a new device for this gateway. Approve it from the tray menu, from the
        Devices page of a signed-in Control UI, or in a terminal:
      </p>
      {state.pairingRequestId ? (
        <pre className="code-block">special-agent devices approve {state.pairingRequestId}</pre>
      ) : null}
      <p className="muted small">{state.message}</p>
      <RetryLine retryAtMs={state.retryAtMs} />
    </Screen>
  );
}

/**
 * The link's invite was already used or has expired. Calm, not an error: it is what a
 * second click on a single-use link does. No retry loop; one way on.
 */
export function InviteUsedScreen(): ReactElement {
  const connection = useConnection();
  return (
    <Screen title="This link was already used">
      <p>
        This link was already used (or has expired); run <code>special-agent dashboard</code> again:
      </p>
      <pre className="code-block">special-agent dashboard</pre>
      <p className="muted small">
        Each link signs in one browser, once. A setup link from “Pair a device” works once too: ask
        for a new one.
      </p>
      <button
        type="button"
        className="btn btn-secondary btn-block"
        onClick={() => connection.retryNow()}
      >
        Sign in another way
      </button>
    </Screen>
  );
}

/**
 * Token or password sign-in. A first visit is calm: the one command that opens a signed-in
 * link, and a field; the gateway's own message appears only after an attempt failed.
 */
export function LoginPage(): ReactElement {
  const connection = useConnection();
  const state = useConnectionState();
  const now = useNow(500);
  const [mode, setMode] = useState<LoginMode | undefined>(undefined);
  const [secret, setSecret] = useState('');
  const [fieldError, setFieldError] = useState<string | undefined>(undefined);
  const activeMode = mode ?? state.loginMode;
  const lockedMs = state.lockedUntilMs !== undefined ? state.lockedUntilMs - now : 0;
  const locked = lockedMs > 0;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (locked || state.busy) return;
    if (secret.trim() === '') {
      setFieldError(
        activeMode === 'token' ? 'Enter the gateway token' : 'Enter the gateway password',
      );
      return;
    }
    setFieldError(undefined);
    connection.login(activeMode === 'token' ? { token: secret.trim() } : { password: secret });
    setSecret('');
  };

  const signedOut = state.errorCode === SIGNED_OUT;
  return (
    <Screen title={signedOut ? 'Signed out' : 'Sign in to the gateway'}>
      {state.message && !locked ? <ErrorNote error={state.message} /> : null}
      {locked ? (
        <div className="note note-warn" role="alert">
          <Icon name="alert" />
          <div className="note-body">
            <span>{state.message}</span>
            <span>
              Try again in <strong className="countdown">{formatCountdown(lockedMs)}</strong>
            </span>
          </div>
        </div>
      ) : null}
      {state.message ? null : (
        <div className="sign-in-intro">
          <p>On the gateway’s computer, run</p>
          <pre className="code-block">special-agent dashboard</pre>
          <p className="muted small">It opens a signed-in link to this page.</p>
        </div>
      )}
      <form className="form" onSubmit={submit} noValidate>
        <SegmentedChoice
          name="mode"
          options={LOGIN_MODES}
          labels={LOGIN_MODE_LABELS}
          value={activeMode}
          onChange={setMode}
          label="Sign in with"
        />
        <Field
          label={activeMode === 'token' ? 'Gateway token' : 'Gateway password'}
          error={fieldError}
          hint={
            activeMode === 'token' ? (
              <>
                The gateway token is in your OS keychain; <code>special-agent dashboard</code> opens
                a signed-in link.
              </>
            ) : (
              'The password is kept in memory for this tab only.'
            )
          }
        >
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              type="password"
              autoComplete={activeMode === 'password' ? 'current-password' : 'off'}
              spellCheck={false}
              value={secret}
              aria-describedby={describedBy}
              aria-invalid={invalid || undefined}
              onChange={(event) => setSecret(event.target.value)}
              autoFocus
            />
          )}
        </Field>
        <button type="submit" className="btn btn-primary btn-block" disabled={locked || state.busy}>
          {state.busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </Screen>
  );
}
